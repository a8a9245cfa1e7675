package org.npid.results;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One measured row of the results store: {@code results/AREA/NAME.json}, with the command, recipe,
 * seeds, data and split, CPU, date, wall time, figures and what any choice was made on. Figures are
 * kept as the text the measurement printed (e.g. {@code "85.73 ± 0.24 %"}), so no figure is ever
 * re-rounded on its way into a doc.
 *
 * @param id {@code AREA/NAME}, the file's path under the store without {@code .json}
 * @param fields the file's JSON object
 */
public record ResultRow(String id, JsonNode fields) {

    /**
     * The table that shows this row in full (its anchor lives there), or a doc path; null if none.
     */
    public String home() {
        JsonNode home = fields.get("home");
        return home == null || home.isNull() ? null : home.asText();
    }

    /** The HTML anchor of this row in its home table. */
    public String anchor() {
        return "r-" + id.replace('/', '-');
    }

    /**
     * The text of a dotted field ({@code figures.top1}); arrays are joined with ", ".
     *
     * @throws ResultsException naming the row and the field when it has none
     */
    public String text(String path) {
        JsonNode node = fields;
        for (String part : path.split("\\.", -1)) {
            node = node == null ? null : node.get(part);
        }
        if (node == null || node.isNull() || node.isObject()) {
            throw new ResultsException(
                    "results row "
                            + id
                            + " has no field '"
                            + path
                            + "'"
                            + (node != null && node.isObject()
                                    ? " with a value (it is an object)"
                                    : "")
                            + ": add it to results/"
                            + id
                            + ".json or change the table's column");
        }
        if (node.isArray()) {
            List<String> parts = new ArrayList<>();
            node.forEach(n -> parts.add(n.asText()));
            return String.join(", ", parts);
        }
        return node.asText();
    }
}
