package org.npid.train;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.npid.storage.AtomicFile;

/**
 * A run's folder: {@code config.yaml} (the resolved config), {@code provenance.json} (software,
 * machine, data), {@code metrics.jsonl} (one row per epoch) and the checkpoint.
 */
final class RunDirectory {
    static final String METRICS = "metrics.jsonl";
    private static final ObjectMapper JSON =
            new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private final Path dir;
    private final List<String> rows = new ArrayList<>();

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

    /**
     * A re-plan after epoch {@code done}: the plan that ran until now stays readable as {@code
     * config.until-epoch-N.yaml}, and {@code config.yaml} becomes the new one, which the rest of
     * the run follows.
     */
    void replan(TrainConfig before, TrainConfig after, int done) throws IOException {
        Files.writeString(dir.resolve(replanned(done)), before.toYaml());
        writeConfig(after);
    }

    /** The file that keeps the plan a re-plan after epoch {@code done} replaced. */
    static String replanned(int done) {
        return "config.until-epoch-" + done + ".yaml";
    }

    /** The checkpoint to resume from, read once; an error that says what to do when missing. */
    Checkpoint resumePoint() {
        if (!Files.exists(checkpoint())) {
            throw new TrainingException(
                    "nothing to resume (resume): no checkpoint at "
                            + checkpoint()
                            + "; start the run without resuming it");
        }
        return Checkpoint.read(checkpoint());
    }

    /**
     * Refuses to start a new run over one that holds a checkpoint: starting afresh replaces the
     * checkpoint and the metrics, which a forgotten resume would throw away.
     */
    void refuseToReplace(boolean overwrite) {
        String other = overwrite ? null : otherFile();
        if (other != null) {
            throw new TrainingException(
                    "run directory "
                            + dir
                            + " holds files that are not an npid run (e.g. "
                            + other
                            + ") and no run, so nothing is written there: choose a new or empty"
                            + " run directory (run_dir), or write the run beside those files"
                            + " (overwrite), which leaves them alone but replaces any of npid's"
                            + " own names there (config.yaml, provenance.json, "
                            + METRICS
                            + ", "
                            + Checkpoint.FILE
                            + ")");
        }
        if (!overwrite && Files.exists(checkpoint())) {
            throw new TrainingException(
                    "run directory "
                            + dir
                            + " already holds a run (its checkpoint "
                            + Checkpoint.FILE
                            + "): resume it, start over with overwrite (which replaces its"
                            + " checkpoint and metrics), or choose another run directory");
        }
    }

    /** Whether {@code name} is one of the files a run writes into its directory. */
    static boolean ours(String name) {
        return name.equals(Checkpoint.FILE)
                || name.equals(Checkpoint.FILE + ".tmp")
                || name.equals("config.yaml")
                || name.matches("config\\.until-epoch-\\d+\\.yaml")
                || name.equals("provenance.json")
                || name.equals(METRICS)
                || name.equals(METRICS + ".tmp")
                || name.equals(RunLock.FILE)
                || name.equals("report.html");
    }

    /**
     * A file of the directory that a run does not write, when the directory holds no run (none of
     * the files that show one started: checkpoint, provenance, metrics); else null.
     */
    private String otherFile() {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (var entries = Files.list(dir)) {
            List<String> names = entries.map(p -> p.getFileName().toString()).sorted().toList();
            boolean run =
                    names.contains(Checkpoint.FILE)
                            || names.contains("provenance.json")
                            || names.contains(METRICS);
            return run ? null : names.stream().filter(n -> !ours(n)).findFirst().orElse(null);
        } catch (IOException e) {
            throw new TrainingException(
                    "cannot list run directory "
                            + dir
                            + " ("
                            + e.getMessage()
                            + "): choose a readable run directory (run_dir)",
                    e);
        }
    }

    /**
     * Writes the config and provenance and sets up the metrics rows. A fresh run ({@code saved}
     * null) starts a new metrics file. A resumed one takes its rows from the checkpoint, which
     * commits each epoch's row with the epoch, so a row that a crash kept out of metrics.jsonl
     * comes back and a row of an epoch that was not saved goes; a checkpoint of an earlier version
     * has no rows, and then the file's rows of the saved epochs are kept, a cut-off last one
     * dropped.
     *
     * @return warnings about rows that were repaired
     */
    List<String> prepare(RunPlan plan, Checkpoint saved) {
        List<String> warnings = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            Path metrics = dir.resolve(METRICS);
            rows.clear();
            if (saved == null) {
                Files.deleteIfExists(metrics);
            } else {
                String file =
                        Files.exists(metrics)
                                ? Files.readString(metrics, StandardCharsets.UTF_8)
                                : "";
                String committed = saved.metrics();
                if (committed != null) {
                    committed.lines().filter(l -> !l.isBlank()).forEach(rows::add);
                } else {
                    rows.addAll(savedRows(file, saved.state().position(), warnings));
                }
                if (!rowsText().equals(file)) {
                    if (committed != null) {
                        warnings.add(
                                "warning: "
                                        + metrics
                                        + " did not hold the rows of the saved epochs; rebuilt"
                                        + " from the checkpoint ("
                                        + rows.size()
                                        + " rows)");
                    }
                    AtomicFile.writeString(metrics, rowsText());
                }
            }
            writeConfig(plan.config());
            Files.writeString(
                    dir.resolve("provenance.json"),
                    JSON.writerWithDefaultPrettyPrinter()
                            .writeValueAsString(Provenance.capture(plan)));
        } catch (IOException e) {
            throw new TrainingException(
                    "cannot write to run directory "
                            + dir
                            + " ("
                            + e.getMessage()
                            + "): choose a writable run directory (run_dir)",
                    e);
        }
        return warnings;
    }

    /**
     * The rows of the epochs up to {@code at} in a metrics file; what does not parse is dropped.
     */
    private List<String> savedRows(String file, Position at, List<String> warnings) {
        List<String> kept = new ArrayList<>();
        for (String line : file.lines().toList()) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode row;
            try {
                row = JSON.readTree(line);
            } catch (IOException e) {
                row = null;
            }
            if (row == null || !row.path("epoch").isInt()) {
                warnings.add(
                        "warning: dropped a row of "
                                + dir.resolve(METRICS)
                                + " that is cut off or not JSON (a crash while it was written): "
                                + (line.length() > 60 ? line.substring(0, 60) + "..." : line));
                continue;
            }
            if (row.path("epoch").asInt() <= at.epoch()) {
                kept.add(line);
            }
        }
        return kept;
    }

    /** The rows so far, as the text of metrics.jsonl. */
    String rowsText() {
        StringBuilder text = new StringBuilder();
        for (String row : rows) {
            text.append(row).append('\n');
        }
        return text.toString();
    }

    /** Adds one epoch's row to the rows the next checkpoint commits. */
    void add(EpochMetrics row) {
        try {
            rows.add(JSON.writeValueAsString(row));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write the metrics row of epoch " + row.epoch(), e);
        }
    }

    /**
     * Appends the last row to metrics.jsonl. When this fails (a full disk) the row is still in the
     * checkpoint, and a resume writes it back.
     */
    void appendLast() {
        try {
            Files.write(
                    dir.resolve(METRICS),
                    (rows.get(rows.size() - 1) + "\n").getBytes(StandardCharsets.UTF_8),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot append to "
                            + dir.resolve(METRICS)
                            + " ("
                            + e.getMessage()
                            + "); the checkpoint holds the row: free space and resume",
                    e);
        }
    }
}
