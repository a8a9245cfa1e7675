package org.npid.bench;

import ai.djl.ndarray.NDManager;
import java.util.SplittableRandom;
import org.npid.eval.KnnClassifier;

/** Times the weighted kNN classifier on random unit vectors of a given size. */
public final class KnnBench {
    /** Seconds for {@code queries} queries against a {@code bank}-row bank, over repeats. */
    public record Result(
            int queries, int bankRows, int dim, int k, Stats seconds, double peakRssMiB) {}

    private KnnBench() {}

    public static Result run(int queries, int bankRows, int dim, int k, int repeats) {
        SplittableRandom rng = new SplittableRandom(3);
        float[] bank = unitRows(bankRows, dim, rng);
        float[] q = unitRows(queries, dim, rng);
        int[] bankLabels = new int[bankRows];
        int[] qLabels = new int[queries];
        for (int i = 0; i < bankRows; i++) {
            bankLabels[i] = rng.nextInt(10);
        }
        KnnClassifier knn = new KnnClassifier(k, 0.07f);
        PeakMemory.reset();
        double[] seconds = new double[repeats];
        try (NDManager m = NDManager.newBaseManager()) {
            knn.evaluate(m, bank, bankLabels, q, qLabels, 10);
            for (int r = 0; r < repeats; r++) {
                long t0 = System.nanoTime();
                knn.evaluate(m, bank, bankLabels, q, qLabels, 10);
                seconds[r] = (System.nanoTime() - t0) / 1e9;
            }
        }
        return new Result(queries, bankRows, dim, k, Stats.of(seconds), PeakMemory.peakMiB());
    }

    static float[] unitRows(int n, int d, SplittableRandom rng) {
        float[] out = new float[n * d];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int c = 0; c < d; c++) {
                float g = (float) rng.nextGaussian();
                out[i * d + c] = g;
                s += g * g;
            }
            float inv = (float) (1 / Math.sqrt(s));
            for (int c = 0; c < d; c++) {
                out[i * d + c] *= inv;
            }
        }
        return out;
    }
}
