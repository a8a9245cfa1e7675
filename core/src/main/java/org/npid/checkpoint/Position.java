package org.npid.checkpoint;

/**
 * Where the loop stands: the next epoch and step to run (both 0-based) and the running loss of the
 * epoch so far, so that a resumed epoch reports the same mean loss as an uninterrupted one.
 */
public record Position(int epoch, int step, double lossSum, long lossCount) {
    /** The start of {@code epoch}. */
    public static Position startOf(int epoch) {
        return new Position(epoch, 0, 0, 0);
    }

    /** The position after one more step of this epoch with the given loss. */
    public Position after(double loss) {
        return new Position(epoch, step + 1, lossSum + loss, lossCount + 1);
    }

    /** The position after one more step that was skipped: it counts, but adds no loss. */
    public Position skipped() {
        return new Position(epoch, step + 1, lossSum, lossCount);
    }

    /** The epoch's mean loss so far (NaN before its first step). */
    public double meanLoss() {
        return lossCount == 0 ? Double.NaN : lossSum / lossCount;
    }
}
