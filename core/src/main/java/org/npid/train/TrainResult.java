package org.npid.train;

import java.nio.file.Path;
import java.util.List;

/**
 * What a call to {@link NpidTraining#run} produced.
 *
 * @param rawPixelsTop1 the raw-pixel kNN baseline measured with the untrained network ({@code
 *     evaluation.at_start}); NaN when not measured
 */
public record TrainResult(
        Path runDir,
        Path checkpoint,
        List<EpochMetrics> history,
        boolean interrupted,
        double rawPixelsTop1) {

    /** The last epoch's row (the untrained network's when no epoch ran). */
    public EpochMetrics last() {
        return history.get(history.size() - 1);
    }
}
