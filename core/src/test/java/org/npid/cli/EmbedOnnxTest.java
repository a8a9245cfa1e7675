package org.npid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.eval.Embeddings;
import org.npid.fixtures.SyntheticIdx;
import org.npid.fixtures.TinyRun;
import org.npid.index.Matrix;
import org.npid.index.Npy;

/**
 * {@code npid embed} on ONNX Runtime: an exported .onnx file, or a checkpoint with {@code --engine
 * onnx}, gives the rows libtorch gives for a trained run's checkpoint, within 1e-5.
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
        CliRun.out(
                "embed",
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
        assertThat(printed).contains("embedded 64 rows");
        Path inMemory = tmp.resolve("memory.npy");
        CliRun.out(
                "embed",
                "--engine",
                "onnx",
                "--checkpoint",
                ckpt.toString(),
                "--data",
                data.toString(),
                "--out",
                inMemory.toString());

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
            assertThat(Files.readString(Embeddings.modelOf(p))).startsWith("onnx:");
            assertThat(Files.readString(Embeddings.sidecarOf(p)))
                    .isEqualTo(Files.readString(Embeddings.sidecarOf(torch)));
        }
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
