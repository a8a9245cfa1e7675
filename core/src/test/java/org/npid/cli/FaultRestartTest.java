package org.npid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FaultRestartTest {
    @Test
    void theNewProcessResumesWithTheStoredPlanAndReplacesNothing() {
        assertThat(
                        FaultRestart.resumeArguments(
                                List.of(
                                        "train",
                                        "--data",
                                        "photos",
                                        "--recipe",
                                        "auto",
                                        "--overwrite",
                                        "-c",
                                        "my.yaml",
                                        "--config=x.yaml",
                                        "--recipe=fast",
                                        "--time",
                                        "10m",
                                        "--quiet")))
                .containsExactly(
                        "train", "--data", "photos", "--time", "10m", "--quiet", "--resume");
        assertThat(FaultRestart.resumeArguments(List.of("train", "--resume", "--run-dir", "r")))
                .containsExactly("train", "--resume", "--run-dir", "r");
    }

    @Test
    void theCommandLineKeepsTheJvmAndItsOptionsAndReplacesTheProgramArguments() {
        ProcessHandle.Info info =
                info(
                        "/usr/bin/java",
                        "-Xmx8g",
                        "-cp",
                        "a.jar",
                        "org.npid.cli.Npid",
                        "train",
                        "--data",
                        "d");
        assertThat(
                        FaultRestart.command(
                                info,
                                List.of("train", "--data", "d"),
                                List.of("train", "--data", "d", "--resume")))
                .contains(
                        List.of(
                                "/usr/bin/java",
                                "-Xmx8g",
                                "-cp",
                                "a.jar",
                                "org.npid.cli.Npid",
                                "train",
                                "--data",
                                "d",
                                "--resume"));
        // A program that embeds npid (its own arguments differ): no restart.
        assertThat(FaultRestart.command(info, List.of("train", "--data", "e"), List.of("x")))
                .isEmpty();
        assertThat(FaultRestart.command(info("/usr/bin/java"), List.of("train"), List.of("x")))
                .isEmpty();
    }

    @Test
    void theBaselinesTravelThroughTheEnvironment() {
        assertThat(FaultRestart.baselines(FaultRestart.baselinesValue(0.248, 0.226)))
                .containsExactly(0.248, 0.226);
        assertThat(FaultRestart.baselines(FaultRestart.baselinesValue(Double.NaN, 0.5)))
                .containsExactly(Double.NaN, 0.5);
        assertThat(FaultRestart.baselines(null)).containsExactly(Double.NaN, Double.NaN);
        assertThat(FaultRestart.baselines("raw=oops,untrained"))
                .containsExactly(Double.NaN, Double.NaN);
    }

    /** A process's info with the launcher {@code command} and the arguments after it. */
    private static ProcessHandle.Info info(String command, String... args) {
        return new ProcessHandle.Info() {
            @Override
            public Optional<String> command() {
                return Optional.of(command);
            }

            @Override
            public Optional<String> commandLine() {
                return Optional.empty();
            }

            @Override
            public Optional<String[]> arguments() {
                return args.length == 0 ? Optional.empty() : Optional.of(args);
            }

            @Override
            public Optional<Instant> startInstant() {
                return Optional.empty();
            }

            @Override
            public Optional<Duration> totalCpuDuration() {
                return Optional.empty();
            }

            @Override
            public Optional<String> user() {
                return Optional.empty();
            }
        };
    }
}
