package org.npid.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunConfigsTest {
    @TempDir Path tmp;

    @Test
    void dataWithoutARecipeOrConfigTakesTheAutoRecipe() {
        RunConfigs.Resolved r = RunConfigs.resolve(null, null, null, Map.of("data", "imgs"));
        assertThat(r.defaultRecipe()).isTrue();
        assertThat(r.config()).isEqualTo(RunConfigs.recipe("auto", Map.of("data", "imgs")));
        assertThat(r.config().timeBudget()).isEqualTo("10m");
        assertThat(r.config().data()).isEqualTo("imgs");
    }

    @Test
    void nothingGivenIsTheDefaults() {
        RunConfigs.Resolved r = RunConfigs.resolve(null, null, null, Map.of());
        assertThat(r.defaultRecipe()).isFalse();
        assertThat(r.config()).isEqualTo(TrainConfig.defaults());
    }

    @Test
    void aNamedRecipeWithOverrides() {
        RunConfigs.Resolved r =
                RunConfigs.resolve("fmnist-short", null, null, Map.of("data", "d", "seed", "5"));
        assertThat(r.defaultRecipe()).isFalse();
        assertThat(r.config().seed()).isEqualTo(5);
        assertThat(r.config())
                .isEqualTo(RunConfigs.recipe("fmnist-short", Map.of("data", "d", "seed", "5")))
                .isNotEqualTo(RunConfigs.recipe("auto", Map.of("data", "d", "seed", "5")));
        assertThatThrownBy(() -> RunConfigs.resolve("nope", null, null, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope");
    }

    @Test
    void aConfigFileWithOverridesAndNotWithARecipe() throws Exception {
        Path yaml = tmp.resolve("c.yaml");
        Files.writeString(yaml, "epochs: 3\nbatch_size: 16\n");
        RunConfigs.Resolved r =
                RunConfigs.resolve(null, yaml, null, Map.of("data", "d", "batch_size", "8"));
        assertThat(r.defaultRecipe()).isFalse();
        assertThat(r.config().epochs()).isEqualTo(3);
        assertThat(r.config().batchSize()).isEqualTo(8);
        assertThatThrownBy(() -> RunConfigs.resolve("auto", yaml, null, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not both");
    }

    @Test
    void aResumedRunKeepsItsStoredConfigUnderTheOverrides() {
        TrainConfig stored = TrainConfig.defaults().with("epochs", "7").with("lr", "0.5");
        RunConfigs.Resolved r =
                RunConfigs.resolve(null, null, stored, Map.of("data", "d", "lr", "0.01"));
        assertThat(r.defaultRecipe()).isFalse();
        assertThat(r.config().epochs()).isEqualTo(7);
        assertThat(r.config().optimiser().lr()).isEqualTo(0.01);
        assertThat(r.config().data()).isEqualTo("d");
    }

    @Test
    void aTimeAndAStepBudgetTogetherAreRefused() {
        assertThatThrownBy(
                        () ->
                                RunConfigs.resolve(
                                        null, null, null, Map.of("data", "d", "step_budget", "2")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("give a time budget or a step budget, not both");
    }
}
