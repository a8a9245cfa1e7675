package org.npid.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.npid.checkpoint.Checkpoint;
import org.npid.checkpoint.Position;
import org.npid.config.TrainConfig;

/**
 * A run's folder: {@code config.yaml} (the resolved config), {@code provenance.json} (software,
 * machine, data), {@code metrics.jsonl} (one row per epoch) and the checkpoint.
 */
final class RunDirectory {
    static final String METRICS = "metrics.jsonl";
    private static final ObjectMapper JSON =
            new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private final Path dir;

    RunDirectory(Path dir) {
        this.dir = dir;
    }

    Path path() {
        return dir;
    }

    Path checkpoint() {
        return dir.resolve(Checkpoint.FILE);
    }

    /** Writes the resolved config beside the checkpoints, as {@code config.yaml}. */
    void writeConfig(TrainConfig config) throws IOException {
        Files.writeString(dir.resolve("config.yaml"), config.toYaml());
    }

    /** The checkpoint to resume from, read once; an error that says what to do when missing. */
    Checkpoint resumePoint() {
        if (!Files.exists(checkpoint())) {
            throw new TrainingException(
                    "--resume: no checkpoint at "
                            + checkpoint()
                            + "; run without --resume to start");
        }
        return Checkpoint.read(checkpoint());
    }

    /**
     * Writes the config and provenance. A fresh run ({@code resumeAt} null) starts a new metrics
     * file; a resumed one keeps only the rows of the epochs its checkpoint holds, so a crash
     * between a row and its checkpoint never leaves a row for an epoch that was not saved.
     */
    void prepare(TrainConfig config, RunData data, Position resumeAt) {
        try {
            Files.createDirectories(dir);
            Path metrics = dir.resolve(METRICS);
            if (resumeAt == null) {
                Files.deleteIfExists(metrics);
            } else if (Files.exists(metrics)) {
                List<String> kept = new ArrayList<>();
                for (String line : Files.readAllLines(metrics, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()
                            && JSON.readTree(line).path("epoch").asInt() <= resumeAt.epoch()) {
                        kept.add(line);
                    }
                }
                Files.write(metrics, kept, StandardCharsets.UTF_8);
            }
            writeConfig(config);
            Files.writeString(
                    dir.resolve("provenance.json"),
                    JSON.writerWithDefaultPrettyPrinter()
                            .writeValueAsString(
                                    Provenance.capture(config, data.train(), data.test())));
        } catch (IOException e) {
            throw new TrainingException(
                    "cannot write to run directory "
                            + dir
                            + " ("
                            + e.getMessage()
                            + "): choose a writable --run-dir",
                    e);
        }
    }

    /** Appends one epoch's row to metrics.jsonl. */
    void append(EpochMetrics row) {
        try {
            Files.write(
                    dir.resolve(METRICS),
                    (JSON.writeValueAsString(row) + "\n").getBytes(StandardCharsets.UTF_8),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + dir.resolve(METRICS), e);
        }
    }
}
