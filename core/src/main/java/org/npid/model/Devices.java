package org.npid.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;
import org.npid.machine.Cpu;

/**
 * Chooses where the network runs: the first GPU when the engine sees one, otherwise the CPU, so the
 * same code runs on a laptop and on an accelerator machine. A user can insist on either with {@code
 * --device} (or {@code NPID_DEVICE}); insisting on a GPU the engine cannot see is an error that
 * says how to give it one, never a silent fall-back to a 50× slower CPU run.
 */
public final class Devices {
    /** What the user asked for. */
    public enum Choice {
        /** A GPU when the engine sees one, else the CPU. */
        AUTO,
        CPU,
        GPU
    }

    /**
     * Null until chosen or first read: NPID_DEVICE is parsed on first use, not in the class's
     * initialiser, so a bad value is an error message and not an ExceptionInInitializerError.
     */
    private static volatile Choice choice;

    private Devices() {}

    /** Sets the choice for the rest of this process (the CLI's {@code --device}). */
    public static void choose(Choice c) {
        choice = c == null ? Choice.AUTO : c;
    }

    /** The current choice. */
    public static Choice choice() {
        Choice c = choice;
        if (c == null) {
            c = fromEnvironment();
            choice = c;
        }
        return c;
    }

    /**
     * The device to place the model and its inputs on.
     *
     * @throws IllegalStateException when a GPU was asked for and the engine sees none
     */
    public static Device best() {
        // Only finds the device: the allocator and threads are set up once, at start-up, by
        // RuntimeRecord.apply().
        int gpus = Engine.getInstance().getGpuCount();
        return switch (choice()) {
            case CPU -> Device.cpu();
            case AUTO -> gpus > 0 ? Device.gpu() : Device.cpu();
            case GPU -> {
                if (gpus == 0) {
                    throw new IllegalStateException(noGpu());
                }
                yield Device.gpu();
            }
        };
    }

    /** One line naming the device, for the start of a run and for benchmarks. */
    public static String describe(Device device) {
        Engine engine = Engine.getInstance();
        String build = engine.getEngineName() + " " + engine.getVersion();
        if (device.isGpu()) {
            return "GPU "
                    + device.getDeviceId()
                    + " of "
                    + engine.getGpuCount()
                    + " ("
                    + build
                    + ", CUDA)";
        }
        Cpu cpu = Cpu.current();
        String why =
                choice() == Choice.CPU
                        ? "asked for"
                        : "no GPU visible to "
                                + engine.getEngineName()
                                + "; --device gpu to insist";
        return "CPU: " + cpu.name() + " (" + build + "; " + why + ")";
    }

    static String noGpu() {
        Engine engine = Engine.getInstance();
        return "--device gpu: "
                + engine.getEngineName()
                + " "
                + engine.getVersion()
                + " sees no GPU. npid ships the CPU build of libtorch; to train on a GPU, point"
                + " it at a CUDA libtorch (PYTORCH_LIBRARY_PATH with the JNI built by"
                + " tools/build-jni.sh, or NPID_TORCH=download to let DJL fetch one): see"
                + " \"Training on a GPU\" in docs/GUIDE.md. Or run with --device cpu (or auto).";
    }

    private static Choice fromEnvironment() {
        String v = System.getProperty("npid.device", System.getenv("NPID_DEVICE"));
        if (v == null || v.isBlank()) {
            return Choice.AUTO;
        }
        try {
            return Choice.valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "NPID_DEVICE must be auto, cpu or gpu, got \""
                            + v
                            + "\": set it to one of those, or unset it for auto",
                    e);
        }
    }
}
