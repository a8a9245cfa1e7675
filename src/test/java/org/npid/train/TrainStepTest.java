package org.npid.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.npid.config.ObjectiveConfig.NceScoring;
import org.npid.data.Batch;
import org.npid.loss.NceLoss;
import org.npid.loss.ProximalTerm;
import org.npid.memory.MemoryBank;
import org.npid.model.Arch;
import org.npid.model.ModelConfig;
import org.npid.model.NpidNet;
import org.npid.model.Stem;

class TrainStepTest {

    @Test
    void nativeMemoryStaysFlatAndBankRowsStayUnit() {
        try (Model model = Model.newInstance("t")) {
            model.setBlock(
                    NpidNet.create(new ModelConfig(Arch.RESNET18, Stem.CIFAR, 0.125, 16, 1)));
            try (Trainer trainer =
                    model.newTrainer(
                            new DefaultTrainingConfig(Loss.l2Loss())
                                    .optOptimizer(new PyTorchSgd(0.03f, 0.9f, 5e-4f)))) {
                trainer.initialize(new Shape(1, 1, 8, 8));
                try (MemoryBank bank =
                        MemoryBank.random(trainer.getManager(), 64, 16, 0.5f, false, 1)) {
                    TrainStep step =
                            new TrainStep(
                                    trainer,
                                    bank,
                                    new NceLoss(8, 0.07f, 0.9, NceScoring.MATMUL),
                                    new ProximalTerm(0.1f));
                    SplittableRandom rng = new SplittableRandom(1);
                    step.run(batch(rng), rng);
                    int afterFirst = trainer.getManager().getManagedArrays().size();
                    int modelArrays = model.getNDManager().getManagedArrays().size();
                    for (int i = 0; i < 30; i++) {
                        assertThat(step.run(batch(rng), rng)).isFinite();
                    }
                    assertThat(trainer.getManager().getManagedArrays()).hasSize(afterFirst);
                    assertThat(model.getNDManager().getManagedArrays()).hasSize(modelArrays);
                    float[] rows = bank.toFloatArray();
                    for (int r = 0; r < 64; r++) {
                        double s = 0;
                        for (int c = 0; c < 16; c++) {
                            s += rows[r * 16 + c] * rows[r * 16 + c];
                        }
                        assertThat(Math.sqrt(s)).isBetween(0.99999, 1.00001);
                    }
                }
            }
        }
    }

    private static Batch batch(SplittableRandom rng) {
        int b = 8;
        float[] px = new float[b * 64];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) rng.nextGaussian();
        }
        long[] idx = new long[b];
        for (int i = 0; i < b; i++) {
            idx[i] = rng.nextInt(64);
        }
        return new Batch(px, b, 1, 8, 8, idx, new int[b]);
    }
}
