package org.npid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.index.Matrix;
import org.npid.index.Npy;
import org.npid.train.SyntheticIdx;

class EmbedSearchCliTest {
    @TempDir Path tmp;

    private static String run(String... args) {
        PrintStream out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream p = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(p);
            assertThat(Npid.execute(args)).as(buf.toString(StandardCharsets.UTF_8)).isZero();
        } finally {
            System.setOut(out);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void trainEmbedAndSearchEndToEnd() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("d"), 16, 4, 16, 3);
        Path run = tmp.resolve("run");
        String train =
                run(
                        "train",
                        "--data",
                        data.toString(),
                        "--run-dir",
                        run.toString(),
                        "--epochs",
                        "1",
                        "--batch-size",
                        "16",
                        "--objective",
                        "softmax",
                        "--quiet",
                        "--set",
                        "width=0.125",
                        "--set",
                        "embedding_dim=16",
                        "--set",
                        "knn_k=5");
        assertThat(train).contains("# resolved config").contains("kNN(recomputed)");

        Path npy = tmp.resolve("emb.npy");
        String embed =
                run(
                        "embed",
                        "--checkpoint",
                        run.toString(),
                        "--data",
                        data.toString(),
                        "--out",
                        npy.toString());
        assertThat(embed).contains("embedded 64 images (d=16)");
        Matrix m = Npy.read(npy);
        assertThat(m.rows()).isEqualTo(64);
        assertThat(Files.readAllLines(tmp.resolve("emb.tsv")))
                .hasSize(65)
                .first()
                .isEqualTo("row\tlabel\tclass\tsource");

        String search = run("search", "--embeddings", npy.toString(), "--row", "5", "--k", "3");
        // A row's nearest neighbour is itself, with cosine 1.
        assertThat(search).contains("query row 5").containsPattern("1  row 5 +score 1\\.0000");
    }
}
