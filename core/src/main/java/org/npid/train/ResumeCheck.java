package org.npid.train;

import java.util.List;
import org.npid.checkpoint.Checkpoint;
import org.npid.config.TrainConfig;

/**
 * What resuming a run may change and what it may not, checked before any file of the run is
 * touched: the network's shape, the weight averaging and the training images must be the run's; the
 * rest (epochs, learning rate, evaluation…) may change and is reported as changed.
 */
final class ResumeCheck {
    private ResumeCheck() {}

    /** Refuses a resume that cannot continue the saved run; returns the changed settings. */
    static List<String> verify(Checkpoint saved, TrainConfig config, Checkpoint.DataIdentity data) {
        TrainConfig before = saved.config();
        String fresh = "; to train that, start a new run in another run directory (run_dir)";
        if (!before.model().equals(config.model())) {
            throw new TrainingException(
                    "resuming (resume) cannot change the network: the checkpoint "
                            + saved.path()
                            + " holds "
                            + before.model()
                            + ", the config asks for "
                            + config.model()
                            + fresh);
        }
        if ((before.optimiser().emaDecay() > 0) != (config.optimiser().emaDecay() > 0)) {
            throw new TrainingException(
                    "resuming (resume) cannot switch weight averaging "
                            + (config.optimiser().emaDecay() > 0 ? "on" : "off")
                            + ": the checkpoint "
                            + saved.path()
                            + " was written with optimiser.ema_decay "
                            + before.optimiser().emaDecay()
                            + fresh);
        }
        Checkpoint.DataIdentity trained = saved.data();
        String mismatch = trained == null ? null : trained.mismatch(data);
        if (mismatch != null && samePath(trained.path(), data.path())) {
            throw new TrainingException(
                    "resuming (resume) on data that changed since the run was saved: "
                            + data.path()
                            + " now has "
                            + mismatch
                            + " (images "
                            + trained.images()
                            + " -> "
                            + data.images()
                            + ", fingerprint "
                            + trained.fingerprint()
                            + " -> "
                            + data.fingerprint()
                            + "). The run's memory bank holds one entry per image of the data as"
                            + " it was: to resume, put the folder back as it was (restore the"
                            + " images added, removed or changed); to train on the images as they"
                            + " are now, start a new run in another run directory (run_dir), or"
                            + " start this one over (overwrite)");
        }
        if (mismatch != null) {
            throw new TrainingException(
                    "resuming (resume) on other data: "
                            + data.path()
                            + " has "
                            + mismatch
                            + ". To resume, set data: "
                            + trained.path()
                            + fresh);
        }
        return config.changesFrom(before);
    }

    private static boolean samePath(String a, String b) {
        try {
            return java.nio.file.Path.of(a)
                    .toAbsolutePath()
                    .normalize()
                    .equals(java.nio.file.Path.of(b).toAbsolutePath().normalize());
        } catch (java.nio.file.InvalidPathException e) {
            return a.equals(b);
        }
    }
}
