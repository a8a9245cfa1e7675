package org.npid.results;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.npid.storage.AtomicFile;

/**
 * Writes the store's tables into the docs between their markers, {@code <!-- results:NAME -->} and
 * {@code <!-- /results -->}, and says which docs differ from what the store generates. Only the
 * text between markers is ever replaced; the prose around it is the author's.
 */
public final class DocTables {
    /** The end marker. */
    public static final String END = "<!-- /results -->";

    private static final Pattern START = Pattern.compile("<!-- results:([A-Za-z0-9_.-]+) -->");

    private DocTables() {}

    /** The repository root above {@code from}: the first folder holding {@code results/tables}. */
    public static Path findRoot(Path from) {
        for (Path p = from.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve(ResultsStore.FOLDER).resolve(ResultsStore.TABLES))) {
                return p;
            }
        }
        throw new ResultsException(
                "no results/tables folder in "
                        + from.toAbsolutePath()
                        + " or above it: run from the npid repository, or give --root");
    }

    /** Every doc that has tables, with the text the store generates for it, by path. */
    public static Map<String, String> generate(Path root) {
        ResultsStore store = ResultsStore.load(root.resolve(ResultsStore.FOLDER));
        Map<String, List<TableSpec>> byDoc = new TreeMap<>();
        for (TableSpec t : store.tables().values()) {
            byDoc.computeIfAbsent(t.doc(), d -> new ArrayList<>()).add(t);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<TableSpec>> e : byDoc.entrySet()) {
            Path file = root.resolve(e.getKey());
            if (!Files.isRegularFile(file)) {
                throw new ResultsException(
                        "table "
                                + e.getValue().get(0).name()
                                + " stands in "
                                + e.getKey()
                                + ", which does not exist: fix its \"doc\"");
            }
            out.put(e.getKey(), fill(e.getKey(), read(file), store));
        }
        return out;
    }

    /** The docs whose committed text differs from what the store generates. */
    public static List<String> stale(Path root) {
        List<String> out = new ArrayList<>();
        generate(root)
                .forEach(
                        (doc, text) -> {
                            if (!text.equals(read(root.resolve(doc)))) {
                                out.add(doc);
                            }
                        });
        return out;
    }

    /** Writes every doc whose tables changed; returns their paths. */
    public static List<String> write(Path root) {
        List<String> changed = new ArrayList<>();
        for (Map.Entry<String, String> e : generate(root).entrySet()) {
            Path file = root.resolve(e.getKey());
            if (!e.getValue().equals(read(file))) {
                try {
                    AtomicFile.writeString(file, e.getValue());
                } catch (IOException x) {
                    throw new UncheckedIOException("cannot write " + file, x);
                }
                changed.add(e.getKey());
            }
        }
        return changed;
    }

    /**
     * {@code text} with each marked block replaced by its table. Every table the store places in
     * {@code doc} needs its marker, and every marker a table.
     */
    public static String fill(String doc, String text, ResultsStore store) {
        StringBuilder out = new StringBuilder();
        Matcher m = START.matcher(text);
        int at = 0;
        List<String> seen = new ArrayList<>();
        while (m.find(at)) {
            String name = m.group(1);
            TableSpec spec = store.table(name);
            if (spec == null || !spec.doc().equals(doc)) {
                throw new ResultsException(
                        doc
                                + " marks a table '"
                                + name
                                + "' that the store "
                                + (spec == null
                                        ? "lacks: add results/tables/" + name + ".json"
                                        : "places in " + spec.doc() + ": fix its \"doc\"")
                                + " or remove the marker");
            }
            int end = text.indexOf(END, m.end());
            if (end < 0) {
                throw new ResultsException(
                        doc + ": the marker of table '" + name + "' has no " + END + " after it");
            }
            out.append(text, at, m.end()).append('\n').append(MarkdownTable.render(spec, store));
            at = end;
            seen.add(name);
        }
        out.append(text.substring(at));
        for (TableSpec t : store.tables().values()) {
            if (t.doc().equals(doc) && !seen.contains(t.name())) {
                throw new ResultsException(
                        doc
                                + " has no marker for table '"
                                + t.name()
                                + "': put <!-- results:"
                                + t.name()
                                + " --> and "
                                + END
                                + " on their own lines where the table goes");
            }
        }
        return out.toString();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
