package org.npid.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.npid.checkpoint.CheckpointException;
import org.npid.cli.Npid;
import org.npid.eval.FeatureExtractor;
import org.npid.eval.TrainedModel;
import org.npid.fixtures.Dependency;

/**
 * The ONNX export computes what npid computes: for every architecture, stem and head, ONNX
 * Runtime's embeddings and pooled features of 104 structured images equal npid's own ({@link
 * FeatureExtractor} on the checkpoint's network and test transform) within 1e-5 per component, in
 * batches of two sizes through the free batch dimension. The networks have random batch-norm affine
 * parameters and running statistics ({@link ExportFixture}), so a batch norm left out, swapped or
 * given the wrong epsilon would show.
 */
class OnnxExportTest {
    private static final float TOLERANCE = 1e-5f;
    private static final int IMAGES = 104;
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir Path dir;

    @ParameterizedTest
    @CsvSource({
        "resnet18, cifar, linear, 0.125, 32, 3",
        "resnet18, cifar, linear, 1.0, 32, 3",
        "resnet18, imagenet, mlp, 0.25, 64, 3",
        "resnet18, cifar, mlp, 0.125, 28, 1",
        "resnet50, cifar, linear, 0.125, 32, 3",
        "resnet50, imagenet, mlp, 0.125, 64, 3",
        "alexnet, cifar, mlp, 0.25, 32, 3",
        "alexnet, imagenet, linear, 0.25, 64, 3",
        "vgg16_bn, cifar, linear, 0.125, 32, 3",
        "vgg16_bn, imagenet, mlp, 0.125, 32, 3"
    })
    void onnxRuntimeEmbedsAsNpidDoes(
            String arch, String stem, String head, String width, int side, int channels)
            throws Exception {
        Path ckpt =
                ExportFixture.checkpoint(
                        dir.resolve("run"),
                        channels,
                        side,
                        "arch",
                        arch,
                        "stem",
                        stem,
                        "head",
                        head,
                        "width",
                        width,
                        "embedding_dim",
                        "32");
        Path file = dir.resolve("model.onnx");
        OnnxExport.Result result = OnnxExport.export(ckpt, file);
        assertThat(result.arch()).isEqualTo(arch);

        PatternImages images = new PatternImages(IMAGES, side, channels, 7);
        float[] npidEmbedding;
        float[] npidFeatures;
        int featureDim;
        try (TrainedModel m = TrainedModel.load(ckpt)) {
            npidEmbedding =
                    new FeatureExtractor(m.network(), 32, 1)
                            .extract(m.manager(), images, m.testTransform());
            npidFeatures =
                    new FeatureExtractor(m.network().backbone(), 32, 1)
                            .extract(m.manager(), images, m.testTransform());
            featureDim = m.network().config().featureDim();
        }

        float[] onnxEmbedding = new float[npidEmbedding.length];
        float[] onnxFeatures = new float[npidFeatures.length];
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                OrtSession session = env.createSession(file.toString(), options)) {
            TensorInfo input = (TensorInfo) session.getInputInfo().get(OnnxNetwork.INPUT).getInfo();
            assertThat(input.getShape()).containsExactly(-1L, channels, side, side);
            Map<String, NodeInfo> outputs = session.getOutputInfo();
            assertThat(((TensorInfo) outputs.get(OnnxNetwork.EMBEDDING).getInfo()).getShape())
                    .containsExactly(-1L, 32L);
            assertThat(((TensorInfo) outputs.get(OnnxNetwork.FEATURES).getInfo()).getShape())
                    .containsExactly(-1L, featureDim);
            Map<String, String> metadata = session.getMetadata().getCustomMetadata();
            assertThat(metadata)
                    .containsEntry("npid.arch", arch)
                    .containsEntry("npid.head", head)
                    .containsEntry("npid.image_size", Integer.toString(side))
                    .containsEntry("npid.channels", Integer.toString(channels))
                    .containsKey("npid.normalisation");
            // Two batch sizes through the free batch dimension.
            run(env, session, images, 0, 64, channels, side, onnxEmbedding, onnxFeatures);
            run(env, session, images, 64, IMAGES, channels, side, onnxEmbedding, onnxFeatures);
        }

