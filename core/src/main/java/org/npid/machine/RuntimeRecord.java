package org.npid.machine;

import ai.djl.engine.Engine;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The process-wide settings that change how fast, where and how connected a run is, in one place:
 * the device asked for, PyTorch's native thread pools, the native allocator policy, channels-last
 * convolutions and staying offline. {@code npid} and {@code npid-spark} build it once at start-up
 * from the environment and system properties ({@link #fromEnvironment}), apply it once ({@link
 * #apply}, before the first tensor), and every run writes the {@link #current} one into its
 * provenance.
 *
 * <p>Nothing else changes these settings: device discovery ({@code Devices.best()}) has no side
 * effect, and native threads are sized only by {@link #setThreads}.
 *
 * @param device what was asked for: {@code auto}, {@code cpu} or {@code gpu} ({@code --device},
 *     {@code -Dnpid.device} or {@code NPID_DEVICE}; validated by {@code Devices})
 * @param intraOpThreads PyTorch's intra-op threads; 0 while unset (PyTorch's default, all cores)
 * @param interOpThreads PyTorch's inter-op threads, 1 once set (more only adds contention on few
 *     cores); 0 while unset (PyTorch's default)
 * @param nativeHeap the allocator policy: {@code retain} (glibc keeps freed memory, see {@link
 *     NativeHeap}) or {@code system} ({@code -Dnpid.native_heap=system})
 * @param channelsLast channels-last convolutions ({@code -Dnpid.channels_last}, default true)
 * @param offline DJL may not download anything (false only with {@code -Dnpid.online=true}, the
 *     launcher's {@code NPID_TORCH=download})
 * @param trackingOptOut DJL's telemetry is off (always, once applied)
 */
public record RuntimeRecord(
        String device,
        int intraOpThreads,
        int interOpThreads,
        String nativeHeap,
        boolean channelsLast,
        boolean offline,
        boolean trackingOptOut) {

    private static final String NUM_THREADS = "ai.djl.pytorch.num_threads";

    private static final String NUM_INTEROP_THREADS = "ai.djl.pytorch.num_interop_threads";

    private static volatile RuntimeRecord current;

    private static volatile boolean applied;

    /**
     * The settings that {@code env} and {@code properties} ask for.
     *
     * @param env environment variables (NPID_DEVICE, DJL_OFFLINE, OPT_OUT_TRACKING)
     * @param properties system properties (npid.device, npid.native_heap, npid.channels_last,
     *     npid.online, ai.djl.offline, ai.djl.pytorch.num_threads, …)
     */
    public static RuntimeRecord from(Map<String, String> env, Map<String, String> properties) {
        String device = properties.getOrDefault("npid.device", env.get("NPID_DEVICE"));
        device =
                device == null || device.isBlank()
                        ? "auto"
                        : device.trim().toLowerCase(Locale.ROOT);
        boolean online = Boolean.parseBoolean(properties.get("npid.online"));
        boolean offline =
                !online
                        || Boolean.parseBoolean(properties.get("ai.djl.offline"))
                        || Boolean.parseBoolean(env.get("DJL_OFFLINE"));
        return new RuntimeRecord(
                device,
                parseThreads(properties.get(NUM_THREADS)),
                parseThreads(properties.get(NUM_INTEROP_THREADS)),
                "system".equals(properties.get("npid.native_heap")) ? "system" : "retain",
                Boolean.parseBoolean(properties.getOrDefault("npid.channels_last", "true")),
                offline,
                true);
    }

    /** The settings this process's environment and system properties ask for. */
    public static RuntimeRecord fromEnvironment() {
        Map<String, String> props = new LinkedHashMap<>();
        System.getProperties()
                .stringPropertyNames()
                .forEach(k -> props.put(k, System.getProperty(k)));
        return from(System.getenv(), props);
    }

    /**
     * The record this process runs with: the applied one, updated as threads are sized and the
     * device chosen; before {@link #apply}, what the environment asks for.
     */
    public static RuntimeRecord current() {
        RuntimeRecord r = current;
        return r == null ? fromEnvironment() : r;
    }

    /** Whether {@link #apply} has run in this process. */
    public static boolean applied() {
        return applied;
    }

    /**
     * Applies this record to the process, once, at start-up and before the first tensor: stays
     * offline and tunes (or leaves alone) the native allocator. It does not start PyTorch (so
     * {@code --help} needs no libtorch): thread counts given as properties are read by PyTorch when
     * it starts, and a command's {@code --threads} goes through {@link #setThreads}. Later calls
     * change nothing native but make this the {@link #current} record.
     *
     * @return the record as applied
     */
    public RuntimeRecord apply() {
        synchronized (RuntimeRecord.class) {
            stayOffline(!offline);
            NativeHeap.retainFreedMemory("system".equals(nativeHeap) ? "system" : null);
            current = this;
            applied = true;
        }
        return this;
    }

    /**
     * Applies the environment's record unless one was applied already: for a JVM that did not start
     * through {@code npid} or {@code npid-spark} (a Spark executor, a test).
     */
    public static void ensureApplied() {
        if (!applied) {
            synchronized (RuntimeRecord.class) {
                if (!applied) {
                    fromEnvironment().apply();
                }
            }
        }
    }

    /**
     * Sizes PyTorch's native thread pools, the one place that does: {@code threads} intra-op
     * threads (0 = all cores) and 1 inter-op thread. The counts go to DJL's properties, which
     * PyTorch reads when it starts; when PyTorch runs already, the intra-op pool is resized now
     * (the inter-op one cannot change once started).
     */
    public static synchronized void setThreads(int threads) {
        int n = threads > 0 ? threads : java.lang.Runtime.getRuntime().availableProcessors();
        System.setProperty(NUM_THREADS, Integer.toString(n));
        System.setProperty(NUM_INTEROP_THREADS, "1");
        // Only when libtorch runs already: asking DJL for its engine would start it, and inference
        // on ONNX Runtime must not load it.
        if (NativeLibraries.mayBeMapped("libtorch")
                && "PyTorch".equals(Engine.getInstance().getEngineName())) {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(n);
        }
        RuntimeRecord r = current();
        current =
                new RuntimeRecord(
                        r.device, n, 1, r.nativeHeap, r.channelsLast, r.offline, r.trackingOptOut);
    }

    /** Whether this process has sized its native threads (by {@link #setThreads} or a property). */
    public static boolean threadsChosen() {
        return System.getProperty(NUM_THREADS) != null;
    }

    /** Records the device asked for ({@code --device}): auto, cpu or gpu. */
    public static synchronized void chooseDevice(String device) {
        RuntimeRecord r = current();
        current =
                new RuntimeRecord(
                        device.toLowerCase(Locale.ROOT),
                        r.intraOpThreads,
                        r.interOpThreads,
                        r.nativeHeap,
                        r.channelsLast,
                        r.offline,
                        r.trackingOptOut);
    }

    /**
     * npid must never phone home: DJL's engine start-up otherwise sends a telemetry request and
     * tries to download native libraries. The launcher sets the environment too. The one exception
     * is a user's explicit {@code NPID_TORCH=download}, which the launcher passes on as {@code
     * npid.online}: then DJL may fetch a libtorch. Telemetry stays off either way.
     */
    private static void stayOffline(boolean online) {
        if (!online) {
            System.setProperty("ai.djl.offline", "true");
        }
        System.setProperty("OPT_OUT_TRACKING", "true");
    }

    private static int parseThreads(String v) {
        if (v == null || v.isBlank()) {
            return 0;
        }
        try {
            return Math.max(0, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
