package org.npid.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.npid.storage.AtomicFile;

/**
 * A results row from a run directory's own files: {@code provenance.json} (CPU, date, seed, data,
 * image counts), {@code config.yaml} (whether kNN scored a validation split) and {@code
 * metrics.jsonl} (the untrained and the trained network's recomputed kNN, the epochs). What the
 * files do not record, the command and what the settings were chosen on, the caller gives.
 */
public final class RunImport {
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Pattern CPU =
            Pattern.compile("(\\S+) family (\\d+) model (\\d+)(?: \\(([^)]*)\\))?.*");

    private RunImport() {}

    /** The row for {@code runDir}, with the given command and choice label. */
    public static ObjectNode row(Path runDir, String command, String chosenOn) {
        JsonNode prov = readJson(runDir.resolve("provenance.json"));
        JsonNode config = readYaml(runDir.resolve("config.yaml"));
        List<String> metrics = lines(runDir.resolve("metrics.jsonl"));
        ObjectNode row = JSON.createObjectNode();
        row.put("command", command);
        row.putArray("seeds").add(prov.path("seed").asLong());
        row.put("data", prov.path("data").asText());
        row.put("images", String.format(Locale.ROOT, "%,d", prov.path("trainImages").asInt()));
        double share = config.path("evaluation").path("validation").asDouble(0);
        int queries = prov.path("testImages").asInt();
        row.put(
                "split",
                share > 0
                        ? String.format(
                                Locale.ROOT,
                                "a validation split: %,d training images held out (%s of each"
                                        + " class, seed %d), not trained on",
                                queries,
                                trim(share),
                                prov.path("seed").asLong())
                        : String.format(Locale.ROOT, "the test split (%,d images)", queries));
        row.set("cpu", cpu(prov.path("cpu").asText()));
        row.put(
                "date",
                prov.path("created").asText().replaceFirst("T(\\d\\d:\\d\\d).*", " $1 UTC"));
        row.put("chosen_on", chosenOn);
        row.put("source", "npid results add " + runDir.getFileName());
        ObjectNode figures = row.putObject("figures");
        double training = 0;
        JsonNode first = null;
        JsonNode last = null;
        for (String line : metrics) {
            JsonNode m = readJson(line, runDir.resolve("metrics.jsonl"));
            training += m.path("epochSeconds").asDouble(0);
            first = first == null ? m : first;
            last = m;
        }
        if (last == null || !Double.isFinite(last.path("recomputedTop1").asDouble(Double.NaN))) {
            throw new ResultsException(
                    runDir
                            + "/metrics.jsonl has no final recomputed kNN: import a finished run"
                            + " that had a labelled test or validation split");
        }
        if (first.path("epoch").asInt() == 0) {
            figures.put("untrained", percent(first.path("recomputedTop1")));
        }
        figures.put("trained", percent(last.path("recomputedTop1")));
        figures.put("trained_1nn", percent(last.path("recomputedNn1")));
        figures.put("epochs", last.path("epoch").asInt());
        row.put("training_seconds", String.format(Locale.ROOT, "%.1f s", training));
        return row;
    }

    /**
     * Writes {@code row} as {@code store/ID.json}; never replaces a file.
     *
     * @return the file written
     */
    public static Path add(Path store, String id, ObjectNode row) {
        if (!id.matches("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+")
                || id.startsWith(ResultsStore.TABLES + "/")) {
            throw new ResultsException(
                    "a row id is AREA/NAME of letters, digits, '.', '_' and '-' (not under tables/),"
                            + " got '"
                            + id
                            + "'");
        }
        Path file = store.resolve(id + ".json");
        if (Files.exists(file)) {
            throw new ResultsException(
                    file + " exists: a stored row is not replaced; choose another id or edit it");
        }
        try {
            Files.createDirectories(file.getParent());
            AtomicFile.writeString(file, JSON.writeValueAsString(row) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    private static ObjectNode cpu(String text) {
        ObjectNode cpu = JSON.createObjectNode();
        Matcher m = CPU.matcher(text);
        if (m.matches()) {
            cpu.put("vendor", m.group(1));
            cpu.put("family", Integer.parseInt(m.group(2)));
            cpu.put("model", Integer.parseInt(m.group(3)));
            cpu.put("name", m.group(4) == null ? "" : m.group(4));
        } else {
            cpu.put("name", text);
        }
        return cpu;
    }

    private static String percent(JsonNode fraction) {
        return String.format(Locale.ROOT, "%.2f %%", 100 * fraction.asDouble());
    }

    private static String trim(double share) {
        return String.format(Locale.ROOT, "%.3g", share);
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ResultsException(
                    "cannot read "
                            + file
                            + " ("
                            + e.getMessage()
                            + "): give a run directory that npid train wrote",
                    e);
        }
    }

    private static JsonNode readJson(String line, Path file) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new ResultsException(file + " has a line that is not JSON: " + line, e);
        }
    }

    private static JsonNode readYaml(Path file) {
        try {
            return new YAMLMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new ResultsException(
                    "cannot read " + file + " (" + e.getMessage() + "): give a run directory", e);
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isBlank())
                    .toList();
        } catch (IOException e) {
            throw new ResultsException("cannot read " + file + ": give a run directory", e);
        }
    }
}
