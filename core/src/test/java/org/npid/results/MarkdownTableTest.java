package org.npid.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MarkdownTableTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static ResultRow row(String id, String json) throws Exception {
        return new ResultRow(id, JSON.readTree(json));
    }

    static ResultsStore tiny() throws Exception {
        ResultRow fm =
                row(
                        "recipes/fm",
                        "{\"command\": \"npid train --recipe fmnist-short\", \"seeds\": [1, 2, 42],"
                                + " \"home\": \"recipes\", \"figures\": {\"top1\": \"85.73 ± 0.24 %\"}}");
        ResultRow demo =
                row(
                        "demo/zen3",
                        "{\"command\": \"bin/demo\", \"seeds\": [42], \"home\": \"recipes\","
                                + " \"figures\": {\"top1\": \"74.17 %\"}}");
        ResultRow search =
                row(
                        "search/1m",
                        "{\"home\": \"docs/SEARCH.md\", \"figures\": {\"recall\": \"0.958\"}}");
        ResultRow step = row("bench/zen5", "{\"home\": \"docs/BENCHMARKS.md#zen-5\"}");
        TableSpec recipes =
                new TableSpec(
                        "recipes",
                        "docs/RESULTS.md",
                        List.of(
                                new TableSpec.Column("command", "`{command}`", false),
                                new TableSpec.Column("top-1", "{figures.top1}", true),
                                new TableSpec.Column("seeds", "{seeds}", false)),
                        List.of("recipes/fm", "demo/zen3"));
        TableSpec readme =
                new TableSpec(
                        "what-you-get",
                        "README.md",
                        List.of(
                                new TableSpec.Column(
                                        "figure", "{figures.top1}{figures.recall}", false),
                                new TableSpec.Column("source", "{@source}", false)),
                        List.of());
        return new ResultsStore(
                Map.of(fm.id(), fm, demo.id(), demo, search.id(), search, step.id(), step),
                Map.of("recipes", recipes, "what-you-get", readme));
    }

    @Test
    void aTinyStoreGivesKnownTableTextWithAnAnchorInEachRowsHomeTable() throws Exception {
        ResultsStore store = tiny();
        assertThat(MarkdownTable.render(store.table("recipes"), store))
                .isEqualTo(
                        "| command | top-1 | seeds |\n"
                                + "|---|---:|---|\n"
                                + "| <a id=\"r-recipes-fm\"></a>`npid train --recipe fmnist-short`"
                                + " | 85.73 ± 0.24 % | 1, 2, 42 |\n"
                                + "| <a id=\"r-demo-zen3\"></a>`bin/demo` | 74.17 % | 42 |\n");
    }

    @Test
    void aSourceLinksToTheRowInItsHomeDocRelativeToTheDocWritten() throws Exception {
        ResultsStore base = tiny();
        TableSpec readme =
                new TableSpec(
                        "what-you-get",
                        "README.md",
                        List.of(new TableSpec.Column("source", "{@source}", false)),
                        List.of("recipes/fm", "search/1m", "bench/zen5"));
        assertThat(MarkdownTable.render(readme, base))
                .isEqualTo(
                        """
                        | source |
                        |---|
                        | [RESULTS](docs/RESULTS.md#r-recipes-fm) |
                        | [SEARCH](docs/SEARCH.md) |
                        | [BENCHMARKS](docs/BENCHMARKS.md#zen-5) |
                        """);
        TableSpec inDocs =
                new TableSpec(
                        "other",
                        "docs/PAPER.md",
                        List.of(new TableSpec.Column("source", "{@source}", false)),
                        List.of("recipes/fm"));
        assertThat(MarkdownTable.render(inDocs, base))
                .isEqualTo("| source |\n|---|\n| [RESULTS](RESULTS.md#r-recipes-fm) |\n");
    }

    @Test
    void aColumnNamingAFieldTheRowLacksIsAClearError() throws Exception {
        ResultsStore store = tiny();
        TableSpec wall =
                new TableSpec(
                        "recipes",
                        "docs/RESULTS.md",
                        List.of(new TableSpec.Column("wall", "{wall}", false)),
                        List.of("recipes/fm"));
        assertThatThrownBy(() -> MarkdownTable.render(wall, store))
                .isInstanceOf(ResultsException.class)
                .hasMessageContaining("results row recipes/fm has no field 'wall'")
                .hasMessageContaining("results/recipes/fm.json")
                .hasMessageContaining("table recipes, column 'wall'");
    }

    @Test
    void aTableNamingARowTheStoreLacksIsAClearError() throws Exception {
        ResultsStore store = tiny();
        TableSpec missing =
                new TableSpec(
                        "recipes",
                        "docs/RESULTS.md",
                        List.of(new TableSpec.Column("c", "{command}", false)),
                        List.of("recipes/gone"));
        assertThatThrownBy(() -> MarkdownTable.render(missing, store))
                .isInstanceOf(ResultsException.class)
                .hasMessageContaining(
                        "results/tables/recipes.json names results row 'recipes/gone'")
                .hasMessageContaining("no results/recipes/gone.json");
    }

    @Test
    void aSummaryFieldIsATemplateOverItsOwnRow() throws Exception {
        ResultRow demo =
                row(
                        "demo/zen3",
                        "{\"summary\": \"trained {figures.top1}, seed {seeds}\", \"seeds\": [42],"
                                + " \"figures\": {\"top1\": \"74.17 %\"}}");
        ResultsStore store = new ResultsStore(Map.of(demo.id(), demo), Map.of());
        TableSpec t =
                new TableSpec(
                        "t",
                        "README.md",
                        List.of(new TableSpec.Column("figure", "{=summary}", false)),
                        List.of("demo/zen3"));
        assertThat(MarkdownTable.render(t, store))
                .isEqualTo("| figure |\n|---|\n| trained 74.17 %, seed 42 |\n");
    }

    @Test
    void doubledBracesAreLiteralAndAnUnclosedBraceIsAnError() throws Exception {
        ResultsStore store = tiny();
        TableSpec braces =
                new TableSpec(
                        "x",
                        "docs/RESULTS.md",
                        List.of(new TableSpec.Column("c", "{{a} {figures.top1}", false)),
                        List.of("demo/zen3"));
        assertThat(MarkdownTable.render(braces, store)).endsWith("| {a} 74.17 % |\n");
        TableSpec open =
                new TableSpec(
                        "x",
                        "docs/RESULTS.md",
                        List.of(new TableSpec.Column("c", "{figures.top1", false)),
                        List.of("demo/zen3"));
        assertThatThrownBy(() -> MarkdownTable.render(open, store))
                .isInstanceOf(ResultsException.class)
                .hasMessageContaining("without its '}'");
    }
}
