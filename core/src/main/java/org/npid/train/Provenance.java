package org.npid.train;

import ai.djl.engine.Engine;
import java.time.Instant;
import org.npid.data.ImageDataset;
import org.npid.machine.Cpu;
import org.npid.machine.NativeHeap;
import org.npid.machine.RuntimeRecord;
import org.npid.model.Devices;

/**
 * Where a model came from, written beside it: the software, the machine, the runtime settings
 * ({@link RuntimeRecord}: device, native threads, allocator, channels-last, offline) and the data,
 * so a figure can be traced to the run that made it.
 */
record Provenance(
        String created,
        String npidVersion,
        String java,
        String engine,
        String engineVersion,
        String os,
        int cores,
        String cpu,
        String data,
        int trainImages,
        int testImages,
        int channels,
        int imageSize,
        String dataFingerprint,
        String resolutionReason,
        long seed,
        RuntimeRecord runtime,
        String deviceUsed,
        String nativeHeapState) {

    /** The provenance of a run that follows {@code plan}, on this machine, now. */
    static Provenance capture(RunPlan plan) {
        Engine engine = Engine.getInstance();
        String version = Provenance.class.getPackage().getImplementationVersion();
        ImageDataset test = plan.data().test();
        return new Provenance(
                Instant.now().toString(),
                version == null ? "dev" : version,
                System.getProperty("java.version"),
                engine.getEngineName(),
                engine.getVersion(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(),
                Cpu.current().toString(),
                plan.config().data(),
                plan.data().train().size(),
                test == null ? 0 : test.size(),
                plan.identity().channels(),
                plan.identity().imageSize(),
                plan.identity().fingerprint(),
                plan.resolutionReason(),
                plan.config().seed(),
                plan.runtime(),
                Devices.describe(plan.device()),
                NativeHeap.describe());
    }
}
