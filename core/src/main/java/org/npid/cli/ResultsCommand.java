package org.npid.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.npid.results.DocTables;
import org.npid.results.ResultsStore;
import org.npid.results.RunImport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code npid results}: the docs' tables from the committed results store. */
@Command(
        name = "results",
        mixinStandardHelpOptions = true,
        subcommands = ResultsCommand.Add.class,
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

    /** {@code npid results add RUN_DIR --id AREA/NAME}: a row from a run's own files. */
    @Command(
            name = "add",
            mixinStandardHelpOptions = true,
            description = {
                "Add a row to the results store from a finished run directory (provenance.json,"
                        + " config.yaml, metrics.jsonl); an existing row is never replaced."
            })
    static final class Add implements Callable<Integer> {
        @ParentCommand ResultsCommand parent;

        @Parameters(paramLabel = "RUN_DIR")
        Path runDir;

        @Option(names = "--id", required = true, paramLabel = "AREA/NAME")
        String id;

        @Option(
                names = "--command",
                required = true,
                paramLabel = "TEXT",
                description = "The command that made the run, as a reader would type it.")
        String command;

        @Option(
                names = "--chosen-on",
                required = true,
                paramLabel = "TEXT",
                description =
                        "What the run's settings were chosen on: a tuning set, a validation split,"
                                + " the test split, or nothing.")
        String chosenOn;

        @Override
        public Integer call() {
            Path repo = parent.root != null ? parent.root : DocTables.findRoot(Path.of(""));
            Path file =
                    RunImport.add(
                            repo.resolve(ResultsStore.FOLDER),
                            id,
                            RunImport.row(runDir, command, chosenOn));
            parent.spec
                    .commandLine()
                    .getOut()
                    .println(
                            "wrote " + file + " (add it to a table in results/tables/ to show it)");
            return 0;
        }
    }
}
