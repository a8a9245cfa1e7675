package org.npid.train;

import java.nio.file.Path;

/**
 * A run stopped because this process kept computing non-finite values from a network whose every
 * weight is finite and moderate: a fault of the process, not of the network. Seen rarely, on long
 * runs (docs/log/EXPERIMENTS.md); each time the same run resumed from its checkpoint in a new
 * process trained on without a fault, so the cure is a new process, not a lower learning rate.
 * Carries the untrained baselines the run measured, which a resumed run does not measure again.
 */
public final class ProcessFaultException extends TrainingException {
    private static final long serialVersionUID = 1L;

    private final transient Path checkpoint;
    private final double rawPixelsTop1;
    private final double untrainedTop1;

    ProcessFaultException(String message, Path checkpoint) {
        this(message, checkpoint, Double.NaN, Double.NaN);
    }

    private ProcessFaultException(
            String message, Path checkpoint, double rawPixelsTop1, double untrainedTop1) {
        super(message);
        this.checkpoint = checkpoint;
        this.rawPixelsTop1 = rawPixelsTop1;
        this.untrainedTop1 = untrainedTop1;
    }

    /** The same fault with the run's baselines (NaN where not measured). */
    ProcessFaultException withBaselines(double rawPixels, double untrained) {
        return new ProcessFaultException(getMessage(), checkpoint, rawPixels, untrained);
    }

    /** The last good checkpoint, from which a new process resumes the run. */
    public Path checkpoint() {
        return checkpoint;
    }

    /** The raw-pixel kNN top-1 the run measured before training; NaN when not measured. */
    public double rawPixelsTop1() {
        return rawPixelsTop1;
    }

    /** The untrained network's kNN top-1 the run measured; NaN when not measured. */
    public double untrainedTop1() {
        return untrainedTop1;
    }
}
