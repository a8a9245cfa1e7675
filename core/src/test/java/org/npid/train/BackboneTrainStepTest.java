package org.npid.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.npid.data.Batch;
import org.npid.loss.NceLoss;
import org.npid.loss.NceScoring;
import org.npid.loss.ProximalTerm;
import org.npid.memory.MemoryBank;
import org.npid.model.Arch;
import org.npid.model.NetworkShape;
import org.npid.model.NpidNet;
import org.npid.model.Stem;

/**
 * One real NCE SGD step of AlexNet and VGG16_bn at quarter width on both stems, with colour input
 * as small as each stem takes (the ImageNet AlexNet needs 63 px): the native code must not crash
 * and the loss must be finite. {@link TrainStepTest} does the same for the ResNets.
 */
class BackboneTrainStepTest {

    @ParameterizedTest
    @CsvSource({
        "ALEXNET, CIFAR, 32",
        "ALEXNET, IMAGENET, 64",
        "VGG16_BN, CIFAR, 32",
        "VGG16_BN, IMAGENET, 32"
    })
    void oneStepTrainsAtQuarterWidthOnBothStems(Arch arch, Stem stem, int side) {
        NetworkShape config = new NetworkShape(arch, stem, 0.25, 16, 3);
        try (Model model = Model.newInstance("t")) {
            model.setBlock(NpidNet.create(config));
            try (Trainer trainer =
                    model.newTrainer(
                            new DefaultTrainingConfig(Loss.l2Loss())
                                    .optOptimizer(new PyTorchSgd(0.03f, 0.9f, 5e-4f)))) {
                trainer.initialize(new Shape(1, 3, side, side));
                try (MemoryBank bank =
                        MemoryBank.random(trainer.getManager(), 16, 16, 0.5f, false, 1)) {
                    TrainStep step =
                            new TrainStep(
                                    trainer,
                                    bank,
                                    new NceLoss(4, 0.07f, 0.9, NceScoring.GATHER),
                                    new ProximalTerm(0));
                    SplittableRandom rng = new SplittableRandom(2);
                    int b = 4;
                    float[] px = new float[b * 3 * side * side];
                    for (int i = 0; i < px.length; i++) {
                        px[i] = (float) rng.nextGaussian();
                    }
                    Batch batch =
                            new Batch(px, b, 3, side, side, new long[] {0, 5, 9, 15}, new int[b]);
                    assertThat(step.run(batch, rng)).isFinite();
                    assertThat(step.run(batch, rng)).isFinite();
                }
            }
        }
    }
}
