package org.npid.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.npid.train.ProcessFaultException;

/**
 * Resumes a run in a new process, once, after a {@link ProcessFaultException}: the run's process
 * kept computing non-finite values from a finite network, and each time it was seen (three times on
 * long runs, docs/log/EXPERIMENTS.md) the same run resumed in a new process trained on without a
 * fault. The new process is this one's command line with the program arguments of a resume: {@code
 * --resume} added, and {@code --overwrite}, {@code --recipe} and {@code --config} taken out, so
 * that it follows the stored plan (its epochs included) and replaces nothing.
 */
final class FaultRestart {
    /**
     * Set in the new process's environment: it carries the first process's baselines (raw pixels
     * and the untrained network, which a resumed run does not measure again) and stops a second
     * restart, so a fault that a new process repeats ends the run with its message.
     */
    static final String ENV = "NPID_FAULT_RESTART";

    private FaultRestart() {}

    /** Whether this process is itself a restart (a second fault then stops the run). */
    static boolean isRestart() {
        return System.getenv(ENV) != null;
    }

    /** The program arguments that resume the run that {@code original} started. */
    static List<String> resumeArguments(List<String> original) {
        List<String> out = new ArrayList<>();
        boolean resume = false;
        for (int i = 0; i < original.size(); i++) {
            String a = original.get(i);
            if (a.equals("--overwrite")) {
                continue;
            }
            if (a.equals("--recipe") || a.equals("--config") || a.equals("-c")) {
                i++; // and its value
                continue;
            }
            if (a.startsWith("--recipe=") || a.startsWith("--config=") || a.startsWith("-c=")) {
                continue;
            }
            resume |= a.equals("--resume");
            out.add(a);
        }
        if (!resume) {
            out.add("--resume");
        }
        return out;
    }

    /**
     * This process's full command line (the java launcher, its options, the main class) with its
     * program arguments {@code programArgs} replaced by {@code newArgs}; empty when the command
     * line cannot be read or does not end with {@code programArgs} (an embedding program).
     */
    static Optional<List<String>> command(
            ProcessHandle.Info info, List<String> programArgs, List<String> newArgs) {
        Optional<String> java = info.command();
        Optional<String[]> args = info.arguments();
        if (java.isEmpty() || args.isEmpty()) {
            return Optional.empty();
        }
        List<String> all = List.of(args.get());
        int head = all.size() - programArgs.size();
        if (head < 1 || !all.subList(head, all.size()).equals(programArgs)) {
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        out.add(java.get());
        out.addAll(all.subList(0, head));
        out.addAll(newArgs);
        return Optional.of(out);
    }

    /** The environment value that carries the baselines to the new process. */
    static String baselinesValue(double rawPixelsTop1, double untrainedTop1) {
        return String.format(Locale.ROOT, "raw=%s,untrained=%s", rawPixelsTop1, untrainedTop1);
    }

    /**
     * The baselines {@code value} carries: {raw pixels, untrained}, NaN where absent or not a
     * number.
     */
    static double[] baselines(String value) {
        double[] out = {Double.NaN, Double.NaN};
        if (value == null) {
            return out;
        }
        for (String part : value.split(",", -1)) {
            String[] kv = part.split("=", 2);
            if (kv.length != 2) {
                continue;
            }
            try {
                double v = Double.parseDouble(kv[1]);
                if (kv[0].equals("raw")) {
                    out[0] = v;
                } else if (kv[0].equals("untrained")) {
                    out[1] = v;
                }
            } catch (NumberFormatException e) {
                // Not a figure: the summary then says n/a, as for any run that did not measure it.
            }
        }
        return out;
    }

    /** Runs {@code command} with the baselines in its environment; returns its exit code. */
    static int run(List<String> command, ProcessFaultException fault)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().put(ENV, baselinesValue(fault.rawPixelsTop1(), fault.untrainedTop1()));
        return pb.start().waitFor();
    }
}
