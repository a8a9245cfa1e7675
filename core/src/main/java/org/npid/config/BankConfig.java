package org.npid.config;

import static org.npid.config.Checks.require;

/**
 * The {@code bank:} section: the memory bank V of Sec. 3.2.
 *
 * @param momentum m of {@code V[i] ← normalise(m·V[i] + (1−m)·v_i)}
 * @param fp16 store the rows in half precision
 * @param fillFirstEpoch epoch 1 writes each image's embedding over its random start row (momentum
 *     0) instead of mixing it in (beyond the paper)
 */
public record BankConfig(float momentum, boolean fp16, boolean fillFirstEpoch) {
    public BankConfig {
        require(
                momentum >= 0 && momentum < 1,
                "bank.momentum",
                "must be in [0, 1), got " + momentum);
    }

    /** Why each default is what it is. */
    static BankConfig defaults() {
        return new BankConfig(
                0.5f, // the paper's m
                false, // fp32 unless the bank must be small (1M x 128 = 256 MB in fp16)
                false); // the paper mixes the first embedding into a random row
    }
}
