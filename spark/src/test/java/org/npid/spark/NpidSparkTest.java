package org.npid.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void embedNeverWritesOverTheFolderAboveItsInput(@TempDir Path tmp) throws Exception {
        System.setProperty("spark.ui.enabled", "false");
        Path images = Files.createDirectories(tmp.resolve("x/test/c0"));
        byte[] png = {1, 2, 3};
        Files.write(images.resolve("0.png"), png);
        String out =
                run(
                        1,
                        "--master",
                        "local[1]",
                        "embed",
                        "--data",
                        tmp.resolve("x/test").toString(),
                        "--checkpoint",
                        "/no/run",
                        "--out",
                        tmp.resolve("x").toString(),
                        "--overwrite");
        assertThat(out).contains("holds the input").contains("outside the input folders");
        assertThat(images.resolve("0.png")).hasBinaryContent(png);
    }

    @Test
    void embedLeavesAUsersFileBesideItsOutAlone(@TempDir Path tmp) throws Exception {
        System.setProperty("spark.ui.enabled", "false");
        Path images = Files.createDirectories(tmp.resolve("x/c0"));
        Files.write(images.resolve("0.png"), new byte[] {1, 2, 3});
        Path npy = Files.writeString(tmp.resolve("emb.npy"), "my notes");
        Path tsv = Files.writeString(tmp.resolve("emb.tsv"), "my table");
        String out =
                run(
                        1,
                        "--master",
                        "local[1]",
                        "embed",
                        "--data",
                        images.getParent().toString(),
                        "--checkpoint",
                        "/no/run",
                        "--out",
                        tmp.resolve("emb").toString());
        assertThat(out)
                .contains(
                        npy + ", which npid-spark writes beside --out, exists and was not written")
                .contains(
                        "pass --overwrite to replace it, choose another --out, or pass --npy never");
        assertThat(npy).hasContent("my notes");
        assertThat(tsv).hasContent("my table");
        assertThat(tmp.resolve("emb")).doesNotExist();
    }

    @Test
    void embedNeverWritesIntoItsInput(@TempDir Path tmp) throws Exception {
        System.setProperty("spark.ui.enabled", "false");
        Path images = Files.createDirectories(tmp.resolve("x/c0"));
        Files.write(images.resolve("0.png"), new byte[] {1, 2, 3});
        String out =
                run(
                        1,
                        "--master",
                        "local[1]",
                        "embed",
                        "--data",
                        tmp.resolve("x").toString(),
                        "--checkpoint",
                        "/no/run",
                        "--out",
                        tmp.resolve("x/emb").toString(),
                        "--npy",
                        "never");
        assertThat(out)
                .contains("--out " + tmp.resolve("x/emb") + " is inside the input")
                .contains("choose an --out outside the input folders");
        try (var files = Files.list(tmp.resolve("x"))) {
            assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("c0");
        }
    }
}
