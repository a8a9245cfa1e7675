package org.npid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpidCliTest {
    @TempDir Path tmp;

    private static String run(int expectedCode, String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream p = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(p);
            System.setErr(p);
            assertThat(Npid.execute(args)).isEqualTo(expectedCode);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpListsEveryCommand() {
        String help = run(0, "--help");
        assertThat(help).contains("train", "knn", "bench");
        assertThat(run(0, "train", "--help")).contains("--recipe", "--resume", "--set");
    }

    @Test
    void missingDataGivesAClearErrorNotAStackTrace() {
        String out =
                run(
                        1,
                        "train",
                        "--data",
                        tmp.resolve("nope").toString(),
                        "--run-dir",
                        tmp.toString());
        assertThat(out).contains("npid:").contains("nope").doesNotContain("\tat ");
    }

    @Test
    void unknownConfigKeyIsNamed() {
        String out = run(1, "train", "--data", "x", "--set", "epoch=3");
        assertThat(out).contains("unknown config key 'epoch'");
    }

    @Test
    void benchQuickWritesValidJson() throws Exception {
        Path json = tmp.resolve("bench.json");
        String out =
                run(
                        0,
                        "bench",
                        "--quick",
                        "--out",
                        json.toString(),
                        "--fashion-mnist",
                        tmp.resolve("none").toString());
        assertThat(out).contains("training step").contains("kNN");
        var tree =
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(Files.readString(json));
        assertThat(tree.path("steps").size())
                .isEqualTo(org.npid.bench.StepBench.Objective.values().length);
        assertThat(tree.path("steps").get(0).path("imagesPerSecond").path("median").asDouble())
                .isPositive();
        assertThat(tree.path("machine").path("cores").asInt()).isPositive();
    }
}
