package org.npid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.fixtures.SyntheticIdx;
import org.npid.index.Matrix;
import org.npid.index.Npy;
import org.npid.index.UnitVectors;

class EmbedSearchCliTest {
    @TempDir Path tmp;

    @Test
    void hnswSearchBuildsAnInt8IndexAndRefusesOtherStorageLater() {
        Path npy = tmp.resolve("unit.npy");
        Npy.write(npy, UnitVectors.random(300, 16, 1), false);
        Path dir = tmp.resolve("unit.hnsw");
        String[] common = {
            "search",
            "--embeddings",
            npy.toString(),
            "--row",
            "5",
            "--k",
            "3",
            "--backend",
            "hnsw",
            "--index-dir",
            dir.toString()
        };
        String search = CliRun.out(concat(common, "--storage", "INT8", "--dims", "8"));
        // int8 scores are approximate: the row itself comes first with cosine about 1.
        assertThat(search).containsPattern("1  row 5 +score (0\\.99|1\\.00)");
        assertThat(dir.resolve("npid-projection.npy")).exists();
        assertThat(CliRun.out(concat(common, "--storage", "int8", "--dims", "8")))
                .isEqualTo(search);
        assertThat(CliRun.err(concat(common, "--storage", "quantized_float")))
                .contains("built with storage INT8")
                .contains("rebuild");
        assertThat(CliRun.out("search", "--help")).contains("--storage").contains("--dims");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void trainEmbedAndSearchEndToEnd() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("d"), 16, 4, 16, 3);
        Path run = tmp.resolve("run");
        String train =
                CliRun.out(
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
        assertThat(train)
                .contains("# the run's config, as config.yaml holds it")
                .contains("kNN(recomputed)");

        String[] embedArgs = {"embed", "--checkpoint", run.toString(), "--data", data.toString()};
        Path npy = tmp.resolve("emb.npy");
        String embed = CliRun.out(concat(embedArgs, "--out", npy.toString()));
        assertThat(embed).contains("embedded 64 rows (d=16)");
        Matrix m = Npy.read(npy);
        assertThat(m.rows()).isEqualTo(64);
        assertThat(Files.readAllLines(tmp.resolve("emb.tsv")))
                .hasSize(65)
                .first()
                .isEqualTo("row\tlabel\tclass\tsource");

        // Three augmented views a image: 192 rows, view-major, reproducible from the seed, and
        // different from the test-transform rows.
        Path views = tmp.resolve("views.npy");
        String[] viewsArgs =
                concat(embedArgs, "--out", views.toString(), "--views", "3", "--seed", "7");
        assertThat(CliRun.out(viewsArgs)).contains("embedded 192 rows (d=16)");
        Matrix v = Npy.read(views);
        assertThat(v.rows()).isEqualTo(192);
        List<String> tsv = Files.readAllLines(tmp.resolve("views.tsv"));
        assertThat(tsv).hasSize(193);
        assertThat(tsv.get(0)).isEqualTo("row\tlabel\tclass\tsource\tview");
        assertThat(tsv.get(65)).startsWith("64\t").endsWith("\t1");
        float[] first = v.data().clone();
        CliRun.out(viewsArgs);
        assertThat(Npy.read(views).data()).containsExactly(first);
        assertThat(java.util.Arrays.copyOfRange(first, 0, 16))
                .isNotEqualTo(java.util.Arrays.copyOfRange(m.data(), 0, 16));

        String search =
                CliRun.out("search", "--embeddings", npy.toString(), "--row", "5", "--k", "3");
        // A row's nearest neighbour is itself, with cosine 1.
        assertThat(search).contains("query row 5").containsPattern("1  row 5 +score 1\\.0000");

        // A new image searched with the model that made the file, then with another model:
        // another model's vector lives in another space, so that is refused, not answered.
        Path png = tmp.resolve("query.png");
        java.awt.image.BufferedImage img =
                new java.awt.image.BufferedImage(
                        16, 16, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                img.getRaster().setSample(x, y, 0, (y / 2) % 2 * 255);
            }
        }
        javax.imageio.ImageIO.write(img, "png", png.toFile());
        String[] byImage = {
            "search", "--embeddings", npy.toString(), "--image", png.toString(), "--k", "3"
        };
        assertThat(CliRun.out(concat(byImage, "--checkpoint", run.toString())))
                .contains("query " + png);
        Path other =
                org.npid.fixtures.TinyRun.run(data, tmp.resolve("other"), 1, "seed", "2")
                        .checkpoint();
        assertThat(CliRun.both(1, concat(byImage, "--checkpoint", other.toString())))
                .contains("was embedded by another model")
                .contains("pass the --checkpoint that made it");
    }
}
