package org.npid.train;

import java.nio.file.Path;
import java.util.List;

/** What a call to {@link NpidTraining#run} produced. */
public record TrainResult(
        Path runDir, Path checkpoint, List<EpochMetrics> history, boolean interrupted) {

    /** The last epoch's row (the untrained network's when no epoch ran). */
    public EpochMetrics last() {
        return history.get(history.size() - 1);
    }
}
