package org.npid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.data.TestData;
import org.npid.fixtures.SyntheticIdx;
import org.npid.index.Matrix;
import org.npid.index.Npy;
import org.npid.index.UnitVectors;

/**
 * Cases that once gave a plausible but wrong answer, one test each: the command as the user runs
 * it, then the right answer or a message that says what happened and what to do.
 */
class SilentWrongTest {
    @TempDir Path tmp;

    /**
     * An image of class {@code c}: one bright row per class over a dim, per-image background, so
     * that the raw-pixel 1-NN of any image is an image of its own class.
     */
    private static BufferedImage ofClass(int c, int i) {
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                int v = y == c ? 250 : 10 + (i * 7 + x * 3) % 20;
                img.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        }
        return img;
    }

    /** {@code root/split/<name>/*.png}, class i of {@code names} drawn as {@link #ofClass}(i). */
    private static void folder(Path root, String split, List<String> names, List<Integer> classes)
            throws Exception {
        for (int j = 0; j < names.size(); j++) {
            for (int i = 0; i < 3; i++) {
                TestData.write(
                        ofClass(classes.get(j), i + (split.equals("test") ? 10 : 0)),
                        root.resolve(split).resolve(names.get(j)).resolve(i + ".png"));
            }
        }
    }

    private String knn(int exit, Path data) {
        return CliRun.both(exit, "knn", "--raw-pixels", "--k", "1", "--data", data.toString());
    }

    @Test
    void knnMatchesATestSplitWithoutTheFirstClassByName() throws Exception {
        Path data = tmp.resolve("no0");
        folder(data, "train", List.of("0", "1", "2", "3"), List.of(0, 1, 2, 3));
        folder(data, "test", List.of("1", "2", "3"), List.of(1, 2, 3));
        assertThat(knn(0, data)).contains("1-NN 100.00%");
    }

    @Test
    void knnRefusesTestClassesTheTrainingSplitLacks() throws Exception {
        Path data = tmp.resolve("c0");
        folder(data, "train", List.of("0", "1", "2"), List.of(0, 1, 2));
        folder(data, "test", List.of("c0", "c1", "c2"), List.of(0, 1, 2));
        assertThat(knn(1, data))
                .contains("npid:", "c0, c1, c2", "training split lacks")
                .doesNotContain("\tat ");
    }

    @Test
    void knnNamesTheClassMissingFromTraining() throws Exception {
        Path data = tmp.resolve("no2");
        folder(data, "train", List.of("0", "1", "3"), List.of(0, 1, 3));
        folder(data, "test", List.of("0", "1", "2", "3"), List.of(0, 1, 2, 3));
        assertThat(knn(1, data))
                .contains("class 2 that the training split lacks")
                .doesNotContain("out of bounds", "\tat ");
    }

    @Test
    void knnWithoutATestSplitSaysSo() throws Exception {
        Path data = tmp.resolve("trainonly");
        folder(data, "train", List.of("0", "1"), List.of(0, 1));
        assertThat(knn(1, data)).contains("needs a test split").doesNotContain("1-NN");
    }

    @Test
    void searchRefusesAnIndexOfOtherVectors() throws Exception {
        Path npy = tmp.resolve("v.npy");
        Npy.write(npy, UnitVectors.random(200, 16, 1), false);
        String[] args = {
            "search", "--embeddings", npy.toString(), "--row", "5", "--k", "1", "--backend", "hnsw"
        };
        assertThat(CliRun.out(args)).containsPattern("1  row 5 ");
        Npy.write(npy, UnitVectors.random(200, 16, 2), false);
        assertThat(CliRun.both(1, args))
                .contains("npid:", "v.npy.hnsw", "is not an index of", "delete")
                .doesNotContain("\tat ");
    }

    @Test
    void exactSearchRefusesANanRow() throws Exception {
        Path npy = tmp.resolve("nan.npy");
        Matrix m = UnitVectors.random(50, 8, 3);
        m.data()[7 * 8 + 2] = Float.NaN;
        Npy.write(npy, m, false);
        assertThat(
                        CliRun.both(
                                1,
                                "search",
                                "--embeddings",
                                npy.toString(),
                                "--row",
                                "0",
                                "--backend",
                                "exact"))
                .contains("npid:", "row 7 holds NaN")
                .doesNotContain("\tat ");
    }

    @Test
    void experimentRerunWithOtherSettingsRefusesToMixThem() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("d"), 8, 2, 16, 3);
        Path out = tmp.resolve("t4");
        String[] first = {
            "experiment",
            "table4",
            "--data",
            data.toString(),
            "--out",
            out.toString(),
            "--quick",
            "--threads",
            "1",
            "--set",
            "train_images=32"
        };
        CliRun.out(first);
        String before = Files.readString(out.resolve("results.md"));
        String[] otherSet = first.clone();
        otherSet[otherSet.length - 1] = "train_images=16";
        assertThat(CliRun.both(1, otherSet))
                .contains("npid:", "other settings", "set train_images=32", "set train_images=16")
                .doesNotContain("\tat ");
        Path other = SyntheticIdx.write(tmp.resolve("e"), 8, 2, 16, 4);
        String[] otherData = first.clone();
        otherData[3] = other.toString();
        assertThat(CliRun.both(1, otherData)).contains("other settings", other.toString());
        assertThat(out.resolve("results.md")).hasContent(before);
        assertThat(CliRun.out(first)).contains("(done before: skipped)");
    }

    /**
     * The training size is the images' median, not the first file's: a 96×96 image and a 4000×4000
     * one sorted first among 8×8 images once set the whole run's size (the large one failed with
     * {@code capacity < 0}); the run now trains and evaluates at 8 px.
     */
    @Test
    void theFirstFilesSizeDoesNotSetTheRunsSize() throws Exception {
        Path data = tmp.resolve("sizes");
        folder(data, "train", List.of("0", "1", "2"), List.of(0, 1, 2));
        folder(data, "test", List.of("0", "1", "2"), List.of(0, 1, 2));
        BufferedImage medium = new BufferedImage(96, 96, BufferedImage.TYPE_3BYTE_BGR);
        TestData.write(medium, data.resolve("train/0/00-medium.png"));
        BufferedImage huge = new BufferedImage(4000, 4000, BufferedImage.TYPE_3BYTE_BGR);
        TestData.write(huge, data.resolve("train/0/000-huge.png"));
        Path run = tmp.resolve("sizes-run");
        String out =
                CliRun.both(
                        0,
                        "train",
                        "--data",
                        data.toString(),
                        "--run-dir",
                        run.toString(),
                        "--epochs",
                        "1",
                        "--quiet");
        assertThat(out).doesNotContain("capacity").contains("at 8 px");
        assertThat(Files.readString(run.resolve("config.yaml"))).contains("image_size: 8\n");
    }

    @Test
    void wholeNumberKeysRefuseFractions() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("g"), 8, 2, 16, 5);
        String[] train = {
            "train", "--data", data.toString(), "--run-dir", tmp.resolve("r").toString()
        };
        assertThat(CliRun.err(concat(train, "--set", "epochs=1.5")))
                .contains("epochs: must be a whole number, got 1.5");
        assertThat(CliRun.err(concat(train, "--set", "batch_size=31.9")))
                .contains("batch_size: must be a whole number, got 31.9");
        Files.writeString(tmp.resolve("e.yaml"), "epochs: 2.5\n");
        assertThat(CliRun.err(concat(train, "--config", tmp.resolve("e.yaml").toString())))
                .contains("epochs: must be a whole number, got 2.5");
    }

    @Test
    void unclearMessagesSayWhatHappened() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("g"), 8, 2, 16, 5);
        String[] train = {
            "train", "--data", data.toString(), "--run-dir", tmp.resolve("r").toString()
        };
        assertThat(CliRun.err(concat(train, "--time", "99999999999999h")))
                .contains("at most 8784h")
                .doesNotContain("-2147483648");
        Files.writeString(tmp.resolve("m.yaml"), "model: 0.25\n");
        assertThat(CliRun.err(concat(train, "--config", tmp.resolve("m.yaml").toString())))
                .contains("did you mean model.width: 0.25");
    }

    @Test
    void aNeighbourTableRepeatingOneIdIsRefused() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("n"), 8, 2, 16, 6);
        org.npid.data.ImageDataset train =
                org.npid.data.Datasets.open(data, org.npid.data.Split.TRAIN);
        StringBuilder b = new StringBuilder("id\tsource\tneighbours\n");
        for (int i = 0; i < train.size(); i++) {
            int other = (i + 1) % train.size();
            b.append(i).append('\t').append(Path.of(train.source(i)).toAbsolutePath());
            b.append('\t').append(other).append(',').append(other).append('\n');
        }
        Path tsv = Files.writeString(tmp.resolve("rep.neighbours.tsv"), b.toString());
        String[] train1 = {
            "train",
            "--data",
            data.toString(),
            "--run-dir",
            tmp.resolve("rn").toString(),
            "--quiet",
            "--set",
            "width=0.125",
            "--set",
            "embedding_dim=16",
            "--set",
            "epochs=1",
            "--set",
            "batch_size=16",
            "--set",
            "objective=softmax",
            "--set",
            "knn_k=5",
            "--set",
            "neighbours=2",
            "--set",
            "views=1",
            "--set",
            "neighbour_source=table",
            "--set",
            "neighbour_table=" + tsv,
            "--set",
            "neighbours_from_epoch=1"
        };
        assertThat(CliRun.err(train1)).contains("more than once among the neighbours");
        Files.write(tsv, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, (byte) 0x80, 9, 10});
        assertThat(CliRun.err(train1))
                .contains("is not a neighbour table")
                .doesNotContain("Input length");
    }

    /** NPID_DEVICE is read once per process, so this case runs npid in a JVM of its own. */
    @Test
    void aBadNpidDeviceSaysTheValidValues() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("dev"), 4, 1, 16, 7);
        ProcessBuilder pb =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                Npid.class.getName(),
                                "train",
                                "--data",
                                data.toString(),
                                "--run-dir",
                                tmp.resolve("rd").toString(),
                                "--epochs",
                                "1")
                        .redirectErrorStream(true);
        pb.environment().put("NPID_DEVICE", "banana");
        pb.environment().put("DJL_OFFLINE", "true");
        pb.environment().put("OPT_OUT_TRACKING", "true");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isEqualTo(1);
        assertThat(out)
                .contains("npid: NPID_DEVICE must be auto, cpu or gpu, got \"banana\"")
                .doesNotContain("ExceptionInInitializerError", "\tat ");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
