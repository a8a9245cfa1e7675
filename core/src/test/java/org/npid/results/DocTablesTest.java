package org.npid.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocTablesTest {

    @Test
    void theCommittedDocsAreWhatTheResultsStoreGenerates() {
        // The test runs in core/; the repository root is the folder above with results/tables.
        Path root = DocTables.findRoot(Path.of(""));
        assertThat(DocTables.generate(root)).containsKeys("README.md", "docs/RESULTS.md");
        assertThat(DocTables.stale(root))
                .as(
                        "docs whose tables differ from results/: change the rows in results/ and"
                                + " run npid results --write-docs")
                .isEmpty();
    }

    @Test
    void onlyTheTextBetweenMarkersIsReplaced() throws Exception {
        ResultsStore store = MarkdownTableTest.tiny();
        String doc =
                "# Results\n\nprose before\n<!-- results:recipes -->\nold table\n"
                        + DocTables.END
                        + "\nprose after\n";
        String filled = DocTables.fill("docs/RESULTS.md", doc, store);
        assertThat(filled)
                .startsWith("# Results\n\nprose before\n<!-- results:recipes -->\n| command |")
                .contains(
                        "| <a id=\"r-demo-zen3\"></a>`bin/demo` | 74.17 % | 42 |\n" + DocTables.END)
                .endsWith(DocTables.END + "\nprose after\n")
                .doesNotContain("old table");
        assertThat(DocTables.fill("docs/RESULTS.md", filled, store)).isEqualTo(filled);
    }

    @Test
    void aMissingMarkerAnUnknownOneOrAnUnclosedOneIsAClearError() throws Exception {
        ResultsStore store = MarkdownTableTest.tiny();
        assertThatThrownBy(() -> DocTables.fill("docs/RESULTS.md", "no markers\n", store))
                .isInstanceOf(ResultsException.class)
                .hasMessageContaining("docs/RESULTS.md has no marker for table 'recipes'")
                .hasMessageContaining("<!-- results:recipes -->");
        String unknown =
                "<!-- results:recipes -->\n"
                        + DocTables.END
                        + "\n<!-- results:nothing -->\n"
                        + DocTables.END;
        assertThatThrownBy(() -> DocTables.fill("docs/RESULTS.md", unknown, store))
                .isInstanceOf(ResultsException.class)
                .hasMessageContaining("marks a table 'nothing'")
                .hasMessageContaining("results/tables/nothing.json");
        assertThatThrownBy(
                        () ->
                                DocTables.fill(
                                        "docs/RESULTS.md", "<!-- results:recipes -->\n", store))
                .isInstanceOf(ResultsException.class)
                .hasMessageContaining("has no " + DocTables.END);
    }

    @Test
    void writeRewritesOnlyStaleDocsAndFindsTheRootFromBelow(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("results/tables"));
        Files.createDirectories(dir.resolve("results/demo"));
        Files.createDirectories(dir.resolve("docs/sub"));
        Files.writeString(
                dir.resolve("results/demo/zen3.json"),
                "{\"home\": \"demo\", \"figures\": {\"top1\": \"74.17 %\"}}");
        Files.writeString(
                dir.resolve("results/tables/demo.json"),
                "{\"doc\": \"docs/R.md\", \"columns\": [{\"header\": \"trained\", \"cell\":"
                        + " \"{figures.top1}\"}], \"rows\": [\"demo/zen3\"]}");
        Path doc = dir.resolve("docs/R.md");
        Files.writeString(doc, "<!-- results:demo -->\n" + DocTables.END + "\n");
        assertThat(DocTables.findRoot(dir.resolve("docs/sub"))).isEqualTo(dir.toAbsolutePath());
        assertThat(DocTables.stale(dir)).containsExactly("docs/R.md");
        assertThat(DocTables.write(dir)).containsExactly("docs/R.md");
        assertThat(Files.readString(doc, StandardCharsets.UTF_8))
                .isEqualTo(
                        "<!-- results:demo -->\n| trained |\n|---|\n"
                                + "| <a id=\"r-demo-zen3\"></a>74.17 % |\n"
                                + DocTables.END
                                + "\n");
        assertThat(DocTables.stale(dir)).isEmpty();
        assertThat(DocTables.write(dir)).isEmpty();
    }
}
