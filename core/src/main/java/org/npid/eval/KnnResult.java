package org.npid.eval;

/**
 * The weighted kNN classifier's figures on a labelled query set. {@code predictions[q]} is the
 * weighted-vote class of query q; {@code nearest[q]} the label of its single nearest neighbour.
 */
public final class KnnResult {
    private final double top1;
    private final double top5;
    private final double nn1;
    private final int[] predictions;
    private final int[] nearest;
    private final int numClasses;

    /** Holds the arrays as they are, without copying: one int per query each. */
    public KnnResult(
            double top1,
            double top5,
            double nn1,
            int[] predictions,
            int[] nearest,
            int numClasses) {
        this.top1 = top1;
        this.top5 = top5;
        this.nn1 = nn1;
        this.predictions = predictions;
        this.nearest = nearest;
        this.numClasses = numClasses;
    }

    /** Weighted-vote top-1 accuracy. */
    public double top1() {
        return top1;
    }

    /** Weighted-vote top-5 accuracy. */
    public double top5() {
        return top5;
    }

    /** Single-nearest-neighbour accuracy. */
    public double nn1() {
        return nn1;
    }

    /** Each query's weighted-vote class (the array itself, not a copy). */
    public int[] predictions() {
        return predictions;
    }

    /** Each query's nearest neighbour's label (the array itself, not a copy). */
    public int[] nearest() {
        return nearest;
    }

    /** Classes in the labels. */
    public int numClasses() {
        return numClasses;
    }

    /** The confusion matrix, rows = true class, columns = predicted class. */
    public int[][] confusion(int[] truth) {
        int[][] m = new int[numClasses][numClasses];
        for (int q = 0; q < truth.length; q++) {
            m[truth[q]][predictions[q]]++;
        }
        return m;
    }

    /** Top-1 accuracy of each class. */
    public double[] perClassTop1(int[] truth) {
        int[] hit = new int[numClasses];
        int[] count = new int[numClasses];
        for (int q = 0; q < truth.length; q++) {
            count[truth[q]]++;
            if (predictions[q] == truth[q]) {
                hit[truth[q]]++;
            }
        }
        double[] acc = new double[numClasses];
        for (int c = 0; c < numClasses; c++) {
            acc[c] = count[c] == 0 ? Double.NaN : (double) hit[c] / count[c];
        }
        return acc;
    }
}
