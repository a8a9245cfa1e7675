package org.npid.train;

import ai.djl.Device;
import java.util.List;
import java.util.Locale;
import org.npid.checkpoint.Checkpoint;
import org.npid.config.TrainConfig;
import org.npid.machine.RuntimeRecord;
import org.npid.model.Devices;

/**
 * Everything a training run follows, resolved once before its first step: the configuration after
 * every choice made for the user (the training resolution and stem, the {@code auto} neighbour
 * source, the budget's epochs, a resume's changes), the images and their identity, the device and
 * the process's runtime settings, and the pixel-neighbour table that the {@code auto} check already
 * searched. The loop reads its settings from here and nowhere else.
 *
 * <p>Printed once ({@link TrainListener#onPlan}) and written beside the checkpoint as {@code
 * config.yaml} (the configuration) and {@code provenance.json} (runtime, device, data). A plan does
 * not change: a time budget's re-plan makes a new one ({@link #withEpochs}), and the run directory
 * keeps the one it replaced ({@link RunDirectory#replan}).
 */
public final class RunPlan {
    private final TrainConfig config;
    private final RunData data;
    private final Checkpoint.DataIdentity identity;
    private final Device device;
    private final RuntimeRecord runtime;
    private final int[] pixelTable;

    private RunPlan(
            TrainConfig config,
            RunData data,
            Checkpoint.DataIdentity identity,
            Device device,
            RuntimeRecord runtime,
            int[] pixelTable) {
        this.config = config;
        this.data = data;
        this.identity = identity;
        this.device = device;
        this.runtime = runtime;
        this.pixelTable = pixelTable;
    }

    /**
     * Resolves the plan of a fresh run ({@code saved} null) or of one resumed from {@code saved}.
     * Reports each choice with its reason to {@code listener}; {@code began} is when the run
     * started ({@link System#nanoTime}), so that time already spent comes off a time budget.
     *
     * @throws TrainingException when the data cannot train (fewer than two images) or a resume does
     *     not match its checkpoint
     */
    static RunPlan resolve(
            TrainConfig config, Checkpoint saved, long began, TrainListener listener) {
        // Before the images are read: a GPU request that cannot be met fails in a second.
        Device device = Devices.best();
        RunData data =
                RunData.open(
                        config,
                        saved == null ? null : saved.state(),
                        secondsSince(began),
                        listener);
        if (data.chosen() != null) {
            // Recorded, so config.yaml says what ran and a resume trains the same way.
            config = config.withImageSize(data.imageSize()).withStem(data.chosen().stem());
        } else if (config.augmentation().imageSize() == 0) {
            config = config.withImageSize(data.imageSize());
        }
        if (data.train().size() < 2) {
            throw new TrainingException(
                    "instance discrimination needs at least 2 training images, got "
                            + data.train().size()
                            + " (train_images "
                            + config.trainImages()
                            + "): add images or raise train_images");
        }
        Checkpoint.DataIdentity identity = data.identity(config.data());
        int[] pixelTable = null;
        if (saved == null) {
            NeighbourMiner.Resolved auto = NeighbourMiner.resolveAuto(config, data, listener);
            pixelTable = auto.pixelTable();
            config =
                    TrainingBudget.plan(
                            auto.config(), data, identity, secondsSince(began), listener);
        } else {
            List<String> changed = ResumeCheck.verify(saved, config, identity);
            if (!changed.isEmpty()) {
                listener.onMessage("changed on resume: " + String.join(", ", changed));
            }
        }
        return new RunPlan(config, data, identity, device, RuntimeRecord.current(), pixelTable);
    }

    private static double secondsSince(long began) {
        return (System.nanoTime() - began) / 1e9;
    }

    /** The same plan with {@code epochs} epochs in all: a time budget's re-plan. */
    RunPlan withEpochs(int epochs) {
        return epochs == config.epochs()
                ? this
                : new RunPlan(
                        config.withEpochs(epochs), data, identity, device, runtime, pixelTable);
    }

    /** The configuration that runs, as config.yaml holds it. */
    public TrainConfig config() {
        return config;
    }

    /** The training images' identity, which a resume checks. */
    public Checkpoint.DataIdentity identity() {
        return identity;
    }

    /** The device the run trains on. */
    public Device device() {
        return device;
    }

    /** The process's runtime settings (threads, allocator, channels-last, offline). */
    public RuntimeRecord runtime() {
        return runtime;
    }

    /**
     * Why the run trains at its resolution and stem, when the plan chose them from the images and
     * the budget; null when the configuration or a resumed checkpoint set them.
     */
    public String resolutionReason() {
        return data.chosen() == null ? null : data.chosen().reason();
    }

    RunData data() {
        return data;
    }

    /** The pixel-neighbour table the {@code auto} check searched, or null when it did not. */
    int[] pixelTable() {
        return pixelTable;
    }

    /**
     * The plan as printed at start: comment lines for the device, runtime and data, then the
     * configuration exactly as config.yaml holds it.
     */
    public String describe() {
        RuntimeRecord r = runtime;
        return String.format(
                        Locale.ROOT,
                        "# device: %s; native threads %s, inter-op %s; allocator %s;"
                                + " channels-last %s; offline %s%n"
                                + "# data: %s, %d training images of %d channel%s at %d px,"
                                + " fingerprint %s%n",
                        Devices.describe(device),
                        r.intraOpThreads() == 0 ? "default" : r.intraOpThreads(),
                        r.interOpThreads() == 0 ? "default" : r.interOpThreads(),
                        r.nativeHeap(),
                        r.channelsLast(),
                        r.offline(),
                        identity.path(),
                        identity.images(),
                        identity.channels(),
                        identity.channels() == 1 ? "" : "s",
                        identity.imageSize(),
                        identity.fingerprint()
                                .substring(0, Math.min(12, identity.fingerprint().length())))
                + "# the run's config, as config.yaml holds it\n"
                + config.toYaml();
    }
}
