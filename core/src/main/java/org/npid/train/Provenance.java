package org.npid.train;

import ai.djl.engine.Engine;
import java.time.Instant;
import org.npid.config.TrainConfig;
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
        long seed,
        RuntimeRecord runtime,
        String deviceUsed,
        String nativeHeapState) {

    static Provenance capture(TrainConfig config, ImageDataset train, ImageDataset test) {
        Engine engine = Engine.getInstance();
        String version = Provenance.class.getPackage().getImplementationVersion();
        return new Provenance(
                Instant.now().toString(),
                version == null ? "dev" : version,
                System.getProperty("java.version"),
                engine.getEngineName(),
                engine.getVersion(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(),
                Cpu.current().toString(),
                config.data(),
                train.size(),
                test == null ? 0 : test.size(),
                train.channels(),
                config.seed(),
                RuntimeRecord.current(),
                Devices.describe(Devices.best()),
                NativeHeap.describe());
    }
}
