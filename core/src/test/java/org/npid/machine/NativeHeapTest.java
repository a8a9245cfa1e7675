package org.npid.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.npid.data.Batch;
import org.npid.loss.NonParametricSoftmax;
import org.npid.loss.ProximalTerm;
import org.npid.memory.MemoryBank;
import org.npid.model.Arch;
import org.npid.model.NetworkShape;
import org.npid.model.NpidNet;
import org.npid.model.Stem;
import org.npid.train.PyTorchSgd;
import org.npid.train.TrainStep;

class NativeHeapTest {
    @Test
    void tunesGlibcOnceAndSaysSo() {
        assumeTrue(isGlibc(), "glibc only");
        assertThat(NativeHeap.retainFreedMemory()).isTrue();
        assertThat(NativeHeap.retainFreedMemory()).isTrue();
    }

    @Test
    void theSystemSettingLeavesTheAllocatorAlone() {
        assertThat(NativeHeap.apply("system")).isFalse();
    }

    /**
     * A ResNet-18 step at width 0.125 on batch 128 at 28×28 frees and reallocates tens of MB of
     * activations each time. With glibc's defaults most of it is faulted in again every step
     * (22,000 faults a step on 2 vCPUs of an AMD EPYC family 26 model 2); kept, a few dozen to a
     * few thousand.
     */
    @Test
    void aTrainingStepReusesTheMemoryThePreviousStepFreed() throws IOException {
        assumeTrue(isGlibc(), "glibc only");
        assertThat(NativeHeap.retainFreedMemory()).isTrue();
        try (Model model = Model.newInstance("heap")) {
            model.setBlock(
                    NpidNet.create(new NetworkShape(Arch.RESNET18, Stem.CIFAR, 0.125, 128, 1)));
            try (Trainer trainer =
                    model.newTrainer(
                            new DefaultTrainingConfig(Loss.l2Loss())
                                    .optOptimizer(new PyTorchSgd(0.03f, 0.9f, 5e-4f)))) {
                trainer.initialize(new Shape(1, 1, 28, 28));
                try (MemoryBank bank =
                        MemoryBank.random(trainer.getManager(), 4096, 128, 0.5f, false, 1)) {
                    TrainStep step =
                            new TrainStep(
                                    trainer,
                                    bank,
                                    new NonParametricSoftmax(0.07f),
                                    new ProximalTerm(0));
                    SplittableRandom rng = new SplittableRandom(3);
                    Batch batch = batch(rng);
                    for (int i = 0; i < 3; i++) {
                        step.run(batch, rng);
                    }
                    long before = minorFaults();
                    for (int i = 0; i < 3; i++) {
                        assertThat(step.run(batch, rng)).isFinite();
                    }
                    assertThat((minorFaults() - before) / 3).isLessThan(6_000);
                }
            }
        }
    }

    private static Batch batch(SplittableRandom rng) {
        int b = 128;
        float[] px = new float[b * 28 * 28];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) rng.nextGaussian();
        }
        long[] idx = new long[b];
        for (int i = 0; i < b; i++) {
            idx[i] = rng.nextInt(4096);
        }
        return new Batch(px, b, 1, 28, 28, idx, new int[b]);
    }

    /** This process's minor page faults so far (field 10 of /proc/self/stat). */
    private static long minorFaults() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
        return Long.parseLong(fields[7]);
    }

    private static boolean isGlibc() {
        if (!Files.exists(Path.of("/proc/self/stat"))) {
            return false;
        }
        try {
            NativeLibrary.getInstance("c").getFunction("gnu_get_libc_version");
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }
}
