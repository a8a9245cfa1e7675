package org.npid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.fixtures.SyntheticIdx;
import org.npid.fixtures.TinyRun;
import org.npid.report.RunReport;
import org.npid.train.TrainResult;

/**
 * One checkpoint, one top-1: the run's own final kNN, {@code npid knn} on its checkpoint and the
 * report all go through the same evaluation, with the run's settings (here the backbone features
 * and inverted lists, the settings most likely to drift apart).
 */
class OneTop1Test {
    @Test
    void trainingKnnAndReportAgree(@TempDir Path tmp) throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("d"), 24, 8, 16, 4);
        Path run = tmp.resolve("run");
        TrainResult r =
                TinyRun.run(
                        data,
                        run,
                        1,
                        "knn_features",
                        "backbone",
                        "knn_lists",
                        "4",
                        "knn_probes",
                        "2");
        String top1 = String.format(Locale.ROOT, "%.2f", 100 * r.last().recomputedTop1());

        String knn = CliRun.out("knn", "--checkpoint", run.toString(), "--data", data.toString());
        assertThat(knn)
                .contains("backbone, weighted kNN (k=10")
                .contains("inverted lists, 2 of 4 cells")
                .contains("top-1 " + top1 + "%");

        Path html = RunReport.write(run, data, tmp.resolve("r.html"));
        assertThat(Files.readString(html)).contains("<b>top-1 " + top1 + " %</b>");
    }

    /** A run scored on a validation split: npid knn scores the same held-out images. */
    @Test
    void knnOfAValidationRunScoresItsValidationSplit(@TempDir Path tmp) throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("d"), 24, 8, 16, 4);
        Path run = tmp.resolve("run");
        TrainResult r =
                TinyRun.run(data, run, 1, "evaluation.validation", "0.25", "train_images", "60");
        String top1 = String.format(Locale.ROOT, "%.2f", 100 * r.last().recomputedTop1());
        String knn = CliRun.out("knn", "--checkpoint", run.toString(), "--data", data.toString());
        assertThat(knn).contains("validation split").contains("top-1 " + top1 + "%");
    }
}
