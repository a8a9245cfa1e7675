package org.npid.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.checkpoint.Checkpoint;
import org.npid.config.TrainConfig;
import org.npid.data.Datasets;
import org.npid.data.ImageDataset;
import org.npid.data.Split;
import org.npid.data.Subset;
import org.npid.eval.KnnEvaluation;
import org.npid.eval.LabelledSplits;
import org.npid.eval.TrainedModel;
import org.npid.finetune.FineTune;
import org.npid.finetune.FineTuneConfig;
import org.npid.finetune.FineTuneResult;
import org.npid.fixtures.SyntheticIdx;

class ExperimentRunnerTest {
    @TempDir Path tmp;

    /** Records which rows ran and which were skipped. */
    private static final class Rows implements ExperimentRunner.Listener {
        final List<String> ran = new ArrayList<>();
        final List<String> skipped = new ArrayList<>();

        @Override
        public void onRow(int index, int rows, Experiment.Row row, boolean done) {
            (done ? skipped : ran).add(row.id());
        }
    }

    private ExperimentRunner.Result run(Experiment e, Path data, Path out, Rows rows) {
        return run(e, data, out, rows, 64);
    }

    private ExperimentRunner.Result run(
            Experiment e, Path data, Path out, Rows rows, int trainImages) {
        return run(e, data, out, rows, trainImages, Scale.SMALL, List.of());
    }

    private ExperimentRunner.Result run(
            Experiment e,
            Path data,
            Path out,
            Rows rows,
            int trainImages,
            Scale scale,
            List<String> only) {
        return ExperimentRunner.run(
                e,
                new ExperimentRunner.Options(
                        data,
                        out,
                        scale,
                        true,
                        Map.of(
                                "threads",
                                "1",
                                "workers",
                                "1",
                                "train_images",
                                Integer.toString(trainImages)),
                        only,
                        "npid experiment " + e.name() + " --quick"),
                rows);
    }

