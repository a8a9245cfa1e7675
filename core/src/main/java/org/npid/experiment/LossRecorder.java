package org.npid.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import org.npid.train.EpochMetrics;
import org.npid.train.RunPlan;
import org.npid.train.TrainListener;

/**
 * Keeps every step's training loss of a run in {@code losses.csv} ({@code epoch,step,loss}),
 * passing everything on to the experiment's listener. The loop reports the epoch's running mean, so
 * step k's own loss is {@code k·mean_k − (k−1)·mean_(k−1)}. Lines are appended when an epoch ends
 * and when the run returns, which is when the loop saves its checkpoint, so a resumed run neither
 * repeats nor loses steps.
 */
final class LossRecorder implements TrainListener {
    private final Path file;
    private final TrainListener next;
    private final StringBuilder pending = new StringBuilder();
    private int lastEpoch = -1;
    private int lastStep = -1;
    private double lastMean;

    LossRecorder(Path file, TrainListener next) {
        this.file = file;
        this.next = next;
    }

    @Override
    public void onPlan(RunPlan plan) {
        next.onPlan(plan);
    }

    @Override
    public void onEpochsChosen(int epochs) {
        next.onEpochsChosen(epochs);
    }

    @Override
    public void onStep(
            int epoch, int step, int stepsPerEpoch, double meanLoss, double imagesPerSecond) {
        boolean follows = step == 1 || (epoch == lastEpoch && step == lastStep + 1);
        if (follows) {
            double loss = step == 1 ? meanLoss : step * meanLoss - (step - 1) * lastMean;
            pending.append(String.format(Locale.ROOT, "%d,%d,%.6f%n", epoch, step, loss));
        }
        lastEpoch = epoch;
        lastStep = step;
        lastMean = meanLoss;
        next.onStep(epoch, step, stepsPerEpoch, meanLoss, imagesPerSecond);
    }

    @Override
    public void onEpoch(EpochMetrics metrics) {
        flush();
        next.onEpoch(metrics);
    }

    @Override
    public void onMessage(String message) {
        next.onMessage(message);
    }

    @Override
    public boolean stopRequested() {
        return next.stopRequested();
    }

    /** Appends the steps not yet written. */
    void flush() {
        if (pending.length() == 0) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(
                    file,
                    pending,
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write " + file + " (" + e.getMessage() + "): is the disk full?", e);
        }
        pending.setLength(0);
    }

    /** The losses of a {@code losses.csv}, in order; empty when there is no file. */
    static double[] read(Path file) {
        if (!Files.exists(file)) {
            return new double[0];
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return lines.stream()
                    .filter(l -> !l.isBlank())
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(',') + 1)))
                    .toArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The losses of the last epoch in a {@code losses.csv}; empty when there is no file. */
    static double[] lastEpoch(Path file) {
        if (!Files.exists(file)) {
            return new double[0];
        }
        try {
            List<String[]> rows =
                    Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                            .filter(l -> !l.isBlank())
                            .map(l -> l.split(","))
                            .toList();
            String last = rows.isEmpty() ? "" : rows.get(rows.size() - 1)[0];
            return rows.stream()
                    .filter(r -> r[0].equals(last))
                    .mapToDouble(r -> Double.parseDouble(r[2]))
                    .toArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The mean of {@code v}; NaN when empty. */
    static double mean(double[] v) {
        return java.util.Arrays.stream(v).average().orElse(Double.NaN);
    }

    /** The sample standard deviation of {@code v}; NaN with fewer than two values. */
    static double std(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return v.length < 2 ? Double.NaN : Math.sqrt(s / (v.length - 1));
    }
}
