package org.npid.bench;

import java.util.EnumMap;
import java.util.Map;
import org.npid.train.TrainStep;
import org.npid.train.TrainStep.Phase;

/** Accumulated wall time of each phase of the training step, for the benchmark. */
public final class StepProfile implements TrainStep.PhaseClock {
    private final Map<Phase, Long> nanos = new EnumMap<>(Phase.class);

    @Override
    public void add(Phase phase, long ns) {
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
