package org.npid.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.data.Datasets;
import org.npid.data.Image;
import org.npid.data.ImageDataset;
import org.npid.data.Split;
import org.npid.data.TestData;
import org.npid.eval.KnnClassifier;
import org.npid.eval.KnnResult;

class EvaluationTest {
    @TempDir Path tmp;

    @Test
    void rawPixelBaselineSeparatesPatternsThatDifferPixelByPixel() throws Exception {
        // Four stripe/checker/disc classes in four phases each: every test image has training
        // images of its class and phase, so its nearest neighbour by pixel cosine is one of them.
        Path data = SyntheticIdx.write(tmp.resolve("d"), 24, 8, 16, 3);
        KnnResult r = Evaluation.rawPixelKnn(data, 5, 0.07f);
        assertThat(r.nn1()).isEqualTo(1.0);
        assertThat(r.top1()).isEqualTo(1.0);
        assertThat(r.predictions()).hasSize(8 * SyntheticIdx.CLASSES);
    }

    @Test
    void pixelVectorsAreUnitRowsAndRefuseImagesOfAnotherSize() {
        Image[] images = {
            new Image(2, 1, 1, new byte[] {3, 4}), new Image(1, 1, 1, new byte[] {9})
        };
        assertThat(Evaluation.pixelVectors(TestData.memory(images[0]), "x"))
                .containsExactly(new float[] {0.6f, 0.8f}, within(1e-6f));
        assertThatThrownBy(
                        () ->
                                Evaluation.pixelVectors(
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
        }
        KnnResult r = Evaluation.knn(ckpt, data, 10, 0.07f, 1, Evaluation.Features.BACKBONE);
        // Four texture classes: pooled conv features of even a one-epoch network separate them
        // far above the 25 % chance.
        assertThat(r.top1()).isGreaterThan(0.5);
        assertThat(r.predictions()).hasSize(8 * SyntheticIdx.CLASSES);
    }

    @Test
    void invertedListsProbingEveryCellAgreeWithExactKnn() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("ivf"), 32, 8, 16, 6);
        Path ckpt = TinyRun.checkpoint(data, tmp.resolve("ivf-run"));
        KnnClassifier exact = new KnnClassifier(10, 0.07f);
        KnnResult a = Evaluation.knn(ckpt, data, exact, 1, Evaluation.Features.EMBEDDING);
        KnnResult b =
                Evaluation.knn(
                        ckpt,
                        data,
                        exact.withInvertedLists(4, 4),
                        1,
                        Evaluation.Features.EMBEDDING);
        assertThat(b.predictions()).containsExactly(a.predictions());
        assertThat(b.top1()).isEqualTo(a.top1());
    }

    @Test
    void rawPixelBaselineNeedsLabels() {
        assertThatThrownBy(() -> Evaluation.rawPixelKnn(tmp.resolve("missing"), 5, 0.07f))
                .isInstanceOf(RuntimeException.class)
                .hasMessageContaining("missing");
    }
}
