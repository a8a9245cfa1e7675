package org.npid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs {@code npid} in this JVM and returns what it printed. */
final class CliRun {
    private CliRun() {}

    /** Standard output of a command that must succeed. */
    static String out(String... args) {
        return capture(true, false, 0, args);
    }

    /** Standard error of a command that must fail with exit code 1. */
    static String err(String... args) {
        return capture(false, true, 1, args);
    }

    /** Both streams, interleaved as a terminal shows them; the exit code must be {@code code}. */
    static String both(int code, String... args) {
        return capture(true, true, code, args);
    }

    private static String capture(boolean out, boolean err, int code, String... args) {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream p = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            if (out) {
                System.setOut(p);
            }
            if (err) {
                System.setErr(p);
            }
            int exit = Npid.execute(args);
            p.flush();
            // On a wrong exit code the output is what explains it.
            assertThat(exit).as(buf.toString(StandardCharsets.UTF_8)).isEqualTo(code);
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
