package org.npid.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunImportTest {

    static Path run(Path dir, double validation, String lastTop1) throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.writeString(
                run.resolve("provenance.json"),
                "{\"created\": \"2026-12-07T19:58:58.5Z\", \"cpu\": \"AuthenticAMD family 25 model 1"
                        + " (AMD EPYC), avx2 fma\", \"data\": \"/data/fm\", \"trainImages\": 3000,"
                        + " \"testImages\": 6000, \"seed\": 42}");
        Files.writeString(
                run.resolve("config.yaml"),
                "seed: 42\nevaluation:\n  validation: " + validation + "\n");
        Files.writeString(
                run.resolve("metrics.jsonl"),
                "{\"epoch\":0,\"recomputedTop1\":0.6012,\"recomputedNn1\":0.6393}\n"
                        + "{\"epoch\":1,\"epochSeconds\":50.25,\"recomputedTop1\":\"NaN\"}\n"
                        + "{\"epoch\":2,\"epochSeconds\":20.5,\"recomputedTop1\":"
                        + lastTop1
                        + ",\"recomputedNn1\":0.77083}\n");
        return run;
    }

    @Test
    void aRunsFilesGiveItsMachineSplitAndFigures(@TempDir Path dir) throws Exception {
        ObjectNode row = RunImport.row(run(dir, 0.1, "0.68916"), "bin/demo", "a validation split");
        assertThat(row.path("cpu").path("vendor").asText()).isEqualTo("AuthenticAMD");
        assertThat(row.path("cpu").path("family").asInt()).isEqualTo(25);
        assertThat(row.path("cpu").path("model").asInt()).isEqualTo(1);
        assertThat(row.path("cpu").path("name").asText()).isEqualTo("AMD EPYC");
        assertThat(row.path("date").asText()).isEqualTo("2026-12-07 19:58 UTC");
        assertThat(row.path("split").asText())
                .isEqualTo(
                        "a validation split: 6,000 training images held out (0.100 of each class,"
                                + " seed 42), not trained on");
        assertThat(row.path("images").asText()).isEqualTo("3,000");
        assertThat(row.path("figures").path("untrained").asText()).isEqualTo("60.12 %");
        assertThat(row.path("figures").path("trained").asText()).isEqualTo("68.92 %");
        assertThat(row.path("figures").path("trained_1nn").asText()).isEqualTo("77.08 %");
        assertThat(row.path("figures").path("epochs").asInt()).isEqualTo(2);
        assertThat(row.path("training_seconds").asText()).isEqualTo("70.8 s");
        assertThat(row.path("chosen_on").asText()).isEqualTo("a validation split");
        assertThat(RunImport.row(run(dir, 0, "0.7"), "c", "x").path("split").asText())
                .isEqualTo("the test split (6,000 images)");
    }

    @Test
    void aRowIsWrittenOnceAndAnUnfinishedRunIsRefused(@TempDir Path dir) throws Exception {
        ObjectNode row = RunImport.row(run(dir, 0.1, "0.5"), "c", "x");
        Path store = dir.resolve("results");
        Path file = RunImport.add(store, "demo/validation", row);
        assertThat(file).exists();
        assertThat(
                        ResultsStore.load(store)
                                .row("demo/validation", "a test")
                                .text("figures.trained"))
                .isEqualTo("50.00 %");
        assertThatThrownBy(() -> RunImport.add(store, "demo/validation", row))
                .isInstanceOf(ResultsException.class)
                .hasMessageContaining("is not replaced");
        assertThatThrownBy(() -> RunImport.add(store, "tables/x", row))
                .hasMessageContaining("not under tables/");
        assertThatThrownBy(() -> RunImport.add(store, "flat", row))
                .hasMessageContaining("AREA/NAME");
        assertThatThrownBy(() -> RunImport.row(run(dir, 0.1, "\"NaN\""), "c", "x"))
                .isInstanceOf(ResultsException.class)
                .hasMessageContaining("no final recomputed kNN");
    }
}
