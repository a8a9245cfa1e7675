package org.npid.loss;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import org.npid.memory.MemoryBank;

/** Helpers shared by the instance-objective tests. */
final class Objectives {

    private Objectives() {}

    /**
     * The loss of one batch: embeddings {@code v} ({@code idx.length} rows of {@code dim}) of
     * instances {@code idx}, against a bank holding {@code bankRows}, noise drawn from {@code
     * seed}.
     */
    static float loss(
            InstanceObjective objective,
            float[] bankRows,
            int dim,
            float[] v,
            long[] idx,
            long seed) {
        try (NDManager m = NDManager.newBaseManager();
                MemoryBank bank =
                        MemoryBank.fromArray(
                                m, bankRows, bankRows.length / dim, dim, 0.5f, false)) {
            return objective
                    .loss(
                            m.create(v, new Shape(idx.length, dim)),
                            m.create(idx),
                            bank,
                            new SplittableRandom(seed))
                    .getFloat();
        }
    }

    /** The memory bank is a target, not a parameter: only the embedding may get a gradient. */
    static void assertGradientReachesOnlyTheEmbedding(InstanceObjective objective) {
        assertGradientReachesOnlyTheEmbedding(objective, new long[] {0, 1, 2});
    }

    /** As above for a batch of the instances {@code indices} (rows of a 30-row bank). */
    static void assertGradientReachesOnlyTheEmbedding(InstanceObjective objective, long[] indices) {
        try (NDManager m = NDManager.newBaseManager();
                MemoryBank bank = MemoryBank.random(m, 30, 4, 0.5f, false, 2)) {
            NDArray v = m.randomNormal(new Shape(indices.length, 4));
            v.setRequiresGradient(true);
            float[] before = bank.toFloatArray();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = objective.loss(v, m.create(indices), bank, new SplittableRandom(1));
                gc.backward(loss);
            }
            assertThat(v.getGradient().abs().sum().getFloat()).isGreaterThan(0f);
            assertThat(bank.toFloatArray()).containsExactly(before);
        }
    }
}
