package org.npid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.npid.data.TestData;
import org.npid.fixtures.SyntheticIdx;
import org.npid.fixtures.TinyRun;

/**
 * Bad input and faults, one row each: what the user does, the exit code, and what the message must
 * say. Every message starts with "npid:", names the file or key, and says what to do; no stack
 * trace reaches the user. To cover a new case, add a row.
 */
class BadInputTest {
    @TempDir static Path tmp;
    static Path data;
    static Path run;

    /** A step that prepares files under tmp before the command runs. */
    interface Setup {
        void apply(Path tmp) throws Exception;
    }

    record Case(String name, Setup setup, List<String> args, int exit, List<String> says) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    static void trainOnce() throws Exception {
        data = SyntheticIdx.write(tmp.resolve("gray"), 16, 4, 16, 2);
        run = tmp.resolve("run");
        TinyRun.run(data, run, 1);
    }

    private static String[] args(String... a) {
        return a;
    }

    private static Case row(String name, Setup setup, String[] args, int exit, String... says) {
        return new Case(name, setup, List.of(args), exit, List.of(says));
    }

    static Stream<Arguments> cases() {
        List<Case> rows = new ArrayList<>();
        rows.add(
                row(
                        "a missing data path",
                        t -> {},
                        args("train", "--data", "@/nope", "--run-dir", "@/r-missing"),
                        1,
                        "does not exist",
                        "nope"));
        rows.add(
                row(
                        "an empty folder",
                        t -> Files.createDirectories(t.resolve("empty")),
                        args("train", "--data", "@/empty", "--run-dir", "@/r-empty"),
                        1,
                        "No images found",
                        "empty"));
        rows.add(
                row(
                        "an unknown config key",
                        t -> {},
                        args("train", "--data", "@/gray", "--set", "epoch=3"),
                        1,
                        "unknown config key 'epoch'",
                        "epochs"));
        rows.add(
                row(
                        "a word where a number belongs, in YAML",
                        t -> Files.writeString(t.resolve("ten.yaml"), "epochs: ten\n"),
                        args("train", "--data", "@/gray", "--config", "@/ten.yaml"),
                        1,
                        "epochs"));
        rows.add(
                row(
                        "an out-of-range value",
                        t -> {},
                        args("train", "--data", "@/gray", "--set", "optimiser.lr=-1"),
                        1,
                        "optimiser.lr: must be positive"));
        rows.add(
                row(
                        "--resume without a checkpoint",
                        t -> {},
                        args("train", "--data", "@/gray", "--run-dir", "@/r-none", "--resume"),
                        1,
                        "no checkpoint",
                        "without --resume"));
        rows.add(
                row(
                        "--resume with another network shape",
                        t -> {},
                        args("train", "--run-dir", "@/run", "--resume", "--set", "width=0.5"),
                        1,
                        "cannot change the network",
                        "another run directory (--run-dir, or --set run_dir=…)"));
        rows.add(
                row(
                        "--resume on other images of the same count",
                        t -> SyntheticIdx.write(t.resolve("other"), 16, 4, 16, 99),
                        args("train", "--run-dir", "@/run", "--resume", "--data", "@/other"),
                        1,
                        "resuming (--resume) on other data",
                        "To resume, set data: ",
                        "(--data ",
                        "other images than the run's"));
        rows.add(
                row(
                        "--resume on a truncated checkpoint",
                        t -> {
                            Path copy = t.resolve("cut");
                            Files.createDirectories(copy);
                            byte[] b = Files.readAllBytes(run.resolve("last.ckpt"));
                            Files.write(copy.resolve("last.ckpt"), Arrays.copyOf(b, b.length / 2));
                            Files.copy(run.resolve("config.yaml"), copy.resolve("config.yaml"));
                        },
                        args("train", "--data", "@/gray", "--run-dir", "@/cut", "--resume"),
                        1,
                        "cut/last.ckpt",
                        "damaged"));
        rows.add(
                row(
                        "a grayscale checkpoint on colour images",
                        t -> {
                            for (String split : new String[] {"train", "test"}) {
                                TestData.write(
                                        TestData.rgb(16, 16, 1),
                                        t.resolve("rgb/" + split + "/a/1.png"));
                                TestData.write(
                                        TestData.rgb(16, 16, 2),
                                        t.resolve("rgb/" + split + "/b/2.png"));
                            }
                        },
                        args("knn", "--checkpoint", "@/run", "--data", "@/rgb"),
                        1,
                        "trained on 1-channel (grayscale) images",
                        "3-channel (colour)"));
        rows.add(
                row(
                        "embed into a missing directory",
                        t -> {},
                        args(
                                "embed",
                                "--checkpoint",
                                "@/run",
                                "--data",
                                "@/gray",
                                "--out",
                                "@/no/such/dir/x.npy"),
                        1,
                        "no/such/dir does not exist",
                        "create it first"));
        rows.add(
                row(
                        "export without a checkpoint",
                        t -> {},
                        args("export", "--checkpoint", "@/no-run", "--out", "@/w.safetensors"),
                        1,
                        "does not exist",
                        "last.ckpt of a run directory"));
        rows.add(
                row(
                        "export onto a directory",
                        t -> Files.createDirectories(t.resolve("outdir")),
                        args("export", "--checkpoint", "@/run", "--out", "@/outdir"),
                        1,
                        "is a directory",
                        "name a file"));
        rows.add(
                row(
                        "a loss that becomes NaN in the first epoch",
                        t -> {},
                        args(
                                "train",
                                "--data",
                                "@/gray",
                                "--run-dir",
                                "@/r-nan",
                                "--set",
                                "width=0.125",
                                "--set",
                                "lr=1e30",
                                "--set",
                                "objective=softmax",
                                "--quiet"),
                        1,
                        "the loss became",
                        "no checkpoint was written yet",
                        "Lower the learning rate (--lr, or --set optimiser.lr=…)"));
        return rows.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void saysWhatHappenedAndWhatToDo(Case c) throws Exception {
        c.setup().apply(tmp);
        String[] args =
                c.args().stream().map(a -> a.replace("@", tmp.toString())).toArray(String[]::new);
        String out = CliRun.both(c.exit(), args);
        assertThat(out).contains("npid:").doesNotContain("\tat ");
        for (String s : c.says()) {
            assertThat(out).contains(s.replace("@", tmp.toString()));
        }
    }
}
