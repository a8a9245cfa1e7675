package org.npid.train;

import java.util.EnumMap;
import java.util.Map;

/** Accumulated wall time of each phase of the training step, for the benchmark. */
public final class StepProfile {
    /** The phases of {@link TrainStep}, in order. */
    public enum Phase {
        /** Network forward pass (includes input copy and zeroing gradients). */
        FORWARD,
        /** The NPID objective: scoring against the bank and the loss. */
        LOSS,
        /** Backward through loss and network. */
        BACKWARD,
        /** The SGD update of every parameter. */
        OPTIMIZER,
        /** The memory-bank momentum update. */
        BANK_UPDATE
    }

    private final Map<Phase, Long> nanos = new EnumMap<>(Phase.class);

    void add(Phase phase, long ns) {
        nanos.merge(phase, ns, Long::sum);
    }

    /** Seconds spent in {@code phase} so far. */
    public double seconds(Phase phase) {
        return nanos.getOrDefault(phase, 0L) / 1e9;
    }

    public void reset() {
        nanos.clear();
    }
}
