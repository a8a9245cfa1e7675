package org.npid.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NpidSparkTest {
    private static String run(int expectedCode, String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(both, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            assertThat(NpidSpark.execute(args)).isEqualTo(expectedCode);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return both.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpNamesTheJobsAndTheEmbeddedDefault() {
        String help = run(0, "--help");
        assertThat(help)
                .contains("embed")
                .contains("knn")
                .contains("neighbours")
                .contains("local[*]");
    }

    @Test
    void aMissingFolderIsNamedWithWhatToDo() {
        System.setProperty("spark.ui.enabled", "false");
        String out =
                run(
                        1,
                        "--master",
                        "local[1]",
                        "embed",
                        "--data",
                        "/no/such/folder",
                        "--checkpoint",
                        "/no/run",
                        "--out",
                        "/tmp/npid-spark-never");
        assertThat(out)
                .contains("npid-spark: no folder at /no/such/folder")
                .contains("give a folder of images");
    }
}