    @Test
    void theLaptopScaleScoresEachRowsUntrainedNetworkAndRawPixels() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("laptop"), 16, 4, 16, 3);
        ExperimentRunner.Result r =
                run(
                        Experiments.table4(),
                        data,
                        tmp.resolve("t4-laptop"),
                        new Rows(),
                        64,
                        Scale.LAPTOP,
                        List.of("d32"));
        Map<String, Double> ours = r.rows().get(0).ours();
        assertThat(ours).containsKeys("kNN", "untrained kNN", "raw pixels kNN");
        assertThat(Files.readString(tmp.resolve("t4-laptop/results.md"))).contains("untrained kNN");
    }

    @Test
    void referencesAreTheUntrainedEpochAndTheRawPixelsInPercent() {
        org.npid.train.EpochMetrics untrained =
                new org.npid.train.EpochMetrics(
                        0,
                        Double.NaN,
                        0,
                        0,
                        0,
                        Double.NaN,
                        Double.NaN,
                        Double.NaN,
                        0.25,
                        0.5,
                        0.2,
                        Double.NaN,
                        Double.NaN);
        org.npid.train.EpochMetrics first =
                new org.npid.train.EpochMetrics(
                        1, 3, 0.03, 10, 1, 0.4, 0.6, 0.3, 0.75, 0.9, 0.7, Double.NaN, Double.NaN);
        Path p = tmp.resolve("none");
        assertThat(
                        ExperimentRunner.references(
                                new org.npid.train.TrainResult(
                                        p, p, List.of(untrained, first), false, 0.3)))
                .containsExactly(
                        Map.entry("untrained kNN", 25.0), Map.entry("raw pixels kNN", 30.0));
        // A resumed run measured neither: no reference columns rather than wrong ones.
        assertThat(
                        ExperimentRunner.references(
                                new org.npid.train.TrainResult(
                                        p, p, List.of(first), false, Double.NaN)))
                .isEmpty();
    }

    @Test
    void rowsRunInPiecesAndAFolderKeepsItsScale() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("pieces"), 16, 4, 16, 3);
        Path out = tmp.resolve("t4");
        Experiment t4 = Experiments.table4();
        ExperimentRunner.Result first =
                run(t4, data, out, new Rows(), 64, Scale.SMALL, List.of("d64"));
        assertThat(first.rows()).extracting(RowResult::id).containsExactly("d64");
        assertThat(out.resolve("rows/d32/" + ExperimentRunner.RESULT)).doesNotExist();
        assertThatThrownBy(() -> run(t4, data, out, new Rows(), 64, Scale.SMALL, List.of("d1000")))
                .hasMessageContaining("has no row d1000");
        // The same folder at another scale would mix the two scales' numbers in one table.
        assertThatThrownBy(() -> run(t4, data, out, new Rows(), 64, Scale.LAPTOP, List.of()))
                .hasMessageContaining("other settings")
                .hasMessageContaining("scale=laptop");
        ExperimentRunner.Result rest = run(t4, data, out, new Rows(), 64);
        assertThat(rest.rows())
                .extracting(RowResult::id)
                .containsExactly("d32", "d64", "d128", "d256");
    }

    @Test
    void tableOneRunsEveryRowBesideThePapersNumbersAndResumesBySkippingDoneRows() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("d"), 16, 4, 16, 3);
        Path out = tmp.resolve("t1");
        Rows first = new Rows();
        ExperimentRunner.Result result = run(Experiments.table1(), data, out, first);

        assertThat(first.ran)
                .containsExactly(
                        "parametric",
                        "softmax",
                        "nce-m1",
                        "nce-m10",
                        "nce-m512",
                        "nce-m4096",
                        "nce-m1-maz",
                        "nce-m10-maz",
                        "nce-m512-maz",
                        "nce-m4096-maz");
        assertThat(result.interrupted()).isFalse();
        for (RowResult r : result.rows()) {
            assertThat(r.ours()).containsKeys("kNN", "linear (last stage)", "linear (embedding)");
            assertThat(r.ours().get("kNN"))
                    .as(r.id())
                    .isEqualTo(knnOfCheckpoint(out, r.id(), data));
            assertThat(r.trainImages()).isEqualTo(64);
            assertThat(r.referenceImages()).isEqualTo(64);
            assertThat(r.testImages()).isEqualTo(SyntheticIdx.CLASSES * 4);
        }
        String md = Files.readString(out.resolve("results.md"));
        assertThat(md)
                .contains("| parametric softmax | 60.3 | 63.0 |")
                .contains("| non-parametric softmax | 75.4 | 80.8 |")
                .contains("| NCE m = 4096 | 70.2 | 80.4 |")
                // Beyond the paper: no paper figures beside it.
                .contains("| NCE m = 4096, moving-average Z (beyond the paper) |  |  |")
                .contains("--quick: a smoke test");
        JsonNode json = ExperimentRunner.JSON.readTree(out.resolve("results.json").toFile());
        assertThat(json.get("rows")).hasSize(10);
        assertThat(json.get("rows").get(1).get("paper").get(1).asDouble()).isEqualTo(80.8);

        // Resuming: every row is done, so nothing trains and no result is rewritten.
        Path softmax = out.resolve("rows/softmax/" + ExperimentRunner.RESULT);
        FileTime written = Files.getLastModifiedTime(softmax);
        Files.delete(out.resolve("rows/nce-m10/" + ExperimentRunner.RESULT));
        Rows second = new Rows();
        ExperimentRunner.Result again = run(Experiments.table1(), data, out, second);
        assertThat(second.ran).containsExactly("nce-m10");
        assertThat(second.skipped).hasSize(9);
        assertThat(Files.getLastModifiedTime(softmax)).isEqualTo(written);
        assertThat(again.rows()).hasSize(10);
        // The rerun row continued from its finished checkpoint: the same features, the same kNN.
        assertThat(again.rows().get(3).ours().get("kNN"))
                .isEqualTo(result.rows().get(3).ours().get("kNN"));
    }

    @Test
    void tableFiveTrainsOnNestedSharesAndScoresAgainstTheWholeReferenceSet() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("d"), 50, 4, 16, 3);
        ExperimentRunner.Result result =
                run(Experiments.table5(), data, tmp.resolve("t5"), new Rows(), 200);
        assertThat(result.rows())
                .extracting(RowResult::trainImages)
                .containsExactly(2, 20, 60, 200);
        assertThat(result.rows()).allSatisfy(r -> assertThat(r.referenceImages()).isEqualTo(200));
    }

    @Test
    void figureThreeKeepsEveryStepsLossAndDrawsTheCurve() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("d"), 16, 4, 16, 3);
        Path out = tmp.resolve("f3");
        ExperimentRunner.Result result = run(Experiments.figure3(), data, out, new Rows());
        // 64 images at batch 32: two steps per epoch, one epoch.
        double[] losses =
                LossRecorder.read(out.resolve("rows/lambda50/" + ExperimentRunner.LOSSES));
        assertThat(losses).hasSize(2);
        for (double l : losses) {
            assertThat(l).isFinite().isPositive();
        }
        assertThat(result.rows().get(3).ours().get("last-epoch loss"))
                .isCloseTo(
                        (losses[0] + losses[1]) / 2, org.assertj.core.api.Assertions.within(1e-5));
        assertThat(out.resolve("loss.png")).isNotEmptyFile();
    }

    @Test
    void figureSixFineTunesThePretrainedRowAndTrainsFromScratchOnTheSameLabels() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("d"), 50, 4, 16, 3);
        Path out = tmp.resolve("f6");
        ExperimentRunner.Result result = run(Experiments.figure6(), data, out, new Rows());
        assertThat(result.rows()).hasSize(6);
        assertThat(result.rows().get(0).ours()).containsOnlyKeys("kNN");
        // 1 % of 50 per class rounds to one labelled image per class; 20 % to ten.
        assertThat(result.rows().get(1).trainImages()).isEqualTo(SyntheticIdx.CLASSES);
        assertThat(result.rows().get(5).trainImages()).isEqualTo(10 * SyntheticIdx.CLASSES);
        TrainConfig pre;
        try (TrainedModel model =
                TrainedModel.load(out.resolve("rows/pretrain").resolve(Checkpoint.FILE))) {
            pre = model.config();
        }
        for (int i = 1; i < 6; i++) {
            RowResult r = result.rows().get(i);
            assertThat(r.ours()).containsOnlyKeys("fine-tuned", "from scratch");
            // The quick scale's 3 steps of 16 images, with the pre-training run's optimiser.
            FineTuneConfig ft =
                    new FineTuneConfig(
                            Double.parseDouble(
                                    Experiments.figure6()
                                            .rows()
                                            .get(i)
                                            .settings()
                                            .get("label_fraction")),
                            3,
                            16,
                            pre.optimiser().lr(),
                            pre.optimiser().momentum(),
                            pre.optimiser().weightDecay(),
                            pre.seed(),
                            pre.threads(),
                            pre.workers(),
                            false,
                            pre.testImages());
            FineTuneResult again =
                    FineTune.run(out.resolve("rows/pretrain").resolve(Checkpoint.FILE), data, ft);
            assertThat(r.ours().get("fine-tuned")).as(r.id()).isEqualTo(100 * again.top1());
        }
        assertThat(out.resolve("labels.png")).isNotEmptyFile();
    }

    /**
     * The kNN top-1 (%) of row {@code id}'s saved checkpoint, scored again on the same reference
     * and test images by the checkpoint's own evaluation settings.
     */
    private static double knnOfCheckpoint(Path out, String id, Path data) {
        try (TrainedModel model =
                TrainedModel.load(out.resolve("rows").resolve(id).resolve(Checkpoint.FILE))) {
            TrainConfig c = model.config();
            ImageDataset all = Datasets.open(data, Split.TRAIN);
            LabelledSplits splits =
                    new LabelledSplits(
                            Subset.random(all, c.trainImages(), c.seed()),
                            Datasets.open(data, Split.TEST, all.channels()));
            return 100 * model.knn(splits, KnnEvaluation.of(c.evaluation(), 1)).top1();
        }
    }

    @Test
    void missingDataAndUnknownNamesSayWhatToDo() {
        assertThatThrownBy(() -> Experiments.named("table9"))
                .hasMessageContaining("table1")
                .hasMessageContaining("figure6");
        assertThatThrownBy(
                        () ->
                                run(
                                        Experiments.table1(),
                                        tmp.resolve("nope"),
                                        tmp.resolve("o"),
                                        new Rows()))
                .hasMessageContaining("no data at")
                .hasMessageContaining("(data)");
    }
}
