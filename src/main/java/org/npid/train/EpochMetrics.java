package org.npid.train;

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
        double nceZ) {}
