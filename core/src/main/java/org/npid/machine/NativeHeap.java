package org.npid.machine;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;

/**
 * Keeps the memory that libtorch frees inside the process, so the next step's tensors reuse it
 * instead of being faulted in, page by page, from the kernel.
 *
 * <p>Why: every training step allocates and frees the same few hundred tensors, many of them
 * between 1 and 32 MB (a full-width activation at batch 128 and 28×28 is 25.7 MB). glibc's malloc
 * serves blocks above its mmap threshold (128 KB at start, raised only as such blocks are freed)
 * with a fresh mmap and gives freed heap tops back above its trim threshold, so each step first
 * touches new pages: one minor fault per 4 KB page, each zeroed by the kernel. In a VM such a fault
 * is dear. Measured on 2 vCPUs of an AMD EPYC family 26 model 2 (Firecracker VM): a full-width
 * ResNet-18 exact-softmax step on 1 thread took 70,000 minor faults and 3.1 s; with the settings
 * below, 2,000 faults and 2.3 s. {@code GLIBC_TUNABLES} (mmap_threshold, trim_threshold, top_pad)
 * would do the same from outside, but only where a launcher sets it; {@code mallopt} from here
 * holds for the CLI, the tests and library users alike.
 *
 * <p>The cost: the process keeps its peak heap after a step instead of returning it, as PyTorch's
 * own GPU caching allocator does. Blocks above 32 MB (glibc's ceiling for the threshold) are still
 * mapped fresh. Set {@code -Dnpid.native_heap=system} to leave glibc's defaults alone. Elsewhere
 * than on glibc (musl, macOS) nothing is changed.
 */
public final class NativeHeap {
    /** glibc's mallopt parameters (malloc.h). */
    private static final int M_TRIM_THRESHOLD = -1;

    private static final int M_TOP_PAD = -2;

    private static final int M_MMAP_THRESHOLD = -3;

    /**
     * The largest mmap threshold glibc accepts on 64-bit (half its 64 MB arena heap): every
     * activation and gradient of the networks npid trains at batch 128 fits below it.
     */
    private static final int MMAP_THRESHOLD_BYTES = 32 << 20;

    /**
     * Free memory at the top of a heap is kept up to this size: larger than a step's working set at
     * full width (about 2 GB), so nothing a step frees is handed back before the next one.
     */
    private static final int TRIM_THRESHOLD_BYTES = Integer.MAX_VALUE;

    /**
     * A thread's arena is a chain of 64 MB heaps, and glibc deletes a heap as soon as it is empty
     * unless the pad is at least that large (the trim threshold does not apply there). Without
     * this, a step whose tensors spill into a new heap maps, faults in and unmaps it every step:
     * seen in one run of three (280 unmaps of 64 MB, 60,000 faults a step). The pad is address
     * space, not memory: it is only touched when used.
     */
    private static final int TOP_PAD_BYTES = 64 << 20;

    private static volatile Boolean tuned;

    private NativeHeap() {}

    /**
     * Applies the settings once per process, as {@code -Dnpid.native_heap} asks; later calls return
     * the first answer. {@link RuntimeRecord#apply} calls it at start-up.
     *
     * @return true when glibc's allocator was tuned, false when it was left alone (opted out, or
     *     not glibc)
     */
    public static boolean retainFreedMemory() {
        return retainFreedMemory(System.getProperty("npid.native_heap"));
    }

    /** As {@link #retainFreedMemory()}, with {@code nativeHeap} in place of the property. */
    static boolean retainFreedMemory(String nativeHeap) {
        Boolean t = tuned;
        if (t == null) {
            synchronized (NativeHeap.class) {
                t = tuned;
                if (t == null) {
                    t = apply(nativeHeap);
                    tuned = t;
                }
            }
        }
        return t;
    }

    /** Whether the allocator settings were applied (or declined) in this process yet. */
    public static boolean applied() {
        return tuned != null;
    }

    /**
     * What {@link #retainFreedMemory} did, for benchmark reports; changes nothing.
     *
     * @return e.g. "glibc, freed memory kept (mmap threshold 32 MB)"
     */
    public static String describe() {
        Boolean t = tuned;
        if (t == null) {
            return "allocator defaults (not set up)";
        }
        return t
                ? "glibc, freed memory kept (mmap threshold "
                        + (MMAP_THRESHOLD_BYTES >> 20)
                        + " MB)"
                : "allocator defaults";
    }

    /** Tunes glibc unless {@code nativeHeap} (the property's value) is {@code system}. */
    static boolean apply(String nativeHeap) {
        if ("system".equals(nativeHeap)) {
            return false;
        }
        Function mallopt;
        try {
            NativeLibrary libc = NativeLibrary.getInstance("c");
            // Only glibc has the thresholds below; musl's mallopt accepts and ignores them.
            libc.getFunction("gnu_get_libc_version");
            mallopt = libc.getFunction("mallopt");
        } catch (LinkageError e) {
            // Not glibc, or JNA could not load its own native part (a noexec temp folder): the
            // allocator keeps its defaults, which is slower, never wrong.
            return false;
        }
        // mallopt returns 1 on success. The threshold is set first: setting either one turns off
        // glibc's own adjustment of both.
        return mallopt.invokeInt(new Object[] {M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES}) == 1
                && mallopt.invokeInt(new Object[] {M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES}) == 1
                && mallopt.invokeInt(new Object[] {M_TOP_PAD, TOP_PAD_BYTES}) == 1;
    }

    /**
     * Hands the memory glibc keeps back to the system ({@code malloc_trim(0)}), for a process that
     * is done with its tensors but lives on (the CLI waiting for a run it restarted in a new
     * process). Returns whether glibc released anything; false where there is no glibc.
     */
    public static boolean releaseKeptMemory() {
        try {
            NativeLibrary libc = NativeLibrary.getInstance("c");
            libc.getFunction("gnu_get_libc_version");
            return libc.getFunction("malloc_trim").invokeInt(new Object[] {0}) == 1;
        } catch (LinkageError e) {
            return false;
        }
    }
}
