package org.npid.cli;

import java.io.PrintWriter;
import java.util.Locale;
import org.npid.train.EpochMetrics;
import org.npid.train.TrainListener;

/** A one-line progress bar on stderr (loss, images/s, ETA), plus a line per epoch on stdout. */
final class ProgressBar implements TrainListener {
    private static final int WIDTH = 24;
    private final PrintWriter out;
    private final PrintWriter err;
    private int epochs;
    private final boolean quiet;
    private final int batchSize;
    private long lastDraw;
    private volatile boolean stop;

    ProgressBar(PrintWriter out, PrintWriter err, int epochs, int batchSize, boolean quiet) {
        this.out = out;
        this.batchSize = batchSize;
        this.err = err;
        this.epochs = epochs;
        this.quiet = quiet;
    }

    void requestStop() {
        stop = true;
    }

    @Override
    public boolean stopRequested() {
        return stop;
    }

    @Override
    public void onEpochsChosen(int chosen) {
        epochs = chosen;
    }

    @Override
    public void onPlan(org.npid.train.RunPlan plan) {
        epochs = plan.config().epochs();
        out.print(plan.describe());
        out.flush();
    }

    @Override
    public void onStep(int epoch, int step, int steps, double loss, double imagesPerSecond) {
        long now = System.nanoTime();
        if (quiet || (now - lastDraw < 200_000_000L && step != steps)) {
            return;
        }
        lastDraw = now;
        int filled = (int) ((long) WIDTH * step / steps);
        double etaSeconds = secondsLeft(epoch, step, steps, imagesPerSecond);
        err.printf(
                Locale.ROOT,
                "\repoch %d/%d [%s%s] %d/%d  loss %.4f  %.0f img/s  ETA %s ",
                epoch,
                epochs,
                "#".repeat(filled),
                ".".repeat(WIDTH - filled),
                step,
                steps,
                loss,
                imagesPerSecond,
                clock(etaSeconds));
        err.flush();
    }

    /** The epoch's own rate predicts the rest of the run (evaluation time not included). */
    private double secondsLeft(int epoch, int step, int steps, double imagesPerSecond) {
        long stepsLeft = (long) (steps - step) + (long) (epochs - epoch) * steps;
        return imagesPerSecond == 0 ? 0 : stepsLeft * batchSize / imagesPerSecond;
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }

    @Override
    public void onEpoch(EpochMetrics m) {
        if (!quiet) {
            err.print("\r" + " ".repeat(100) + "\r");
            err.flush();
        }
        out.println(EpochLine.format(m));
        out.flush();
    }

    @Override
    public void onMessage(String message) {
        // Quiet hides the bar, not what the run decided (budget, beyond-the-paper, checks).
        if (!quiet) {
            err.print("\r" + " ".repeat(100) + "\r");
        }
        err.println(FlagNames.apply(message));
        err.flush();
    }
}
