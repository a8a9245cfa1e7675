package org.npid.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ResultRowTest {

    @Test
    void fieldsReadAsTheirTextAndArraysJoin() throws Exception {
        ResultRow r =
                MarkdownTableTest.row(
                        "recipes/fm",
                        "{\"seeds\": [1, 2, 42], \"cpu\": {\"family\": 6}, \"figures\": {\"top1\":"
                                + " \"85.73 ± 0.24 %\"}, \"home\": \"recipes\"}");
        assertThat(r.text("seeds")).isEqualTo("1, 2, 42");
        assertThat(r.text("cpu.family")).isEqualTo("6");
        assertThat(r.text("figures.top1")).isEqualTo("85.73 ± 0.24 %");
        assertThat(r.home()).isEqualTo("recipes");
        assertThat(r.anchor()).isEqualTo("r-recipes-fm");
        assertThatThrownBy(() -> r.text("cpu"))
                .isInstanceOf(ResultsException.class)
                .hasMessageContaining("no field 'cpu' with a value (it is an object)");
        assertThatThrownBy(() -> r.text("figures.top5"))
                .hasMessageContaining("results row recipes/fm has no field 'figures.top5'");
    }
}
