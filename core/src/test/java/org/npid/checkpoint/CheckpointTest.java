package org.npid.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.config.TrainConfig;

class CheckpointTest {
    @TempDir Path tmp;

    private static Map<String, Checkpoint.EntryWriter> minimal(Checkpoint.State state) {
        Map<String, Checkpoint.EntryWriter> entries = new LinkedHashMap<>();
        entries.put(Checkpoint.CONFIG, Checkpoint.configWriter(TrainConfig.defaults()));
        entries.put(Checkpoint.STATE, Checkpoint.stateWriter(state));
        return entries;
    }

    @Test
    void writesAtomicallyAndReadsEveryEntryBack() {
        Path file = tmp.resolve("run").resolve(Checkpoint.FILE);
        var state =
                new Checkpoint.State(
                        new Position(3, 7, 1.5, 7),
                        Math.log(2),
                        new Checkpoint.Inputs(new float[] {0.25f}, new float[] {0.5f}, 28));
        Map<String, Checkpoint.EntryWriter> entries = minimal(state);
        entries.put(Checkpoint.NEIGHBOURS, Checkpoint.neighbourWriter(new int[] {0, 1, 1, 0}));
        Checkpoint.write(file, entries);
        assertThat(temporaries(file.getParent())).isEmpty();

        Checkpoint c = Checkpoint.read(file.getParent());
        assertThat(c.path()).isEqualTo(file);
        assertThat(c.state().position()).isEqualTo(new Position(3, 7, 1.5, 7));
        assertThat(c.state().objectiveState()).isEqualTo(Math.log(2));
        assertThat(c.state().inputs().mean()).containsExactly(0.25f);
        assertThat(c.state().inputs().imageSize()).isEqualTo(28);
        assertThat(c.neighbours()).containsExactly(0, 1, 1, 0);
        assertThat(c.config()).isEqualTo(TrainConfig.defaults());
        assertThat(Checkpoint.readForInference(file).has(Checkpoint.NEIGHBOURS)).isFalse();
    }

    @Test
    void readsTheFlatStateOfEarlierVersions() throws Exception {
        Path file = tmp.resolve("old.ckpt");
        Map<String, Checkpoint.EntryWriter> entries = minimal(null);
        String flat =
                "{\"epoch\":2,\"step\":5,\"objectiveState\":\"NaN\",\"lossSum\":3.0,"
                        + "\"lossCount\":5,\"mean\":[0.5,0.4,0.3],\"std\":[0.2,0.2,0.2],"
                        + "\"imageSize\":32}";
        entries.put(Checkpoint.STATE, out -> out.write(flat.getBytes(StandardCharsets.UTF_8)));
        Checkpoint.write(file, entries);
        Checkpoint.State s = Checkpoint.read(file).state();
        assertThat(s.position()).isEqualTo(new Position(2, 5, 3.0, 5));
        assertThat(s.objectiveState()).isNaN();
        assertThat(s.inputs().channels()).isEqualTo(3);
        assertThat(s.inputs().imageSize()).isEqualTo(32);
    }

    @Test
    void aFailedWriteKeepsThePreviousCheckpoint() throws Exception {
        Path file = tmp.resolve(Checkpoint.FILE);
        var state =
                new Checkpoint.State(
                        Position.startOf(1),
                        0,
                        new Checkpoint.Inputs(new float[] {0}, new float[] {1}, 8));
        Checkpoint.write(file, minimal(state));
        byte[] before = Files.readAllBytes(file);
        Map<String, Checkpoint.EntryWriter> failing = minimal(state);
        failing.put(
                Checkpoint.MODEL,
                out -> {
                    throw new java.io.IOException("No space left on device");
                });
        assertThatThrownBy(() -> Checkpoint.write(file, failing))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("previous checkpoint, if any, is intact");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        assertThat(temporaries(file.getParent())).isEmpty();
    }

    @Test
    void missingTruncatedAndForeignFilesSayWhatTheyAre() throws Exception {
        assertThatThrownBy(() -> Checkpoint.read(tmp.resolve("none.ckpt")))
                .hasMessageContaining("does not exist");
        Path foreign = tmp.resolve("foreign.ckpt");
        Checkpoint.write(foreign, Map.of("other.txt", out -> out.write(1)));
        assertThatThrownBy(() -> Checkpoint.read(foreign))
                .hasMessageContaining("has no config.yaml")
                .hasMessageContaining("not an npid checkpoint");
        Path truncated = tmp.resolve("truncated.ckpt");
        Path good = tmp.resolve("good.ckpt");
        Checkpoint.write(
                good,
                minimal(
                        new Checkpoint.State(
                                Position.startOf(0),
                                0,
                                new Checkpoint.Inputs(new float[] {0}, new float[] {1}, 8))));
        byte[] bytes = Files.readAllBytes(good);
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> Checkpoint.read(truncated).state())
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("truncated.ckpt");
    }

    /** Files in {@code dir} left by an atomic write. */
    private static java.util.List<Path> temporaries(Path dir) {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
