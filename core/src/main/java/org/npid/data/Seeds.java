package org.npid.data;

/** Derives independent seeds from structured keys, so results never depend on call order. */
public final class Seeds {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Seeds() {}

    /**
     * Mixes {@code key} into {@code seed} (SplitMix64 finaliser): distinct keys give unrelated
     * seeds.
     */
    public static long mix(long seed, long key) {
        long z = seed + GOLDEN * (key + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
