package org.npid.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.npid.results.DocTables;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code npid results}: the docs' tables from the committed results store. */
@Command(
        name = "results",
        mixinStandardHelpOptions = true,
        description = {
            "Check that the tables in README.md and docs/*.md are what the results store"
                    + " (results/AREA/ROW.json, results/tables/TABLE.json) generates, or write them"
                    + " with --write-docs. Only the text between <!-- results:TABLE --> and <!--"
                    + " /results --> is replaced."
        })
final class ResultsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--root",
            paramLabel = "DIR",
            description = "The repository root (default: the first folder up that has results/).")
    Path root;

    @Option(names = "--write-docs", description = "Write the generated tables into the docs.")
    boolean write;

    @Override
    public Integer call() {
        Path repo = root != null ? root : DocTables.findRoot(Path.of(""));
        var out = spec.commandLine().getOut();
        if (write) {
            List<String> changed = DocTables.write(repo);
            out.println(
                    changed.isEmpty()
                            ? "every table is up to date"
                            : "wrote " + String.join(", ", changed));
            return 0;
        }
        List<String> stale = DocTables.stale(repo);
        if (stale.isEmpty()) {
            out.println("every table is what the results store generates");
            return 0;
        }
        spec.commandLine()
                .getErr()
                .println(
                        "npid: these docs differ from the results store: "
                                + String.join(", ", stale)
                                + "; run npid results --write-docs (after changing results/, not"
                                + " the tables)");
        return 1;
    }
}
