package org.npid.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.npid.data.Batch;
import org.npid.loss.NonParametricSoftmax;
import org.npid.loss.ProximalTerm;
import org.npid.memory.MemoryBank;
import org.npid.model.Arch;
import org.npid.model.NetworkShape;
import org.npid.model.NpidNet;
import org.npid.model.Stem;

/**
 * The same training steps on the CPU and on a GPU, from the same weights, bank and batches, agree
 * to float tolerance. Skipped where DJL sees no GPU (CI and the CPU machines): it runs wherever
 * npid runs on CUDA, with no change.
 */
class DeviceAgreementTest {
    private static final NetworkShape NET =
            new NetworkShape(Arch.RESNET18, Stem.CIFAR, 0.25, 32, 3);
    private static final int BANK = 256;
    private static final int STEPS = 3;

    /** The harness itself, on any machine: two CPU runs from the same start are identical. */
    @Test
    void twoCpuRunsFromTheSameStartAreIdentical() {
        float[][] start = initialWeights();
        Run a = train(Device.cpu(), start);
        Run b = train(Device.cpu(), start);
        assertThat(b.losses).isEqualTo(a.losses);
        assertThat(b.weights).isEqualTo(a.weights);
        assertThat(b.bank).isEqualTo(a.bank);
        // The steps moved the weights away from the start.
        assertThat(a.weights).isNotEqualTo(flatten(start));
    }

    @Test
    void threeStepsOnTheGpuMatchTheCpu() {
        Assumptions.assumeTrue(
                Engine.getInstance().getGpuCount() > 0,
                "no GPU visible to DJL: nothing to compare");
        float[][] start = initialWeights();
        Run cpu = train(Device.cpu(), start);
        Run gpu = train(Device.gpu(), start);
        for (int s = 0; s < STEPS; s++) {
            assertThat(gpu.losses[s])
                    .isCloseTo(
                            cpu.losses[s],
                            org.assertj.core.api.Assertions.within(
                                    1e-3 * Math.abs(cpu.losses[s]) + 1e-4));
        }
        // cuDNN may pick TF32 convolutions on recent GPUs (about 1e-3 relative per op): the
        // tolerance is for that, not for a wrong update, which moves weights by the lr·grad scale.
        assertThat(maxAbsDiff(cpu.weights, gpu.weights)).isLessThan(5e-3);
        assertThat(maxAbsDiff(cpu.bank, gpu.bank)).isLessThan(5e-3);
    }

    private static final class Run {
        final double[] losses;
        final float[] weights;
        final float[] bank;

        Run(double[] losses, float[] weights, float[] bank) {
            this.losses = losses;
            this.weights = weights;
            this.bank = bank;
        }
    }

    private static float[][] initialWeights() {
        try (Model model = Model.newInstance("init", Device.cpu())) {
            model.setBlock(NpidNet.create(NET));
            model.getBlock()
                    .initialize(
                            model.getNDManager(),
                            ai.djl.ndarray.types.DataType.FLOAT32,
                            new Shape(1, 3, 32, 32));
            List<float[]> out = new ArrayList<>();
            for (var p : model.getBlock().getParameters()) {
                out.add(p.getValue().getArray().toFloatArray());
            }
            return out.toArray(new float[0][]);
        }
    }

    private static Run train(Device device, float[][] start) {
        try (Model model = Model.newInstance("agree", device)) {
            model.setBlock(NpidNet.create(NET));
            try (Trainer trainer =
                    model.newTrainer(
                            new DefaultTrainingConfig(Loss.l2Loss())
                                    .optOptimizer(new PyTorchSgd(0.03f, 0.9f, 5e-4f))
                                    .optDevices(new Device[] {device}))) {
                trainer.initialize(new Shape(1, 3, 32, 32));
                int i = 0;
                for (var p : model.getBlock().getParameters()) {
                    p.getValue().getArray().set(FloatBuffer.wrap(start[i++]));
                }
                try (MemoryBank bank =
                        MemoryBank.random(trainer.getManager(), BANK, 32, 0.5f, false, 3)) {
                    TrainStep step =
                            new TrainStep(
                                    trainer,
                                    bank,
                                    new NonParametricSoftmax(0.1f),
                                    new ProximalTerm(0));
                    SplittableRandom rng = new SplittableRandom(5);
                    double[] losses = new double[STEPS];
                    for (int s = 0; s < STEPS; s++) {
                        losses[s] = step.run(batch(rng), rng);
                    }
                    return new Run(losses, weights(model), bank.toFloatArray());
                }
            }
        }
    }

    private static float[] weights(Model model) {
        List<float[]> parts = new ArrayList<>();
        for (var p : model.getBlock().getParameters()) {
            Parameter param = p.getValue();
            parts.add(param.getArray().toFloatArray());
        }
        return flatten(parts.toArray(new float[0][]));
    }

    private static float[] flatten(float[][] parts) {
        int n = 0;
        for (float[] a : parts) {
            n += a.length;
        }
        float[] out = new float[n];
        int at = 0;
        for (float[] a : parts) {
            System.arraycopy(a, 0, out, at, a.length);
            at += a.length;
        }
        return out;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertThat(b).hasSameSizeAs(a);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static Batch batch(SplittableRandom rng) {
        int b = 16;
        float[] px = new float[b * 3 * 32 * 32];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) rng.nextGaussian();
        }
        long[] idx = new long[b];
        for (int i = 0; i < b; i++) {
            idx[i] = rng.nextInt(BANK);
        }
        return new Batch(px, b, 3, 32, 32, idx, new int[b]);
    }
}
