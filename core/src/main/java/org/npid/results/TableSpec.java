package org.npid.results;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One generated table: the doc it stands in (between {@code <!-- results:NAME -->} and {@code <!--
 * /results -->}), its columns, and the store rows it shows, in order. Kept as {@code
 * results/tables/NAME.json}.
 *
 * @param name the marker's name
 * @param doc the doc's path from the repository root, e.g. {@code docs/RESULTS.md}
 * @param columns left to right
 * @param rows store row ids, top to bottom
 */
public record TableSpec(String name, String doc, List<Column> columns, List<String> rows) {

    /**
     * One column: its header, and its cell as a template in which {@code {field.path}} is a field
     * of the row, {@code {=field}} a field that is itself a template over the row (a summary
     * quoting the row's figures), and {@code {@source}} a link to the row in its home table.
     *
     * @param header the header text
     * @param cell the template
     * @param right whether the column is right-aligned
     */
    public record Column(String header, String cell, boolean right) {}

    public TableSpec {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
    }

    /** Reads a table file's JSON; {@code name} is the file's name without {@code .json}. */
    static TableSpec fromJson(String name, JsonNode json) {
        String doc = required(name, json, "doc").asText();
        List<Column> columns = new ArrayList<>();
        for (JsonNode c : required(name, json, "columns")) {
            JsonNode header = c.get("header");
            JsonNode cell = c.get("cell");
            if (header == null || cell == null) {
                throw new ResultsException(
                        "results/tables/"
                                + name
                                + ".json: every column needs a \"header\" and a \"cell\" template,"
                                + " got "
                                + c);
            }
            JsonNode align = c.get("align");
            columns.add(
                    new Column(
                            header.asText(),
                            cell.asText(),
                            align != null && "right".equals(align.asText())));
        }
        if (columns.isEmpty()) {
            throw new ResultsException(
                    "results/tables/" + name + ".json has no columns: give at least one");
        }
        List<String> rows = new ArrayList<>();
        required(name, json, "rows").forEach(r -> rows.add(r.asText()));
        return new TableSpec(name, doc, columns, rows);
    }

    private static JsonNode required(String name, JsonNode json, String key) {
        JsonNode value = json.get(key);
        if (value == null || value.isNull()) {
            throw new ResultsException(
                    "results/tables/" + name + ".json has no \"" + key + "\": add it");
        }
        return value;
    }
}
