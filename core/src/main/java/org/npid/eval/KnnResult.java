package org.npid.eval;

/**
 * The weighted kNN classifier's figures on a labelled query set. {@code predictions[q]} is the
 * weighted-vote class of query q; {@code nearest[q]} the label of its single nearest neighbour.
 */
public record KnnResult(
        double top1, double top5, double nn1, int[] predictions, int[] nearest, int numClasses) {

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
