package org.npid.export;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.npid.cli.Npid;
import org.npid.eval.TrainedModel;
import org.npid.fixtures.Dependency;
import org.npid.index.Matrix;
import org.npid.index.Npy;

/**
 * The exported file, loaded into torchvision's own ResNet, AlexNet or VGG16_bn with {@code
 * strict=True} by Debian's PyTorch, embeds a fixed input as npid does. Skipped where
 * /usr/bin/python3 cannot import torch and torchvision ({@code apt-get install
 * python3-torchvision}), failed there where NPID_REQUIRE names torchvision.
 */
class TorchvisionEquivalenceTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    /** fp32 convolutions summed in another order by two builds of PyTorch. */
    private static final float TOLERANCE = 1e-4f;

    @TempDir Path dir;

    /** Null where /usr/bin/python3 imports torch and torchvision, else why it cannot. */
    private static String missing;

    @BeforeAll
    static void probeTorchvision() throws Exception {
        if (!Files.isExecutable(PYTHON)) {
            missing = "no " + PYTHON + " to load the export into torchvision";
            return;
        }
        String out = python(List.of("-c", "import torch, torchvision"), 120);
        if (out != null) {
            missing =
                    PYTHON
                            + " cannot import torch and torchvision: "
                            + out.strip().lines().reduce((first, last) -> last).orElse("");
        }
    }

    // Each test, not the class: Surefire reports a class skipped in @BeforeAll as no tests at all,
    // without the reason.
    @BeforeEach
    void needsTorchvision() {
        Dependency.TORCHVISION.assume(missing == null, missing);
    }

    @ParameterizedTest
    @CsvSource({
        "resnet18, cifar, linear, 32",
        "resnet18, cifar, mlp, 32",
        "resnet50, imagenet, linear, 64",
        "alexnet, cifar, linear, 32",
        "alexnet, imagenet, mlp, 64",
        "vgg16_bn, cifar, linear, 32"
    })
    void torchvisionEmbedsAsNpidDoes(String arch, String stem, String head, int side)
            throws Exception {
        Path ckpt =
                ExportFixture.checkpoint(
                        dir.resolve("run"),
                        3,
                        side,
                        "arch",
                        arch,
                        "stem",
                        stem,
                        "head",
                        head,
                        "width",
                        "1.0",
                        "embedding_dim",
                        "128");
        Path weights = dir.resolve("w.safetensors");
        assertThat(
                        Npid.execute(
                                "export",
                                "--checkpoint",
                                ckpt.toString(),
                                "--out",
                                weights.toString()))
                .isZero();

        int rows = 2;
        float[] x = new float[rows * 3 * side * side];
        Random random = new Random(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        Path input = dir.resolve("x.npy");
        Npy.write(input, new Matrix(rows, x.length / rows, x), false);
        float[] npid;
        try (TrainedModel m = TrainedModel.load(ckpt)) {
            NDArray in = m.manager().create(x, new Shape(rows, 3, side, side));
            NDList v =
                    m.network()
                            .forward(new ParameterStore(m.manager(), false), new NDList(in), false);
            npid = v.singletonOrThrow().toFloatArray();
        }

        Path output = dir.resolve("v.npy");
        String script =
                Path.of(getClass().getResource("/export/torchvision_features.py").toURI())
                        .toString();
        String failure =
                python(
                        List.of(
                                script,
                                weights.toString(),
                                TorchvisionExport.sidecar(weights).toString(),
                                input.toString(),
                                output.toString()),
                        300);
        assertThat(failure).as("python failed").isNull();
        Matrix torch = Npy.read(output);
        assertThat(torch.rows()).isEqualTo(rows);
        assertThat(torch.cols()).isEqualTo(128);
        float max = 0;
        for (int i = 0; i < npid.length; i++) {
            max = Math.max(max, Math.abs(npid[i] - torch.data()[i]));
        }
        System.out.printf("%s %s %s: max |npid - torchvision| = %.3g%n", arch, stem, head, max);
        assertThat(max).isLessThan(TOLERANCE);
    }

    /** Runs python3; null on success, else its output. */
    private static String python(List<String> args, int seconds)
            throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(PYTHON.toString());
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out after " + seconds + " s";
        }
        String text = new String(out, StandardCharsets.UTF_8);
        return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + text;
    }
}
