package org.npid.bench;

import ai.djl.ndarray.NDManager;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.npid.eval.KnnClassifier;
import org.npid.index.InvertedLists;
import org.npid.index.Neighbours;

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
            Neighbours truth = exact.neighbours(m, bank, bankRows, dim, q, queries);
            Neighbours approx = new InvertedLists(lists, probes, 17).search(m, bank, dim, q, k);
            double recall = recall(truth, approx);
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

    /** The share of {@code truth}'s neighbours that {@code approx} also found, over all queries. */
    public static double recall(Neighbours truth, Neighbours approx) {
        int k = truth.k();
        int m = truth.ids().length / k;
        long found = 0;
        for (int q = 0; q < m; q++) {
            Set<Integer> ids = new HashSet<>();
            for (int j = 0; j < k; j++) {
                ids.add(truth.ids()[q * k + j]);
            }
            for (int j = 0; j < approx.k(); j++) {
                found += ids.contains(approx.ids()[q * approx.k() + j]) ? 1 : 0;
            }
        }
        return (double) found / ((long) m * k);
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