        float embeddingError = maxAbsDifference(npidEmbedding, onnxEmbedding);
        float featureError = maxAbsDifference(npidFeatures, onnxFeatures);
        float featureScale = maxAbs(npidFeatures);
        System.out.printf(
                Locale.ROOT,
                "%s %s %s width %s %dpx %dch: max |npid - onnx| embedding %.3g, features %.3g"
                        + " (features up to %.3g)%n",
                arch,
                stem,
                head,
                width,
                side,
                channels,
                embeddingError,
                featureError,
                featureScale);
        assertThat(embeddingError).isLessThanOrEqualTo(TOLERANCE);
        // The pooled features are not normalised: the same bound relative to their size.
        assertThat(featureError).isLessThanOrEqualTo(TOLERANCE * Math.max(1, featureScale));
    }

    @Test
    void theOnnxCheckerAcceptsTheModel() throws Exception {
        String missing = onnxMissing();
        Dependency.ONNX.assume(missing == null, missing);
        Path ckpt =
                ExportFixture.checkpoint(
                        dir.resolve("run"),
                        3,
                        32,
                        "arch",
                        "resnet50",
                        "stem",
                        "imagenet",
                        "head",
                        "mlp",
                        "width",
                        "0.125",
                        "embedding_dim",
                        "16");
        Path file = dir.resolve("model.onnx");
        OnnxExport.export(ckpt, file);
        String script =
                """
                import sys, onnx
                m = onnx.load(sys.argv[1])
                onnx.checker.check_model(m, full_check=True)
                assert m.ir_version == 8, m.ir_version
                assert [(o.domain, o.version) for o in m.opset_import] == [('', 17)]
                assert [i.name for i in m.graph.input] == ['image']
                assert [o.name for o in m.graph.output] == ['embedding', 'features']
                assert m.graph.input[0].type.tensor_type.shape.dim[0].dim_param == 'batch'
                meta = {p.key: p.value for p in m.metadata_props}
                assert meta['npid.arch'] == 'resnet50', meta
                print('ok')
                """;
        assertThat(python(List.of("-c", script, file.toString()))).isEqualTo("ok\n");
    }

    @Test
    void refusesADirectoryAndSaysWhatToDoWithoutACheckpoint() throws IOException {
        Files.createDirectories(dir.resolve("d"));
        assertThatThrownBy(() -> OnnxExport.export(dir.resolve("none"), dir.resolve("d")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is a directory");
        assertThatThrownBy(() -> OnnxExport.export(dir.resolve("none"), dir.resolve("x.onnx")))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("does not exist");
        assertThat(Files.exists(dir.resolve("x.onnx"))).isFalse();
    }

    @Test
    void theCommandWritesOnnxAndReplacesOnlyItsOwnFiles() throws IOException {
        Path ckpt =
                ExportFixture.checkpoint(
                        dir.resolve("run"), 3, 16, "width", "0.125", "embedding_dim", "16");
        Path file = dir.resolve("out/model.onnx");
        String[] export = {"export", "--checkpoint", ckpt.toString(), "--out", file.toString()};
        assertThat(Npid.execute(export)).isZero();
        assertThat(OnnxExport.looksWritten(file)).isTrue();
        // An earlier export is npid's own: replaced without --overwrite.
        assertThat(Npid.execute(export)).isZero();

        Path mine = Files.writeString(dir.resolve("mine.onnx"), "my model");
        String[] onMine = {
            "export", "--format", "onnx", "--checkpoint", ckpt.toString(), "--out", mine.toString()
        };
        assertThat(Npid.execute(onMine)).isNotZero();
        assertThat(Files.readString(mine)).isEqualTo("my model");
        String[] overwrite = Arrays.copyOf(onMine, onMine.length + 1);
        overwrite[onMine.length] = "--overwrite";
        assertThat(Npid.execute(overwrite)).isZero();
        assertThat(OnnxExport.looksWritten(mine)).isTrue();

        // --format onnx wins over the extension.
        Path named = dir.resolve("model.bin");
        assertThat(
                        Npid.execute(
                                "export",
                                "--format",
                                "onnx",
                                "--checkpoint",
                                ckpt.toString(),
                                "--out",
                                named.toString()))
                .isZero();
        assertThat(OnnxExport.looksWritten(named)).isTrue();
    }

    @Test
    void recognisesItsOwnFiles() throws IOException {
        Path ckpt =
                ExportFixture.checkpoint(
                        dir.resolve("run"), 1, 16, "width", "0.125", "embedding_dim", "16");
        Path file = dir.resolve("model.onnx");
        OnnxExport.export(ckpt, file);
        assertThat(OnnxExport.looksWritten(file)).isTrue();
        Path other = dir.resolve("other.onnx");
        Files.write(other, new byte[] {0x08, 0x08, 0x12, 0x07, 'p', 'y', 't', 'o', 'r', 'c', 'h'});
        assertThat(OnnxExport.looksWritten(other)).isFalse();
        assertThat(OnnxExport.looksWritten(dir.resolve("absent.onnx"))).isFalse();
    }

    private static void run(
            OrtEnvironment env,
            OrtSession session,
            PatternImages images,
            int from,
            int to,
            int channels,
            int side,
            float[] embedding,
            float[] features)
            throws OrtException {
        long[] shape = {to - from, channels, side, side};
        try (OnnxTensor x =
                        OnnxTensor.createTensor(
                                env, FloatBuffer.wrap(images.unitPixels(from, to)), shape);
                OrtSession.Result r = session.run(Map.of(OnnxNetwork.INPUT, x))) {
            copyRows(
                    (float[][]) r.get(OnnxNetwork.EMBEDDING).orElseThrow().getValue(),
                    from,
                    embedding);
            copyRows(
                    (float[][]) r.get(OnnxNetwork.FEATURES).orElseThrow().getValue(),
                    from,
                    features);
        }
    }

    private static void copyRows(float[][] rows, int from, float[] into) {
        int d = rows[0].length;
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, into, (from + i) * d, d);
        }
    }

    private static float maxAbsDifference(float[] a, float[] b) {
        assertThat(b).hasSameSizeAs(a);
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static float maxAbs(float[] a) {
        float max = 0;
        for (float v : a) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    /** Null where /usr/bin/python3 imports onnx, else why it cannot. */
    private static String onnxMissing() throws IOException, InterruptedException {
        if (!Files.isExecutable(PYTHON)) {
            return "no " + PYTHON + " to run the ONNX checker";
        }
        try {
            python(List.of("-c", "import onnx"));
            return null;
        } catch (AssertionError e) {
            return PYTHON + " cannot import onnx: " + e.getMessage();
        }
    }

    /** Standard output of /usr/bin/python3 with {@code args}; fails on a non-zero exit. */
    private static String python(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(PYTHON.toString());
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("python timed out");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new AssertionError("exit " + p.exitValue() + ": " + text);
        }
        return text;
    }
}
