package org.npid.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.Trainer;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.checkpoint.CheckpointException;
import org.npid.data.TestData;
import org.npid.eval.TrainedModel;
import org.npid.fixtures.SyntheticIdx;
import org.npid.fixtures.TinyRun;
import org.npid.model.Backbone;
import org.npid.train.PyTorchSgd;

class FineTuneTest {
    @TempDir static Path tmp;

    static Path data;
    static Path checkpoint;

    @BeforeAll
    static void tinyRun() throws Exception {
        // 40 training and 20 test images of each of the 4 texture classes, 16 px.
        data = SyntheticIdx.write(tmp.resolve("d"), 40, 52, 16, 5);
        checkpoint = TinyRun.checkpoint(data, tmp.resolve("run"));
    }

    /** A quick run: a quarter of the labels (10 of each class), 40 steps of 16 images. */
    private static FineTuneConfig quick(boolean scratch) {
        return new FineTuneConfig(0.25, 40, 16, 0.03, 0.9, 5e-4, 3, 0, 1, scratch, 0);
    }

    @Test
    void fineTunesOnTheBalancedLabelsFarAboveChanceAndTheSameTwice() {
        FineTuneResult r = FineTune.run(checkpoint, data, quick(false));
        assertThat(r.labelledImages()).isEqualTo(4 * 10);
        // The IDX reader names Fashion-MNIST's 10 classes; the synthetic set fills 4 of them.
        assertThat(r.classes()).isEqualTo(SyntheticIdx.CLASSES);
        assertThat(r.steps()).isEqualTo(40);
        System.out.printf(
                "top1 %.4f loss %.4f seconds %.2f%n", r.top1(), r.trainLoss(), r.seconds());
        assertThat(r.testImages()).isEqualTo(4 * 52);
        assertThat(r.scratch()).isFalse();
        assertThat(r.labelFraction()).isEqualTo(0.25);
        // A gate on fine-tuning's own learning (208 test images, one is 0.48 points): at its
        // rate of 0.03 it passes; at 1e-9 the new classifier stays random (3.75 % on 80 test
        // images, Zen 3).
        assertThat(r.top1()).isGreaterThan(0.8);
        // Below log(4) = 1.386, the loss of a uniform guess.
        assertThat(r.trainLoss()).isLessThan(1.0);
        assertThat(r.seconds()).isPositive();
        FineTuneResult again = FineTune.run(checkpoint, data, quick(false));
        assertThat(again.top1()).isEqualTo(r.top1());
        assertThat(again.trainLoss()).isEqualTo(r.trainLoss());
    }

    @Test
    void scratchHasTheArchitectureButNotTheWeightsOfTheCheckpoint() {
        try (TrainedModel pretrained = TrainedModel.load(checkpoint, 1)) {
            NDArray trained = firstWeight(pretrained.network().backbone());
            assertThat(firstWeightOf(pretrained, quick(false))).containsExactly(toFloats(trained));
            float[] scratch = firstWeightOf(pretrained, quick(true));
            assertThat(scratch).hasSameSizeAs(toFloats(trained));
            assertThat(scratch).isNotEqualTo(toFloats(trained));
        }
        FineTuneConfig c = new FineTuneConfig(0.25, 4, 16, 0.03, 0.9, 5e-4, 3, 0, 1, true, 20);
        FineTuneResult r = FineTune.run(checkpoint, data, c);
        assertThat(r.scratch()).isTrue();
        assertThat(r.labelledImages()).isEqualTo(40);
        assertThat(r.testImages()).isEqualTo(20);
        // 20 images: top-1 is a whole number of twentieths.
        assertThat(Math.round(r.top1() * 20) / 20.0).isEqualTo(r.top1());
    }

    @Test
    void aMissingCheckpointIsNamed() {
        Path missing = tmp.resolve("nope/last.ckpt");
        assertThatThrownBy(() -> FineTune.run(missing, data, quick(false)))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void unlabelledDataIsRefused() throws Exception {
        Path folder = tmp.resolve("unlabelled");
        for (int i = 0; i < 4; i++) {
            TestData.write(TestData.gray(16, 16, 40 * i), folder.resolve(i + ".png"));
        }
        assertThatThrownBy(() -> FineTune.run(checkpoint, folder, quick(false)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs labelled")
                .hasMessageContaining("no labels");
    }

    @Test
    void colourDataForAGrayscaleCheckpointIsRefused() throws Exception {
        Path folder = tmp.resolve("rgb");
        for (String split : new String[] {"train", "test"}) {
            for (String c : new String[] {"a", "b"}) {
                for (int i = 0; i < 2; i++) {
                    TestData.write(
                            TestData.rgb(16, 16, 10 * i),
                            folder.resolve(split + "/" + c + "/" + i + ".png"));
                }
            }
        }
        assertThatThrownBy(() -> FineTune.run(checkpoint, folder, quick(false)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1-channel (grayscale)")
                .hasMessageContaining("3-channel (colour)");
    }

    /** The first convolution's weights of the network a run of {@code c} starts from. */
    private static float[] firstWeightOf(TrainedModel pretrained, FineTuneConfig c) {
        try (Model model = Model.newInstance("t");
                Trainer t =
                        FineTune.trainer(model, pretrained, 4, new PyTorchSgd(0.1f, 0.9f, 0f), c)) {
            Backbone b = (Backbone) ((SequentialBlock) model.getBlock()).getChildren().valueAt(0);
            return toFloats(firstWeight(b));
        }
    }

    private static NDArray firstWeight(Backbone b) {
        return b.getParameters().valueAt(0).getArray();
    }

    private static float[] toFloats(NDArray a) {
        return a.toFloatArray();
    }
}
