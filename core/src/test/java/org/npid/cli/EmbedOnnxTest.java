package org.npid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.data.Datasets;
import org.npid.data.Split;
import org.npid.eval.Embeddings;
import org.npid.eval.OnnxModel;
import org.npid.fixtures.SyntheticIdx;
import org.npid.fixtures.TinyRun;
import org.npid.index.Matrix;
import org.npid.index.Npy;
import org.npid.serve.NeighbourServer;

/**
 * Inference on ONNX Runtime: {@code npid embed} with an exported .onnx file, or a checkpoint with
 * {@code --engine onnx}, gives the rows libtorch gives for a trained run's checkpoint, within 1e-5;
 * {@code npid search --image} finds the same neighbours with the .onnx model; the search page's
 * server runs on it.
 */
class EmbedOnnxTest {
    @TempDir static Path tmp;
    static Path data;
    static Path ckpt;

    @BeforeAll
    static void trainedRun() throws IOException {
        data = SyntheticIdx.write(tmp.resolve("data"), 16, 8, 16, 1);
        ckpt = TinyRun.checkpoint(data, tmp.resolve("run"));
    }

    @Test
    void onnxRuntimeEmbedsAsLibtorchDoes() throws IOException {
        Path onnx = tmp.resolve("model.onnx");
        CliRun.out("export", "--checkpoint", ckpt.toString(), "--out", onnx.toString());
        Path torch = tmp.resolve("torch.npy");
        String onTorch =
                CliRun.out(
                        "embed",
                        "--engine",
                        "pytorch",
                        "--checkpoint",
                        ckpt.toString(),
                        "--data",
                        data.toString(),
                        "--out",
                        torch.toString());
        Path fromFile = tmp.resolve("file.npy");
        String printed =
                CliRun.out(
                        "embed",
                        "--checkpoint",
                        onnx.toString(),
                        "--data",
                        data.toString(),
                        "--out",
                        fromFile.toString());
        assertThat(printed).contains("embedded 64 rows").contains("on ONNX Runtime");
        assertThat(onTorch).contains("embedded 64 rows").contains("on PyTorch");
        // A checkpoint on a CPU runs on ONNX Runtime by default, exported in memory.
        Path inMemory = tmp.resolve("memory.npy");
        String byDefault =
                CliRun.out(
                        "embed",
                        "--checkpoint",
                        ckpt.toString(),
                        "--data",
                        data.toString(),
                        "--out",
                        inMemory.toString());
        assertThat(byDefault).contains("on ONNX Runtime");

        Matrix expected = Npy.read(torch);
        for (Path p : new Path[] {fromFile, inMemory}) {
            Matrix m = Npy.read(p);
            assertThat(m.rows()).isEqualTo(expected.rows());
            assertThat(m.cols()).isEqualTo(expected.cols());
            float max = 0;
            for (int i = 0; i < m.data().length; i++) {
                max = Math.max(max, Math.abs(m.data()[i] - expected.data()[i]));
            }
            assertThat(max).as(p.toString()).isLessThanOrEqualTo(1e-5f);
            // The export carries its checkpoint's fingerprint: the same maker on either engine.
            assertThat(Files.readString(Embeddings.modelOf(p)))
                    .isEqualTo(Files.readString(Embeddings.modelOf(torch)));
            assertThat(Files.readString(Embeddings.sidecarOf(p)))
                    .isEqualTo(Files.readString(Embeddings.sidecarOf(torch)));
        }
    }

    @Test
    void searchByImageAndServeRunOnTheOnnxModel() throws Exception {
        Path onnx = tmp.resolve("search.onnx");
        CliRun.out("export", "--checkpoint", ckpt.toString(), "--out", onnx.toString());
        Path npy = tmp.resolve("gallery.npy");
        CliRun.out(
                "embed",
                "--checkpoint",
                ckpt.toString(),
                "--data",
                data.toString(),
                "--out",
                npy.toString());
        Path png = tmp.resolve("query.png");
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                img.getRaster().setSample(x, y, 0, (x / 3) % 2 * 255);
            }
        }
        ImageIO.write(img, "png", png.toFile());
        String[] search = {
            "search",
            "--embeddings",
            npy.toString(),
            "--image",
            png.toString(),
            "--k",
            "5",
            "--backend",
            "exact",
            "--checkpoint"
        };
        String byTorch = CliRun.out(concat(search, ckpt.toString(), "--engine", "pytorch"));
        String byOnnx = CliRun.out(concat(search, onnx.toString()));
        assertThat(rows(byOnnx)).hasSize(5).isEqualTo(rows(byTorch));

        try (OnnxModel model = OnnxModel.open(onnx, 1);
                NeighbourServer server =
                        NeighbourServer.start(
                                model,
                                Datasets.open(data, Split.TRAIN),
                                Datasets.open(data, Split.TEST),
                                "127.0.0.1",
                                0)) {
            HttpResponse<String> r =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(
                                                    URI.create(
                                                            "http://127.0.0.1:"
                                                                    + server.port()
                                                                    + "/api/test/3/neighbours?k=4"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body().split("\"score\"", -1)).hasSize(5);
        }
    }

    /** The row ids of a search's hits, in order. */
    private static List<String> rows(String printed) {
        List<String> rows = new ArrayList<>();
        Matcher m = Pattern.compile("\\s+\\d+\\s+row (\\d+)").matcher(printed);
        while (m.find()) {
            rows.add(m.group(1));
        }
        return rows;
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void saysWhichEngineRunsWhat() {
        Path onnx = tmp.resolve("again.onnx");
        CliRun.out("export", "--checkpoint", ckpt.toString(), "--out", onnx.toString());
        assertThat(
                        CliRun.err(
                                "embed",
                                "--engine",
                                "pytorch",
                                "--checkpoint",
                                onnx.toString(),
                                "--data",
                                data.toString(),
                                "--out",
                                tmp.resolve("x.npy").toString()))
                .contains("is an ONNX model: run it with --engine onnx");
        assertThat(
                        CliRun.err(
                                "embed",
                                "--views",
                                "2",
                                "--checkpoint",
                                onnx.toString(),
                                "--data",
                                data.toString(),
                                "--out",
                                tmp.resolve("y.npy").toString()))
                .contains("--views needs the checkpoint's training augmentation");
    }
}
