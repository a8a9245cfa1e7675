package org.npid.bench;

import ai.djl.ndarray.NDManager;
import java.util.SplittableRandom;
import org.npid.eval.KnnClassifier;
import org.npid.index.ExactIndex;
import org.npid.index.InvertedLists;
import org.npid.index.Matrix;

/** Times the weighted kNN classifier, exact and by inverted lists, on random unit vectors. */
public final class KnnBench {
    /**
     * The inverted-list setting the bench times beside exact search (about 1/6 of the bank probed).
     */
    public static final int LISTS = 128;

    public static final int PROBES = 20;

    /**
     * Seconds for {@code queries} queries against a {@code bank}-row bank, over repeats; {@code
     * method} is "exact" or "ivf LISTS/PROBES", {@code recall} the share of the exact k neighbours
     * it finds (1 for exact).
     */
    public record Result(
            String method,
            int queries,
            int bankRows,
            int dim,
            int k,
            Stats seconds,
            double recall,
            double peakRssMiB) {}

    private KnnBench() {}

    /** Exact, then inverted lists: random unit vectors have no clusters, the worst case for IVF. */
    public static java.util.List<Result> run(
            int queries, int bankRows, int dim, int k, int repeats) {
        SplittableRandom rng = new SplittableRandom(3);
        float[] bank = unitRows(bankRows, dim, rng);
        float[] q = unitRows(queries, dim, rng);
        int[] bankLabels = new int[bankRows];
        int[] qLabels = new int[queries];
        for (int i = 0; i < bankRows; i++) {
            bankLabels[i] = rng.nextInt(10);
        }
        KnnClassifier exact = new KnnClassifier(k, 0.07f);
        int lists = Math.min(LISTS, bankRows);
        int probes = Math.min(PROBES, lists);
        KnnClassifier ivf = exact.withInvertedLists(lists, probes);
        java.util.List<Result> out = new java.util.ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            double recall = recall(bank, q, dim, k, lists, probes);
            for (KnnClassifier c : new KnnClassifier[] {exact, ivf}) {
                PeakMemory.reset();
                double[] seconds = new double[repeats];
                c.evaluate(m, bank, bankLabels, q, qLabels, 10);
                for (int r = 0; r < repeats; r++) {
                    long t0 = System.nanoTime();
                    c.evaluate(m, bank, bankLabels, q, qLabels, 10);
                    seconds[r] = (System.nanoTime() - t0) / 1e9;
                }
                boolean isExact = c == exact;
                out.add(
                        new Result(
                                isExact ? "exact" : "ivf " + lists + "/" + probes,
                                queries,
                                bankRows,
                                dim,
                                k,
                                Stats.of(seconds),
                                isExact ? 1.0 : recall,
                                PeakMemory.peakMiB()));
            }
        }
        return out;
    }

    /**
     * The share of the exact k neighbours of {@code queries} in {@code bank} that inverted lists
     * with the classifier's settings also find, over all queries.
     */
    static double recall(float[] bank, float[] queries, int dim, int k, int lists, int probes) {
        Matrix rows = new Matrix(bank.length / dim, dim, bank);
        Matrix q = new Matrix(queries.length / dim, dim, queries);
        try (ExactIndex exact = new ExactIndex(rows);
                InvertedLists ivf = InvertedLists.build(rows, lists, probes, 17, k)) {
            return SearchBench.recall(exact.searchAll(q, k), ivf.searchAll(q, k));
        }
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
