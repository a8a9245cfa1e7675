package org.npid.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.npid.report.RunReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code npid report}: one self-contained HTML page for a run. */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description = {
            "Write one self-contained HTML page for a training run: loss and kNN curves,"
                    + " best/worst retrievals, a 2-D map of the embeddings, per-class accuracy,"
                    + " the confusion matrix, config and provenance."
        })
final class ReportCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin NativeThreads threads;

    @Option(names = "--run-dir", required = true, paramLabel = "DIR")
    Path runDir;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "PATH",
            description = "The run's labelled data.")
    Path data;

    @Option(
            names = "--out",
            paramLabel = "FILE.html",
            description = "Default: RUN_DIR/report.html.")
    Path out;

    @Option(
            names = "--overwrite",
            description = "Replace an existing file at OUT that npid did not write.")
    boolean overwrite;

    @Override
    public Integer call() {
        Path target = out != null ? out : runDir.resolve("report.html");
        OutputFiles.check(target, overwrite, OutputFiles.report(), List.of(data, runDir));
        threads.apply();
        var err = spec.commandLine().getErr();
        Path html = RunReport.write(runDir, data, target, err::println);
        spec.commandLine().getOut().println("wrote " + html);
        return 0;
    }
}
