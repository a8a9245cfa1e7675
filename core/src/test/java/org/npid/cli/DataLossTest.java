package org.npid.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.checkpoint.Checkpoint;
import org.npid.checkpoint.CheckpointException;
import org.npid.config.TrainConfig;
import org.npid.fixtures.SyntheticIdx;
import org.npid.fixtures.TinyRun;
import org.npid.train.NpidTraining;
import org.npid.train.TrainListener;
import org.npid.train.TrainResult;
import org.npid.train.TrainingException;

/**
 * What npid must never lose: a finished run, a metrics row, the user's files; and a damaged
 * checkpoint must be named as damaged. Each test probes one way to lose data, then checks the
 * message and that every file is still there, byte for byte.
 */
class DataLossTest {
    @TempDir static Path tmp;
    static Path data;

    @BeforeAll
    static void makeData() throws IOException {
        data = SyntheticIdx.write(tmp.resolve("data"), 16, 8, 16, 1);
    }

    /** Every file under {@code root}, with a hash of its bytes. */
    private static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (var walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                CRC32 crc = new CRC32();
                byte[] b = Files.readAllBytes(p);
                crc.update(b);
                files.put(root.relativize(p).toString(), b.length + ":" + crc.getValue());
            }
        }
        return files;
    }

    private static Path configFile(TrainConfig config, Path file) throws IOException {
        return Files.writeString(file, config.toYaml());
    }

    private static TrainListener collecting(List<String> messages) {
        return new TrainListener() {
            @Override
            public void onMessage(String m) {
                messages.add(m);
            }
        };
    }

    @Test
    void trainIntoAFinishedRunRefusesUnlessResumeOrOverwrite() throws IOException {
        Path dir = tmp.resolve("finished");
        TrainConfig c = TinyRun.config(data, dir, 2);
        TinyRun.run(data, dir, 2);
        Path yaml = configFile(c, tmp.resolve("finished.yaml"));
        Map<String, String> before = snapshot(dir);

        String err = CliRun.err("train", "--config", yaml.toString(), "--quiet");
        assertThat(err)
                .contains("already holds a run")
                .contains("--resume")
                .contains("--overwrite");
        assertThat(snapshot(dir)).isEqualTo(before);

        assertThatThrownBy(() -> NpidTraining.run(c, false, TrainListener.NONE))
                .isInstanceOf(TrainingException.class)
                .hasMessageContaining("already holds a run")
                .hasMessageContaining("resume it, start over with overwrite");
        assertThat(snapshot(dir)).isEqualTo(before);

        CliRun.out("train", "--config", yaml.toString(), "--quiet", "--overwrite");
        assertThat(Files.readAllLines(dir.resolve(NpidTraining.METRICS))).hasSize(2);
    }

    @Test
    void theCheckpointCommitsEachEpochsMetricsRow() throws IOException {
        Path dir = tmp.resolve("committed");
        TrainResult r = TinyRun.run(data, dir, 2);
        String file = Files.readString(dir.resolve(NpidTraining.METRICS));
        assertThat(Checkpoint.read(r.checkpoint()).metrics()).isEqualTo(file);
        assertThat(file.lines()).hasSize(2);
    }

    @Test
    void aKillBetweenTheCheckpointAndTheMetricsAppendLosesNoRow() throws IOException {
        Path dir = tmp.resolve("killed");
        TinyRun.run(data, dir, 2);
        Path metrics = dir.resolve(NpidTraining.METRICS);
        List<String> rows = Files.readAllLines(metrics);
        // The last epoch's checkpoint was renamed into place, but its row never reached the file.
        Files.write(metrics, rows.subList(0, rows.size() - 1));

        List<String> messages = new ArrayList<>();
        NpidTraining.run(TinyRun.config(data, dir, 3), true, collecting(messages));
        List<String> after = Files.readAllLines(metrics);
        assertThat(after).hasSize(3);
        assertThat(after.subList(0, 2)).isEqualTo(rows);
        assertThat(messages).anyMatch(m -> m.contains("rebuilt from the checkpoint (2 rows)"));
    }

    @Test
    void aCutOffLastRowIsRepairedOnResume() throws IOException {
        Path dir = tmp.resolve("cut");
        TinyRun.run(data, dir, 1);
        Path metrics = dir.resolve(NpidTraining.METRICS);
        List<String> rows = Files.readAllLines(metrics);
        Files.writeString(
                metrics,
                "{\"epoch\":2,\"lo",
                StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);

        List<String> messages = new ArrayList<>();
        NpidTraining.run(TinyRun.config(data, dir, 2), true, collecting(messages));
        List<String> after = Files.readAllLines(metrics);
        assertThat(after).hasSize(2).allMatch(l -> l.startsWith("{") && l.endsWith("}"));
        assertThat(after.subList(0, 1)).isEqualTo(rows);
        assertThat(messages).anyMatch(m -> m.contains("rebuilt from the checkpoint"));
    }

    @Test
    void aCutOffLastRowBesideAnOlderCheckpointIsDroppedWithAWarning() throws IOException {
        Path dir = tmp.resolve("older");
        TinyRun.run(data, dir, 1);
        Path ckpt = dir.resolve(Checkpoint.FILE);
        // A checkpoint of an earlier version: no metrics rows inside.
        rewrite(ckpt, ckpt, false, Set.of(Checkpoint.METRICS));
        Path metrics = dir.resolve(NpidTraining.METRICS);
        List<String> rows = Files.readAllLines(metrics);
        Files.writeString(
                metrics,
                "{\"epoch\":2,\"lo",
                StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);

        List<String> messages = new ArrayList<>();
        NpidTraining.run(TinyRun.config(data, dir, 2), true, collecting(messages));
        List<String> after = Files.readAllLines(metrics);
        assertThat(after).hasSize(2);
        assertThat(after.subList(0, 1)).isEqualTo(rows);
        assertThat(messages).anyMatch(m -> m.contains("dropped a row") && m.contains("cut off"));
    }

    @Test
    void aFlippedByteInStoredWeightsFailsItsCrcForEveryReader() throws IOException {
        Path dir = tmp.resolve("flipped");
        TinyRun.run(data, dir, 1);
        Path ckpt = dir.resolve(Checkpoint.FILE);
        // Stored, not deflated: the inflater cannot notice, only the CRC can.
        rewrite(ckpt, ckpt, true, Set.of());
        flipInside(ckpt, Checkpoint.MODEL);
        Map<String, String> before = snapshot(dir);
        String expected =
                "is corrupt: entry model.params fails its CRC-32; restore it from a copy or"
                        + " retrain";

        assertThatThrownBy(() -> Checkpoint.read(ckpt))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(expected);
        assertThatThrownBy(() -> Checkpoint.readForInference(ckpt)).hasMessageContaining(expected);
        assertThatThrownBy(
                        () ->
                                NpidTraining.run(
                                        TinyRun.config(data, dir, 2), true, TrainListener.NONE))
                .hasMessageContaining(expected);
        assertThat(
                        CliRun.err(
                                "embed",
                                "--checkpoint",
                                ckpt.toString(),
                                "--data",
                                data.toString(),
                                "--out",
                                tmp.resolve("flipped.npy").toString()))
                .contains(expected)
                .doesNotContain("does not match this model");
        assertThat(snapshot(dir)).isEqualTo(before);
    }

    @Test
    void aFlippedByteInDeflatedWeightsIsNamedAsCorruption() throws IOException {
        Path dir = tmp.resolve("deflated");
        TinyRun.run(data, dir, 1);
        Path ckpt = dir.resolve(Checkpoint.FILE);
        flipInside(ckpt, Checkpoint.MODEL);
        assertThatThrownBy(() -> Checkpoint.read(ckpt))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("is corrupt: entry model.params")
                .hasMessageContaining("restore it from a copy or retrain");
    }

    @Test
    void fileWritersRefuseAFileNpidDidNotWriteAndTheirInput() throws IOException {
        Path dir = tmp.resolve("writers");
        Path ckpt = TinyRun.checkpoint(data, dir);
        Path mine = Files.createDirectories(tmp.resolve("mine"));
        Path npy = Files.writeString(mine.resolve("vectors.npy"), "my notes");
        Path weights = Files.writeString(mine.resolve("weights.safetensors"), "my weights");
        Path html = Files.writeString(mine.resolve("report.html"), "<html>my page</html>");
        Path onnx = Files.writeString(mine.resolve("model.onnx"), "my model");
        Map<String, String> before = snapshot(tmp);
        String[][] probes = {
            {
                "embed",
                "--checkpoint",
                ckpt.toString(),
                "--data",
                data.toString(),
                "--out",
                npy.toString()
            },
            {"export", "--checkpoint", ckpt.toString(), "--out", weights.toString()},
            {"export", "--checkpoint", ckpt.toString(), "--out", onnx.toString()},
            {
                "report",
                "--run-dir",
                dir.toString(),
                "--data",
                data.toString(),
                "--out",
                html.toString()
            },
        };
        for (String[] probe : probes) {
            assertThat(CliRun.err(probe))
                    .as(probe[0])
                    .contains("exists and was not written by npid")
                    .contains("pass --overwrite to replace it");
        }
        assertThat(
                        CliRun.err(
                                "embed",
                                "--checkpoint",
                                ckpt.toString(),
                                "--data",
                                data.toString(),
                                "--out",
                                data.toString()))
                .contains("is the input");
        assertThat(snapshot(tmp)).isEqualTo(before);

        // An earlier output of the same command is npid's own: replaced without asking.
        Path ours = tmp.resolve("ours.npy");
        String[] embed = {
            "embed",
            "--checkpoint",
            ckpt.toString(),
            "--data",
            data.toString(),
            "--out",
            ours.toString()
        };
        CliRun.out(embed);
        CliRun.out(embed);
        String[] overwrite = Arrays.copyOf(probes[0], probes[0].length + 1);
        overwrite[overwrite.length - 1] = "--overwrite";
        CliRun.out(overwrite);
        assertThat(Files.readAllBytes(npy)).startsWith((byte) 0x93, (byte) 'N');
    }

    @Test
    void trainIntoAFolderOfOtherFilesRefusesAndOverwriteLeavesThemAlone() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("pictures"));
        Files.writeString(dir.resolve("holiday.jpg"), "my photo");
        Files.writeString(dir.resolve("notes.txt"), "my notes");
        Map<String, String> before = snapshot(dir);
        Path yaml = configFile(TinyRun.config(data, dir, 1), tmp.resolve("pictures.yaml"));

        String err = CliRun.err("train", "--config", yaml.toString(), "--quiet");
        assertThat(err)
                .contains("holds files that are not an npid run (e.g. holiday.jpg)")
                .contains("choose a new or empty run directory (--run-dir")
                .contains("(--overwrite)");
        assertThat(snapshot(dir)).isEqualTo(before);

        CliRun.out("train", "--config", yaml.toString(), "--quiet", "--overwrite");
        assertThat(dir.resolve("last.ckpt")).exists();
        Map<String, String> after = snapshot(dir);
        before.forEach((name, hash) -> assertThat(after).containsEntry(name, hash));

        // A run's folder is a run's folder, files of the user's beside it or not: no refusal.
        assertThat(CliRun.err("train", "--config", yaml.toString(), "--quiet"))
                .contains("already holds a run");
        // A folder of npid's names only (a run stopped before its first file) is accepted.
        Path started = Files.createDirectories(tmp.resolve("started"));
        Files.writeString(started.resolve("config.yaml"), "epochs: 1\n");
        Files.writeString(started.resolve(".lock"), "");
        NpidTraining.run(TinyRun.config(data, started, 1), false, TrainListener.NONE);
        assertThat(started.resolve("last.ckpt")).exists();
    }

    @Test
    void benchAndExperimentLeaveAUsersFilesAlone() throws IOException {
        Path mine = Files.writeString(tmp.resolve("bench.json"), "{\"my\": \"results\"}");
        Path folder = Files.createDirectories(tmp.resolve("myfolder"));
        Files.writeString(folder.resolve("thesis.md"), "my thesis");
        Map<String, String> before = snapshot(tmp);

        assertThat(CliRun.err("bench", "--quick", "--out", mine.toString()))
                .contains("--out " + mine + " (or the file beside it) exists and was not written")
                .contains("not npid bench's JSON")
                .contains("pass --overwrite to replace it");
        assertThat(
                        CliRun.err(
                                "experiment",
                                "table4",
                                "--quick",
                                "--data",
                                data.toString(),
                                "--out",
                                folder.toString()))
                .contains(
                        folder
                                + " holds files that are not an experiment's results (e.g."
                                + " thesis.md, and no settings.txt)")
                .contains("choose a new or empty output directory");
        assertThat(snapshot(tmp)).isEqualTo(before);

        Path ours =
                Files.writeString(
                        tmp.resolve("ours.json"), "{\n  \"machine\" : {\n    \"cores\" : 2\n");
        assertThat(OutputFiles.bench().whyNot(ours)).isNull();
    }

    @Test
    void reportLeavesOutACutOffLastMetricsRowWithAWarning() throws IOException {
        Path dir = tmp.resolve("cutreport");
        TinyRun.run(data, dir, 2);
        Path metrics = dir.resolve(NpidTraining.METRICS);
        List<String> rows = Files.readAllLines(metrics);
        Files.writeString(metrics, String.join("\n", rows) + "\n{\"epoch\":3,\"loss\":2.");
        String both =
                CliRun.both(
                        0,
                        "report",
                        "--run-dir",
                        dir.toString(),
                        "--data",
                        data.toString(),
                        "--out",
                        tmp.resolve("cut.html").toString());
        assertThat(both)
                .contains("warning: the last line of " + metrics + " (line 3) is cut off")
                .contains("the report shows the 2 complete rows")
                .contains("npid train --resume on the run rebuilds metrics.jsonl");

        Files.writeString(metrics, "{\"epoch\":1,\"lo\n" + String.join("\n", rows) + "\n");
        assertThat(
                        CliRun.err(
                                "report",
                                "--run-dir",
                                dir.toString(),
                                "--data",
                                data.toString(),
                                "--out",
                                tmp.resolve("cut2.html").toString()))
                .contains("line 1 of " + metrics + " is not a metrics row")
                .contains("npid train --resume on the run rebuilds metrics.jsonl");
    }

    @Test
    void resumeAfterTheDataFolderChangedSaysWhatChangedAndWhatToDo() throws IOException {
        Path grown = SyntheticIdx.write(tmp.resolve("grown"), 16, 8, 16, 1);
        Path dir = tmp.resolve("grownrun");
        TinyRun.run(grown, dir, 1);
        Map<String, String> before = snapshot(dir);
        SyntheticIdx.write(grown, 17, 8, 16, 1);
        assertThatThrownBy(
                        () ->
                                NpidTraining.run(
                                        TinyRun.config(grown, dir, 2), true, TrainListener.NONE))
                .isInstanceOf(TrainingException.class)
                .hasMessageContaining("on data that changed since the run was saved")
                .hasMessageContaining("68 training images where the run had 64")
                .hasMessageContaining("(images 64 -> 68, fingerprint ")
                .hasMessageContaining("put the folder back as it was")
                .hasMessageContaining("start a new run in another run directory (run_dir)")
                .hasMessageNotContaining("To resume, set data: ");
        assertThat(snapshot(dir)).isEqualTo(before);
    }

    @Test
    void embedSkipsAnImageWhoseHeaderClaimsTooManyPixels() throws Exception {
        Path ckpt = TinyRun.checkpoint(data, tmp.resolve("bombrun"));
        Path folder = tmp.resolve("bomb");
        for (int i = 0; i < 3; i++) {
            java.awt.image.BufferedImage img =
                    new java.awt.image.BufferedImage(
                            16, 16, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
            img.getRaster().setSample(i, i, 0, 200);
            Path f = folder.resolve("train/c0/" + i + ".png");
            Files.createDirectories(f.getParent());
            javax.imageio.ImageIO.write(img, "png", f.toFile());
        }
        Path bomb = Files.write(folder.resolve("train/c0/huge.png"), pngHeaderOnly(20000, 20000));
        assertThat(Files.size(bomb)).isLessThan(100);
        Path npy = tmp.resolve("bomb.npy");
        long start = System.nanoTime();
        String both =
                CliRun.both(
                        0,
                        "embed",
                        "--checkpoint",
                        ckpt.toString(),
                        "--data",
                        folder.toString(),
                        "--out",
                        npy.toString());
        // Decoding 400 M pixels would take gigabytes and many seconds; the header check does not.
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(60_000);
        assertThat(both)
                .contains("huge.png")
                .contains("20000x20000 is 400,000,000 pixels")
                .contains("embedded 3 rows");
    }

    /** A PNG whose header claims {@code width} x {@code height} pixels, under 100 bytes. */
    private static byte[] pngHeaderOnly(int width, int height) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13);
        ihdr.putInt(width).putInt(height);
        ihdr.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        pngChunk(out, "IHDR", ihdr.array());
        java.util.zip.Deflater deflater = new java.util.zip.Deflater();
        deflater.setInput(new byte[64]);
        deflater.finish();
        byte[] idat = new byte[128];
        int n = deflater.deflate(idat);
        deflater.end();
        pngChunk(out, "IDAT", Arrays.copyOf(idat, n));
        pngChunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void pngChunk(java.io.ByteArrayOutputStream out, String type, byte[] data)
            throws IOException {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.write(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(name);
        out.write(data);
        out.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** Copies a checkpoint's entries, stored or deflated, leaving out {@code drop}. */
    private static void rewrite(Path from, Path to, boolean stored, Set<String> drop)
            throws IOException {
        Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(from.toFile())) {
            for (ZipEntry e : Collections.list(zip.entries())) {
                try (InputStream in = zip.getInputStream(e)) {
                    entries.put(e.getName(), in.readAllBytes());
                }
            }
        }
        try (OutputStream file = Files.newOutputStream(to);
                ZipOutputStream zip = new ZipOutputStream(file)) {
            for (var e : entries.entrySet()) {
                if (drop.contains(e.getKey())) {
                    continue;
                }
                ZipEntry entry = new ZipEntry(e.getKey());
                if (stored) {
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(e.getValue().length);
                    entry.setCompressedSize(e.getValue().length);
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
    }

    /** Flips one byte in the middle of {@code name}'s data, as a bad disk sector would. */
    private static void flipInside(Path zip, String name) throws IOException {
        long size;
        try (ZipFile z = new ZipFile(zip.toFile())) {
            size = z.getEntry(name).getCompressedSize();
        }
        byte[] b = Files.readAllBytes(zip);
        byte[] key = name.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + 30 + key.length < b.length; i++) {
            if (b[i] == 'P' && b[i + 1] == 'K' && b[i + 2] == 3 && b[i + 3] == 4) {
                int nameLen = (b[i + 26] & 0xff) | (b[i + 27] & 0xff) << 8;
                int extraLen = (b[i + 28] & 0xff) | (b[i + 29] & 0xff) << 8;
                String found = new String(b, i + 30, nameLen, StandardCharsets.US_ASCII);
                if (found.equals(name)) {
                    int at = i + 30 + nameLen + extraLen + (int) (size / 2);
                    b[at] ^= 0x10;
                    Files.write(zip, b);
                    return;
                }
            }
        }
        throw new AssertionError(name + " not found in " + zip);
    }
}
