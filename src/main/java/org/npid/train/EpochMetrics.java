package org.npid.train;

/**
 * One row of {@code metrics.jsonl}. kNN figures are NaN when not measured that epoch: {@code bank*}
 * score the test set against the memory bank (cheap, but it lags the network in early epochs);
 * {@code recomputed*} against training features recomputed under the test transform.
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
        double nceZ) {}
