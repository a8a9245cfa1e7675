package org.npid.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.npid.index.Neighbours;
import org.npid.memory.MemoryBank;

/**
 * The exact non-parametric softmax of Eq. (2) with a neighbourhood of positives: image i counts as
 * classified right when the softmax puts its mass on i <em>or</em> on one of its k nearest
 * neighbours N_k(i), so the loss is {@code −log Σ_{j ∈ N_k(i) ∪ {i}} P(j|v_i)}. This is the
 * neighbourhood loss of Huang et al., "Unsupervised Deep Learning by Neighbourhood Discovery" (AND,
 * ICML 2019), without its rounds: instance discrimination alone pushes every image away from all
 * others, same class or not; pulling each image towards its nearest memories gathers a class into
 * fewer, tighter clumps, which is what a k = 200 vote rewards.
 *
 * <p>The neighbours come from a table the training loop sets ({@link #setTable}): refreshed each
 * epoch from the network's embedding of the un-augmented training images ({@code neighbour_source:
 * features}), found once from the images' own pixels ({@code pixels}), or half from each ({@link
 * #merge}, {@code pixels_and_features}). Without a table, from the bank: the k + 1 rows nearest
 * V[i], which include V[i] itself (similarity 1). Never from the fresh embedding, so one unlucky
 * crop cannot choose them. The bank's rows mix stale, cropped views and were measured to make poor
 * neighbours (docs/log/EXPERIMENTS.md).
 */
public final class NeighbourhoodSoftmax implements InstanceObjective {
    private final float temperature;
    private final int neighbours;
    private int[] table;

    /**
     * @param temperature τ of Eq. (2)
     * @param neighbours k, the neighbours besides i that count as positives
     */
    public NeighbourhoodSoftmax(float temperature, int neighbours) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be positive, got " + temperature);
        }
        if (neighbours < 1) {
            throw new IllegalArgumentException("neighbours must be >= 1, got " + neighbours);
        }
        this.temperature = temperature;
        this.neighbours = neighbours;
    }

    /** k, the positives besides each image's own row. */
    public int neighbours() {
        return neighbours;
    }

    /**
     * Fixes the positives of the following steps: row i of {@code table} (k + 1 entries each) is i
     * followed by its k neighbours, as {@link #positives} builds it.
     */
    public void setTable(int[] table) {
        if (table.length % (neighbours + 1) != 0) {
            throw new IllegalArgumentException(
                    "table length "
                            + table.length
                            + " is not a multiple of k + 1 = "
                            + (neighbours + 1));
        }
        this.table = table;
    }

    /**
     * The positives table of {@link #setTable}: each row's own index, then its k most similar other
     * rows, best first, from the top k + 1 of a search of the rows against themselves. A row whose
     * duplicates push it out of its own top k + 1 still comes first.
     */
    public static int[] positives(Neighbours top, int n) {
        int k = top.k() - 1;
        int[] table = new int[n * (k + 1)];
        Integer[] order = new Integer[top.k()];
        for (int q = 0; q < n; q++) {
            int base = q * top.k();
            for (int j = 0; j < order.length; j++) {
                order[j] = base + j;
            }
            Arrays.sort(
                    order,
                    (a, b) ->
                            top.scores()[a] != top.scores()[b]
                                    ? Float.compare(top.scores()[b], top.scores()[a])
                                    : Integer.compare(top.ids()[a], top.ids()[b]));
            table[q * (k + 1)] = q;
            int filled = 1;
            for (int j = 0; j < order.length && filled <= k; j++) {
                int id = top.ids()[order[j]];
                if (id != q) {
                    table[q * (k + 1) + filled++] = id;
                }
            }
        }
        return table;
    }

    /**
     * Two {@link #positives} tables of k + 1 columns merged into one: each row's own index, then k
     * distinct neighbours taken in turn from {@code a} and {@code b}, best first, skipping any
     * already taken. Half the positives come from each source unless they agree, when more of their
     * lower-ranked neighbours come in; k from either one alone are always enough to fill it.
     */
    public static int[] merge(int[] a, int[] b, int n) {
        if (a.length != b.length || a.length % n != 0) {
            throw new IllegalArgumentException(
                    "tables of " + a.length + " and " + b.length + " entries for " + n + " rows");
        }
        int width = a.length / n;
        int[] merged = new int[a.length];
        Set<Integer> taken = new HashSet<>();
        for (int q = 0; q < n; q++) {
            int base = q * width;
            taken.clear();
            taken.add(q);
            merged[base] = q;
            int filled = 1;
            for (int j = 1; j < width && filled < width; j++) {
                for (int[] source : new int[][] {a, b}) {
                    if (filled < width && taken.add(source[base + j])) {
                        merged[base + filled++] = source[base + j];
                    }
                }
            }
        }
        return merged;
    }

    /**
     * The share of a {@link #positives} table's neighbour relations that are mutual: j is among i's
     * neighbours and i among j's. Label-free; 1 for a table of disjoint cliques, about k / n for
     * random neighbours.
     */
    public static double mutualShare(int[] table, int n) {
        if (n == 0 || table.length % n != 0 || table.length / n < 2) {
            throw new IllegalArgumentException(
                    "a table of "
                            + table.length
                            + " entries does not hold k >= 1 for "
                            + n
                            + " rows");
        }
        int width = table.length / n;
        int[][] sorted = new int[n][];
        for (int q = 0; q < n; q++) {
            sorted[q] = Arrays.copyOfRange(table, q * width + 1, (q + 1) * width);
            Arrays.sort(sorted[q]);
        }
        long mutual = 0;
        for (int q = 0; q < n; q++) {
            for (int j : sorted[q]) {
                if (Arrays.binarySearch(sorted[j], q) >= 0) {
                    mutual++;
                }
            }
        }
        return (double) mutual / ((long) n * (width - 1));
    }

    /**
     * The share of a table's neighbours (its own index excluded) whose label is the row's: how
     * often the neighbourhood loss pulls an image towards its own class. For the log only, when the
     * training set has labels; training never reads them.
     */
    public static double labelAgreement(int[] table, int[] labels) {
        int width = table.length / labels.length;
        long same = 0;
        for (int q = 0; q < labels.length; q++) {
            for (int j = 1; j < width; j++) {
                if (labels[table[q * width + j]] == labels[q]) {
                    same++;
                }
            }
        }
        return (double) same / ((long) labels.length * (width - 1));
    }

    @Override
    public NDArray loss(NDArray v, NDArray indices, MemoryBank bank, SplittableRandom rng) {
        NDArray bankT = bank.transposedForScoring(v.getManager());
        NDArray logProb = v.div(temperature).matMul(bankT).logSoftmax(1);
        NDArray positives;
        if (table != null) {
            long[] rows = indices.toLongArray();
            long[] picked = new long[rows.length * (neighbours + 1)];
            for (int b = 0; b < rows.length; b++) {
                for (int j = 0; j <= neighbours; j++) {
                    picked[b * (neighbours + 1) + j] = table[(int) rows[b] * (neighbours + 1) + j];
                }
            }
            positives = v.getManager().create(picked, new Shape(rows.length, neighbours + 1));
        } else {
            int take = Math.min(neighbours + 1, bank.size());
            positives = bank.gather(indices).matMul(bankT).topK(take, 1).get(1);
        }
        NDArray own = logProb.gather(positives, 1);
        // log Σ exp, shifted by the row's largest term so no term underflows to zero.
        NDArray shift = own.max(new int[] {1}, true).stopGradient();
        NDArray logSum = own.sub(shift).exp().sum(new int[] {1}).log().add(shift.squeeze(1));
        return logSum.mean().neg();
    }
}
