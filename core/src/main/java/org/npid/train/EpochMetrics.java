package org.npid.train;

import org.npid.eval.KnnResult;

/**
 * One row of {@code metrics.jsonl}. kNN figures are NaN when not measured that epoch: {@code bank*}
 * score the test set against the memory bank (cheap, but it lags the network in early epochs);
 * {@code recomputed*} against training features recomputed under the test transform, by the model
 * the run hands out: the weight average when {@code ema_decay > 0}. {@code liveTop1} is then the
 * same recomputed kNN by the last SGD weights, which training uses (NaN without averaging).
 */
public record EpochMetrics(
        int epoch,
        double loss,
        double lr,
        double imagesPerSecond,
        double epochSeconds,
        double bankTop1,
        double bankTop5,
        double bankNn1,
        double recomputedTop1,
        double recomputedTop5,
        double recomputedNn1,
        double liveTop1,
        double nceZ) {

    /** What the loop knows of an epoch before it is evaluated. */
    public record Progress(
            int epoch, double loss, double lr, double imagesPerSecond, double seconds) {
        /** The untrained network, evaluated before the first step. */
        public static Progress untrained() {
            return new Progress(0, Double.NaN, 0, 0, 0);
        }
    }

    /** The kNN figures of an epoch; any may be null when not measured. */
    public record Knn(KnnResult bank, KnnResult recomputed, KnnResult live) {
        public static final Knn NONE = new Knn(null, null, null);
    }

    /** The row for an epoch's progress, its kNN figures and NCE's Z (NaN for other objectives). */
    public static EpochMetrics of(Progress p, Knn knn, double nceZ) {
        return new EpochMetrics(
                p.epoch(),
                p.loss(),
                p.lr(),
                p.imagesPerSecond(),
                p.seconds(),
                knn.bank() == null ? Double.NaN : knn.bank().top1(),
                knn.bank() == null ? Double.NaN : knn.bank().top5(),
                knn.bank() == null ? Double.NaN : knn.bank().nn1(),
                knn.recomputed() == null ? Double.NaN : knn.recomputed().top1(),
                knn.recomputed() == null ? Double.NaN : knn.recomputed().top5(),
                knn.recomputed() == null ? Double.NaN : knn.recomputed().nn1(),
                knn.live() == null ? Double.NaN : knn.live().top1(),
                nceZ);
    }
}
