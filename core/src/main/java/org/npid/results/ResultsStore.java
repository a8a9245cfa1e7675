package org.npid.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The committed results store: {@code results/AREA/NAME.json}, one file per measured row, and
 * {@code results/tables/NAME.json}, one file per generated table. Every figure in a generated table
 * is read from here, so a figure has one home whatever doc shows it.
 */
public final class ResultsStore {
    /** The store's folder under the repository root. */
    public static final String FOLDER = "results";

    static final String TABLES = "tables";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, ResultRow> rows;
    private final Map<String, TableSpec> tables;

    ResultsStore(Map<String, ResultRow> rows, Map<String, TableSpec> tables) {
        this.rows = Collections.unmodifiableMap(new TreeMap<>(rows));
        this.tables = Collections.unmodifiableMap(new TreeMap<>(tables));
    }

    /** Reads the store in {@code dir} (a repository's {@code results/}). */
    public static ResultsStore load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ResultsException(
                    "no results store at "
                            + dir
                            + ": run from the repository root, or give --root");
        }
        Map<String, ResultRow> rows = new TreeMap<>();
        Map<String, TableSpec> tables = new TreeMap<>();
        for (Path file : jsonFiles(dir)) {
            String rel = dir.relativize(file).toString().replace('\\', '/');
            String id = rel.substring(0, rel.length() - ".json".length());
            JsonNode json = read(file);
            if (id.startsWith(TABLES + "/")) {
                String name = id.substring(TABLES.length() + 1);
                tables.put(name, TableSpec.fromJson(name, json));
            } else {
                if (!json.isObject()) {
                    throw new ResultsException(
                            file + " is not a JSON object: a results row is one object of fields");
                }
                rows.put(id, new ResultRow(id, json));
            }
        }
        return new ResultsStore(rows, tables);
    }

    /** The row with this id. */
    public ResultRow row(String id, String neededBy) {
        ResultRow row = rows.get(id);
        if (row == null) {
            throw new ResultsException(
                    neededBy
                            + " names results row '"
                            + id
                            + "', but there is no results/"
                            + id
                            + ".json: add the row or remove it from the table");
        }
        return row;
    }

    public Map<String, ResultRow> rows() {
        return rows;
    }

    public Map<String, TableSpec> tables() {
        return tables;
    }

    /** The table called {@code name}, or null. */
    TableSpec table(String name) {
        return tables.get(name);
    }

    private static List<Path> jsonFiles(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> out = new ArrayList<>();
            files.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the results store " + dir, e);
        }
    }

    private static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ResultsException(file + " is not valid JSON: " + e.getMessage(), e);
        }
    }
}
