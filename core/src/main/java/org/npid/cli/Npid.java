package org.npid.cli;

import java.util.Locale;
import org.npid.machine.RuntimeRecord;
import org.npid.model.Devices;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code npid} command. Every subcommand parses its options, calls one library method and
 * prints the result; the work lives in the library packages.
 */
@Command(
        name = "npid",
        mixinStandardHelpOptions = true,
        versionProvider = Npid.Version.class,
        description = {
            "Unsupervised feature learning by non-parametric instance discrimination",
            "(Wu, Xiong, Yu, Lin, CVPR 2018), on the JVM.",
            "",
            "Start with:  npid train --data /path/to/images   (any size, 10 minutes; --time 1h)"
        },
        subcommands = {
            TrainCommand.class,
            KnnCommand.class,
            BenchCommand.class,
            EmbedCommand.class,
            ExportCommand.class,
            ExperimentCommand.class,
            SearchCommand.class,
            ProbeCommand.class,
            FineTuneCommand.class,
            ReportCommand.class,
            ServeCommand.class,
            ResultsCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Npid implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(
            names = "--device",
            scope = CommandLine.ScopeType.INHERIT,
            paramLabel = "auto|cpu|gpu",
            description =
                    "Where the network runs: auto (a GPU when one is visible, else the CPU),"
                            + " cpu, or gpu (an error if none is visible). Default: NPID_DEVICE,"
                            + " else auto.")
    void setDevice(Devices.Choice device) {
        Devices.choose(device);
        RuntimeRecord.chooseDevice(Devices.choice().name());
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (used by tests). */
    public static int execute(String... args) {
        // The one runtime record: built and applied before any command touches a tensor.
        RuntimeRecord.fromEnvironment().apply();
        Locale.setDefault(Locale.ROOT);
        CommandLine cli = new CommandLine(new Npid()).setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> {
                    commandLine.getErr().println("npid: " + message(e));
                    if (Boolean.getBoolean("npid.debug")) {
                        e.printStackTrace(commandLine.getErr());
                    }
                    return 1;
                });
        return cli.execute(args);
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        // Library errors name configuration keys; the user of this CLI reads the flags.
        m = m == null ? e.toString() : FlagNames.apply(m);
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ai.djl.engine.EngineException) {
                return m + engineHint();
            }
        }
        return m;
    }

    /** What to try when the engine would not start: it depends on where libtorch came from. */
    private static String engineHint() {
        if (System.getenv("PYTORCH_LIBRARY_PATH") != null) {
            return " (PyTorch could not be loaded from PYTORCH_LIBRARY_PATH="
                    + System.getenv("PYTORCH_LIBRARY_PATH")
                    + ": run tools/build-jni.sh against that install, and set PYTORCH_VERSION,"
                    + " PYTORCH_FLAVOR and LD_LIBRARY_PATH as it prints; or unset it for the"
                    + " bundled CPU build)";
        }
        if (Boolean.getBoolean("npid.online")) {
            return " (NPID_TORCH=download: DJL could not fetch libtorch; it needs access to"
                    + " https://publish.djl.ai. Unset NPID_TORCH for the bundled CPU build, or"
                    + " use an installed PyTorch with PYTORCH_LIBRARY_PATH and"
                    + " tools/build-jni.sh)";
        }
        return "";
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Npid.class.getPackage().getImplementationVersion();
            return new String[] {"npid " + (v == null ? "dev" : v)};
        }
    }
}
