package org.npid.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.config.EvaluationConfig;
import org.npid.config.TrainConfig;
import org.npid.data.Datasets;
import org.npid.data.Image;
import org.npid.data.ImageDataset;
import org.npid.data.Split;
import org.npid.data.TestData;
import org.npid.fixtures.NearTies;
import org.npid.fixtures.ReferenceKnn;
import org.npid.fixtures.SyntheticIdx;
import org.npid.fixtures.TinyRun;

class KnnEvaluationTest {
    @TempDir Path tmp;

    private static KnnEvaluation evaluation(String key, String value) {
        EvaluationConfig c =
                TrainConfig.defaults().with("evaluation.k", "10").with(key, value).evaluation();
        return KnnEvaluation.of(c, 1);
    }

    @Test
    void rawPixelBaselineSeparatesPatternsThatDifferPixelByPixel() throws Exception {
        // Four stripe/checker/disc classes in four phases each: every test image has training
        // images of its class and phase, so its nearest neighbour by pixel cosine is one of them.
        Path data = SyntheticIdx.write(tmp.resolve("d"), 24, 8, 16, 3);
        KnnResult r = RawPixels.knn(data, 5, 0.07f);
        assertThat(r.nn1()).isEqualTo(1.0);
        assertThat(r.top1()).isEqualTo(1.0);
        assertThat(r.predictions()).hasSize(8 * SyntheticIdx.CLASSES);
    }

    @Test
    void pixelVectorsAreUnitRowsAndRefuseImagesOfAnotherSize() {
        Image[] images = {
            new Image(2, 1, 1, new byte[] {3, 4}), new Image(1, 1, 1, new byte[] {9})
        };
        assertThat(RawPixels.unitRows(TestData.memory(images[0]), "x"))
                .containsExactly(new float[] {0.6f, 0.8f}, within(1e-6f));
        assertThatThrownBy(
                        () ->
                                RawPixels.unitRows(
                                        TestData.memory(images), "neighbour_source: pixels"))
                .hasMessageContaining("mem#1 has 1 pixel values, the first image 2")
                .hasMessageContaining("neighbour_source: pixels needs images of one size");
    }

    @Test
    void knnOnBackboneFeaturesUsesTheLayer4Width() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("d"), 32, 8, 16, 5);
        Path ckpt = TinyRun.checkpoint(data, tmp.resolve("r"));
        try (TrainedModel m = TrainedModel.load(ckpt, 1)) {
            ImageDataset test = Datasets.open(data, Split.TEST);
            float[] f = m.embedBackbone(test, 16, 1);
            // Width 0.125: layer4 has 64 channels; every row is a unit vector.
            assertThat(f).hasSize(test.size() * 64);
            for (int row = 0; row < test.size(); row++) {
                double sq = 0;
                for (int j = 0; j < 64; j++) {
                    sq += f[row * 64 + j] * f[row * 64 + j];
                }
                assertThat(sq).isCloseTo(1.0, within(1e-4));
            }
            KnnResult r =
                    m.knn(
                            LabelledSplits.open(data, "kNN"),
                            evaluation("evaluation.features", "backbone"));
            // The kNN ran on these unit rows (in other batches, so up to rounding), not the
            // embedding's.
            LabelledSplits splits = LabelledSplits.open(data, "kNN");
            ReferenceKnn.of(
                            m.embedBackbone(splits.train(), 16, 1),
                            splits.train().labels(),
                            f,
                            splits.test().labels(),
                            splits.classes(),
                            10,
                            TrainConfig.defaults().evaluation().temperature(),
                            NearTies.SCORE_TOLERANCE)
                    .assertAgrees(r, 1.0);
        }
    }

    @Test
    void invertedListsProbingEveryCellAgreeWithExactKnn() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("ivf"), 32, 8, 16, 6);
        Path ckpt = TinyRun.checkpoint(data, tmp.resolve("ivf-run"));
        LabelledSplits splits = LabelledSplits.open(data, "kNN");
        try (TrainedModel m = TrainedModel.load(ckpt, 1)) {
            KnnResult a = m.knn(splits, evaluation("evaluation.probes", "0"));
            KnnResult b =
                    m.knn(
                            splits,
                            KnnEvaluation.of(
                                    TrainConfig.defaults()
                                            .with("evaluation.k", "10")
                                            .with("evaluation.lists", "4")
                                            .with("evaluation.probes", "4")
                                            .evaluation(),
                                    1));
            // Probing every cell finds the exact neighbours, scored by another kernel: both votes
            // are the double-precision reference's wherever rounding cannot decide. A one-epoch
            // network's embeddings are nearly parallel, so rounding decides many queries here.
            float[] rows = m.embed(splits.train(), KnnEvaluation.BATCH, 1);
            float[] queries = m.embed(splits.test(), KnnEvaluation.BATCH, 1);
            ReferenceKnn reference =
                    ReferenceKnn.of(
                            rows,
                            splits.train().labels(),
                            queries,
                            splits.test().labels(),
                            splits.classes(),
                            10,
                            TrainConfig.defaults().evaluation().temperature(),
                            NearTies.SCORE_TOLERANCE);
            reference.assertAgrees(a, 1.0);
            reference.assertAgrees(b, 1.0);
        }
    }

    @Test
    void aCheckpointOfOneKindOfImageRefusesTheOther() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("g"), 16, 4, 16, 7);
        Path ckpt = TinyRun.checkpoint(data, tmp.resolve("g-run"));
        assertThatThrownBy(() -> TrainedModel.load(ckpt, 3))
                .hasMessageContaining("trained on 1-channel (grayscale) images")
                .hasMessageContaining("3-channel (colour)");
    }

    @Test
    void rawPixelBaselineNeedsLabels() {
        assertThatThrownBy(() -> RawPixels.knn(tmp.resolve("missing"), 5, 0.07f))
                .isInstanceOf(RuntimeException.class)
                .hasMessageContaining("missing");
    }
}
