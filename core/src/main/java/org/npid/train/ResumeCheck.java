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
}
