package org.npid.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.cli.Npid;
import org.npid.fixtures.SyntheticIdx;
import org.npid.fixtures.TinyRun;
import org.npid.index.Matrix;
import org.npid.index.Npy;

/**
 * The example, on a model that {@code npid export} wrote from a trained run, finds for every image
 * of a folder the neighbours that {@code npid embed} + {@code npid search} find for it: the same
 * images in the same order, where two candidates' scores differ by 1e-5 or more.
 */
class NearestImagesTest {
    private static final int SIDE = 16;
    private static final int K = 5;
    private static final float TIE = 1e-5f;

    @TempDir static Path tmp;
    static Path folder;
    static Path checkpoint;
    static Path onnx;

    @BeforeAll
    static void trainAndExport() throws IOException {
        Path data = SyntheticIdx.write(tmp.resolve("data"), 16, 8, SIDE, 1);
        checkpoint = TinyRun.checkpoint(data, tmp.resolve("run"));
        onnx = tmp.resolve("model.onnx");
        npid("export", "--checkpoint", checkpoint.toString(), "--out", onnx.toString());
        folder = writeImages(tmp.resolve("images"), 30, 7);
    }

    @Test
    void findsTheNeighboursNpidSearchFinds() throws Exception {
        NearestImages.Result r = NearestImages.run(onnx, folder, K);
        assertThat(r.images()).hasSize(30);
        Path npy = embedWithNpid();
        Matrix m = Npy.read(npy);
        assertThat(m.rows()).isEqualTo(30);
        for (int i = 0; i < 30; i++) {
            float[] row = m.row(i);
            for (int d = 0; d < row.length; d++) {
                assertThat(r.embeddings().get(i)[d])
                        .as("image %d, component %d", i, d)
                        .isCloseTo(row[d], Offset.offset(1e-4f));
            }
        }
        List<List<Integer>> searched = searchWithNpid(npy);
        assertThat(disagreements(r, searched)).isEmpty();
        // Ties are the exception: nearly every rank names the same image.
        assertThat(sameImage(r, searched)).isGreaterThan(30 * K * 9 / 10);
    }

    /** The program itself: each image's name, then its neighbours, one a line. */
    @Test
    void mainPrintsEachImagesNeighbours() throws Exception {
        PrintStream stdout = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream p = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(p);
            NearestImages.main(new String[] {onnx.toString(), folder.toString(), "3"});
        } finally {
            System.setOut(stdout);
        }
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(30 * 4).startsWith("img00.png");
        assertThat(lines.get(1)).matches("  -?\\d\\.\\d{4}  img\\d\\d\\.png");
    }

    /** The comparison can fail: another run's model finds other neighbours. */
    @Test
    void anotherModelsNeighboursDisagree() throws Exception {
        Path data = tmp.resolve("data");
        Path other = TinyRun.run(data, tmp.resolve("other"), 1, "seed", "2").checkpoint();
        Path otherOnnx = tmp.resolve("other.onnx");
        npid("export", "--checkpoint", other.toString(), "--out", otherOnnx.toString());
        NearestImages.Result r = NearestImages.run(otherOnnx, folder, K);
        assertThat(disagreements(r, searchWithNpid(embedWithNpid()))).isNotEmpty();
    }

    /** {@code npid embed} on its default engine (PyTorch), with the checkpoint, not the .onnx. */
    private static Path embedWithNpid() {
        Path npy = tmp.resolve("images.npy");
        if (!Files.exists(npy)) {
            npid(
                    "embed",
                    "--checkpoint",
                    checkpoint.toString(),
                    "--data",
                    folder.toString(),
                    "--out",
                    npy.toString());
        }
        return npy;
    }

    /** {@code npid search} for every row: each query's hits, itself included. */
    private static List<List<Integer>> searchWithNpid(Path npy) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "search",
                                "--embeddings",
                                npy.toString(),
                                "--backend",
                                "exact",
                                "--k",
                                Integer.toString(K + 1)));
        for (int i = 0; i < 30; i++) {
            args.add("--row");
            args.add(Integer.toString(i));
        }
        List<List<Integer>> searched = hits(npid(args.toArray(String[]::new)));
        assertThat(searched).hasSize(30);
        List<List<Integer>> others = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            int self = i;
            others.add(searched.get(i).stream().filter(j -> j != self).limit(K).toList());
        }
        return others;
    }

    /**
     * Where the example names another image than {@code npid search} at some rank and the two
     * images' scores (the example's) differ by {@link #TIE} or more.
     */
    private static List<String> disagreements(
            NearestImages.Result r, List<List<Integer>> searched) {
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            List<NearestImages.Neighbour> ours = r.neighbours().get(i);
            assertThat(ours).hasSize(K);
            for (int rank = 0; rank < K; rank++) {
                int mine = r.images().indexOf(ours.get(rank).image());
                int theirs = searched.get(i).get(rank);
                float theirScore = dot(r.embeddings().get(i), r.embeddings().get(theirs));
                if (mine != theirs && Math.abs(theirScore - ours.get(rank).score()) >= TIE) {
                    bad.add(
                            String.format(
                                    "image %d rank %d: npid search %d, the example %d",
                                    i, rank + 1, theirs, mine));
                }
            }
        }
        return bad;
    }

    private static int sameImage(NearestImages.Result r, List<List<Integer>> searched) {
        int same = 0;
        for (int i = 0; i < 30; i++) {
            for (int rank = 0; rank < K; rank++) {
                if (r.images().indexOf(r.neighbours().get(i).get(rank).image())
                        == searched.get(i).get(rank)) {
                    same++;
                }
            }
        }
        return same;
    }

    private static float dot(float[] a, float[] b) {
        float s = 0;
        for (int d = 0; d < a.length; d++) {
            s += a[d] * b[d];
        }
        return s;
    }

    /** The row ids of each query's hits, in order, from {@code npid search}'s output. */
    private static List<List<Integer>> hits(String printed) {
        List<List<Integer>> all = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^query .*$|^\\s+\\d+\\s+row (\\d+)").matcher(printed);
        while (m.find()) {
            if (m.group(1) == null) {
                all.add(new ArrayList<>());
            } else {
                all.get(all.size() - 1).add(Integer.parseInt(m.group(1)));
            }
        }
        return all;
    }

    /** Structured 8-bit gray pictures: stripes, checks and discs with random phase and noise. */
    private static Path writeImages(Path dir, int count, long seed) throws IOException {
        Files.createDirectories(dir);
        Random rng = new Random(seed);
        for (int i = 0; i < count; i++) {
            int kind = i % 3;
            int phase = rng.nextInt(4);
            double radius = 3 + 3 * rng.nextDouble();
            BufferedImage img = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    double v =
                            switch (kind) {
                                case 0 -> ((y + phase) / 2) % 2;
                                case 1 -> (((x + phase) / 3) + ((y + phase) / 3)) % 2;
                                default -> Math.hypot(x - 8 + phase - 1.5, y - 8) < radius ? 1 : 0;
                            };
                    int p = (int) Math.max(0, Math.min(255, 40 + 170 * v + rng.nextInt(40) - 20));
                    img.getRaster().setSample(x, y, 0, p);
                }
            }
            ImageIO.write(img, "png", dir.resolve(String.format("img%02d.png", i)).toFile());
        }
        return dir;
    }

    /** Runs {@code npid} in this JVM, which must succeed, and returns its standard output. */
    private static String npid(String... args) {
        PrintStream stdout = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int exit;
        try (PrintStream p = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(p);
            exit = Npid.execute(args);
        } finally {
            System.setOut(stdout);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(out).isZero();
        return out;
    }
}
