package org.npid.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --checkpoint FILE} where a command cannot run without one and says nothing more of it. */
final class RequiredCheckpoint {
    @Option(
            names = "--checkpoint",
            required = true,
            paramLabel = "FILE",
            description = "A last.ckpt file, or the run directory holding it.")
    Path file;
}
