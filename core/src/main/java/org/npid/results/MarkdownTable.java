package org.npid.results;

import java.nio.file.Path;

/**
 * Renders a {@link TableSpec} from the store as a Markdown table. A row shown in its home table
 * gets an HTML anchor in its first cell, so other docs link to the row itself.
 */
public final class MarkdownTable {
    private MarkdownTable() {}

    /** The table's lines, each ending in a newline. */
    public static String render(TableSpec spec, ResultsStore store) {
        StringBuilder out = new StringBuilder("|");
        StringBuilder rule = new StringBuilder("|");
        for (TableSpec.Column c : spec.columns()) {
            out.append(' ').append(c.header()).append(" |");
            rule.append(c.right() ? "---:|" : "---|");
        }
        out.append('\n').append(rule).append('\n');
        for (String id : spec.rows()) {
            ResultRow row = store.row(id, "results/tables/" + spec.name() + ".json");
            out.append('|');
            boolean first = true;
            for (TableSpec.Column c : spec.columns()) {
                String cell = fill(c, row, spec, store);
                if (first && spec.name().equals(row.home())) {
                    cell = "<a id=\"" + row.anchor() + "\"></a>" + cell;
                }
                first = false;
                out.append(' ').append(cell).append(" |");
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String fill(
            TableSpec.Column column, ResultRow row, TableSpec spec, ResultsStore store) {
        String template = column.cell();
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            char ch = template.charAt(i);
            if (ch == '{' && i + 1 < template.length() && template.charAt(i + 1) == '{') {
                out.append('{');
                i += 2;
            } else if (ch == '{') {
                int end = template.indexOf('}', i);
                if (end < 0) {
                    throw new ResultsException(
                            "results/tables/"
                                    + spec.name()
                                    + ".json, column '"
                                    + column.header()
                                    + "': a '{' without its '}' (write {{ for a brace)");
                }
                String field = template.substring(i + 1, end);
                if ("@source".equals(field)) {
                    out.append(link(row, spec, store));
                } else if (field.startsWith("=")) {
                    // A field that is itself a template over its row: a summary quoting figures.
                    String inner = fieldText(row, field.substring(1), spec, column);
                    out.append(
                            fill(
                                    new TableSpec.Column(column.header(), inner, false),
                                    row,
                                    spec,
                                    store));
                } else {
                    out.append(fieldText(row, field, spec, column));
                }
                i = end + 1;
            } else {
                out.append(ch);
                i++;
            }
        }
        return out.toString();
    }

    private static String fieldText(
            ResultRow row, String field, TableSpec spec, TableSpec.Column column) {
        try {
            return row.text(field);
        } catch (ResultsException e) {
            throw new ResultsException(
                    e.getMessage()
                            + " (table "
                            + spec.name()
                            + ", column '"
                            + column.header()
                            + "')",
                    e);
        }
    }

    /**
     * {@code [RESULTS](docs/RESULTS.md#r-…)}, relative to the doc the table stands in; a home that
     * is a doc path (with or without its {@code #section}) links there.
     */
    private static String link(ResultRow row, TableSpec spec, ResultsStore store) {
        String home = row.home();
        if (home == null) {
            throw new ResultsException(
                    "results row "
                            + row.id()
                            + " has no \"home\" for {@source} in table "
                            + spec.name()
                            + ": name the table that shows it in full, or a doc path");
        }
        TableSpec homeTable = store.table(home);
        String target = homeTable != null ? homeTable.doc() : home;
        String anchor = homeTable != null ? "#" + row.anchor() : "";
        int hash = target.indexOf('#');
        if (hash >= 0) {
            // A home given as a doc's section: docs/BENCHMARKS.md#heading.
            anchor = target.substring(hash);
            target = target.substring(0, hash);
        }
        Path from = Path.of(spec.doc()).getParent();
        String rel =
                (from == null ? Path.of(target) : from.relativize(Path.of(target)))
                        .toString()
                        .replace('\\', '/');
        String label = Path.of(target).getFileName().toString().replaceFirst("\\.md$", "");
        return "[" + label + "](" + rel + anchor + ")";
    }
}
