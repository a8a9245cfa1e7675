package org.npid.cli;

import java.util.Locale;
import org.npid.train.EpochMetrics;

/** The human-readable form of a metrics row. */
final class EpochLine {
    private EpochLine() {}

    static String format(EpochMetrics m) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "epoch %3d", m.epoch()));
        if (!Double.isNaN(m.loss())) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "  loss %.4f  lr %.4g  %.0f img/s  %.1f s",
                            m.loss(),
                            m.lr(),
                            m.imagesPerSecond(),
                            m.epochSeconds()));
        }
        if (!Double.isNaN(m.bankTop1())) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "  kNN(bank) top1 %.2f%% top5 %.2f%%",
                            100 * m.bankTop1(),
                            100 * m.bankTop5()));
        }
        if (!Double.isNaN(m.recomputedTop1())) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "  kNN(recomputed) top1 %.2f%% top5 %.2f%% 1-NN %.2f%%",
                            100 * m.recomputedTop1(),
                            100 * m.recomputedTop5(),
                            100 * m.recomputedNn1()));
        }
        if (!Double.isNaN(m.liveTop1())) {
            sb.append(
                    String.format(
                            Locale.ROOT, "  (last SGD weights: top1 %.2f%%)", 100 * m.liveTop1()));
        }
        return sb.toString();
    }
}
