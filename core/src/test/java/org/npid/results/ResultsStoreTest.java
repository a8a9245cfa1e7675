package org.npid.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsStoreTest {

    @Test
    void rowsAreNamedByTheirPathAndTablesReadFromTheirFolder(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("tables"));
        Files.createDirectories(dir.resolve("auto/sets"));
        Files.writeString(
                dir.resolve("auto/sets/cifar-b.json"), "{\"figures\": {\"trained\": \"38.45 %\"}}");
        Files.writeString(
                dir.resolve("tables/auto.json"),
                "{\"doc\": \"docs/RESULTS.md\", \"columns\": [{\"header\": \"trained\", \"cell\":"
                        + " \"{figures.trained}\", \"align\": \"right\"}], \"rows\":"
                        + " [\"auto/sets/cifar-b\"]}");
        ResultsStore store = ResultsStore.load(dir);
        assertThat(store.rows()).containsOnlyKeys("auto/sets/cifar-b");
        assertThat(store.row("auto/sets/cifar-b", "a test").text("figures.trained"))
                .isEqualTo("38.45 %");
        TableSpec t = store.tables().get("auto");
        assertThat(t.doc()).isEqualTo("docs/RESULTS.md");
        assertThat(t.columns())
                .containsExactly(new TableSpec.Column("trained", "{figures.trained}", true));
        assertThat(t.rows()).containsExactly("auto/sets/cifar-b");
    }

    @Test
    void badFilesAreNamedWithWhatToDo(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> ResultsStore.load(dir.resolve("none")))
                .isInstanceOf(ResultsException.class)
                .hasMessageContaining("no results store at");
        Files.createDirectories(dir.resolve("tables"));
        Files.writeString(dir.resolve("tables/t.json"), "{\"doc\": \"README.md\", \"rows\": []}");
        assertThatThrownBy(() -> ResultsStore.load(dir))
                .isInstanceOf(ResultsException.class)
                .hasMessageContaining("results/tables/t.json has no \"columns\"");
        Files.writeString(dir.resolve("tables/t.json"), "{\"doc\": ");
        assertThatThrownBy(() -> ResultsStore.load(dir))
                .isInstanceOf(ResultsException.class)
                .hasMessageContaining("t.json is not valid JSON");
    }
}
