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
