package org.npid.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.SplittableRandom;
import org.npid.memory.MemoryBank;

/**
 * Noise-contrastive estimation of the non-parametric softmax (Sec. 3.2). With m noise indices drawn
 * uniformly (P_n = 1/n), the posterior that sample i came from the data is
 *
 * <pre>h(i, v) = P(i|v) / (P(i|v) + m·P_n),  P(i|v) = exp(V[i]·v/τ) / Z        (Eq. 4–6)</pre>
 *
 * and the loss is {@code −log h(i, v_i) − Σ_noise log(1 − h(j, v_i))}, summed over the noise and
 * averaged over the batch, as the official code does.
 *
 * <p>Z is estimated by Monte Carlo (Eq. 7) from the scores of the data and noise samples: once, on
 * the first batch, as the paper and the official code do, or as a moving average with momentum
 * {@code zMomentum} so that it follows the bank as it sharpens (a one-shot Z taken from a random
 * bank keeps the model near chance for epochs).
 *
 * <p>Both log terms are written as softplus of a log-odds so they stay finite when P is tiny or
 * huge: {@code −log h = softplus(log(m/n) + log Z − s/τ)}, {@code −log(1−h) = softplus(s/τ − log Z
 * − log(m/n))}.
 */
public final class NceLoss implements InstanceObjective {
    private final int noiseSamples;
    private final float temperature;
    private final double zMomentum;
    private final NceScoring scoring;
    private double logZ = Double.NaN;

    /**
     * @param zMomentum 0 for the paper's one-shot Z; in (0, 1) for a moving average of Z
     */
    public NceLoss(int noiseSamples, float temperature, double zMomentum, NceScoring scoring) {
        if (noiseSamples <= 0) {
            throw new IllegalArgumentException("nce noise samples must be positive");
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be positive, got " + temperature);
        }
        if (!(zMomentum >= 0 && zMomentum < 1)) {
            throw new IllegalArgumentException(
                    "nce z momentum must be in [0, 1), got " + zMomentum);
        }
        this.noiseSamples = noiseSamples;
        this.temperature = temperature;
        this.zMomentum = zMomentum;
        this.scoring = scoring;
    }

    /** The current estimate of Z (NaN before the first batch). */
    public double normaliser() {
        return Math.exp(logZ);
    }

    @Override
    public double state() {
        return logZ;
    }

    @Override
    public void restore(double state) {
        logZ = state;
    }

    @Override
    public NDArray loss(NDArray v, NDArray indices, MemoryBank bank, SplittableRandom rng) {
        int n = bank.size();
        int rows = scoring == NceScoring.SHARED ? 1 : Math.toIntExact(v.getShape().get(0));
        long[][] noise = new long[rows][noiseSamples];
        for (long[] row : noise) {
            for (int j = 0; j < noiseSamples; j++) {
                row[j] = rng.nextInt(n);
            }
        }
        return loss(v, indices, bank, noise);
    }

    /**
     * The loss with the noise given instead of drawn: {@code noise[b][j]} is the bank row of noise
     * sample j of image b; with {@link NceScoring#SHARED} scoring, one row that every image shares.
     */
    NDArray loss(NDArray v, NDArray indices, MemoryBank bank, long[][] noise) {
        int batch = Math.toIntExact(v.getShape().get(0));
        int n = bank.size();
        int rows = scoring == NceScoring.SHARED ? 1 : batch;
        if (noise.length != rows) {
            throw new IllegalArgumentException(
                    "noise has " + noise.length + " rows, " + scoring + " scoring needs " + rows);
        }
        for (long[] row : noise) {
            if (row.length != noiseSamples) {
                throw new IllegalArgumentException(
                        "noise row has " + row.length + " samples, expected " + noiseSamples);
            }
        }
        if (scoring == NceScoring.SHARED) {
            return loss(sharedScores(v, indices, bank, noise[0]).div(temperature), n, batch);
        }
        long[] cols = new long[batch * (noiseSamples + 1)];
        long[] own = indices.toLongArray();
        for (int b = 0; b < batch; b++) {
            int base = b * (noiseSamples + 1);
            cols[base] = own[b];
            System.arraycopy(noise[b], 0, cols, base + 1, noiseSamples);
        }
        NDArray colIdx = v.getManager().create(cols, new Shape(batch, noiseSamples + 1));
        return loss(score(v, colIdx, bank).div(temperature), n, batch);
    }

    /** Eq. (4)–(6) on logits s/τ [B, 1+m], data column first. */
    private NDArray loss(NDArray scores, int n, int batch) {
        updateNormaliser(scores, n);
        // log(m·P_n) + log Z: the log-odds offset shared by the data and the noise terms.
        float offset = (float) (Math.log((double) noiseSamples / n) + logZ);
        NDArray dataTerm = Activation.softPlus(scores.get(":, 0").neg().add(offset));
        NDArray noiseTerm = Activation.softPlus(scores.get(":, 1:").sub(offset));
        return dataTerm.sum().add(noiseTerm.sum()).div(batch);
    }

    /** [B, 1+m]: each image's own score, then its scores against the batch's shared noise. */
    private NDArray sharedScores(NDArray v, NDArray indices, MemoryBank bank, long[] noise) {
        NDArray noiseRows = bank.gather(v.getManager().create(noise));
        NDArray own = v.mul(bank.gather(indices)).sum(new int[] {1}, true);
        return own.concat(v.matMul(noiseRows.transpose()), 1);
    }

    private NDArray score(NDArray v, NDArray colIdx, MemoryBank bank) {
        if (scoring == NceScoring.MATMUL) {
            NDArray all = v.matMul(bank.transposedForScoring(v.getManager()));
            return all.gather(colIdx, 1);
        }
        long batch = colIdx.getShape().get(0);
        long k = colIdx.getShape().get(1);
        NDArray rows = bank.gather(colIdx.reshape(-1)).reshape(batch, k, bank.dim());
        return rows.matMul(v.reshape(batch, bank.dim(), 1)).reshape(batch, k);
    }

    /** Monte-Carlo estimate of Eq. (7): Z ≈ n · mean exp(s/τ) over the batch's sampled columns. */
    private void updateNormaliser(NDArray logits, int n) {
        if (!Double.isNaN(logZ) && zMomentum == 0) {
            return;
        }
        NDArray detached = logits.stopGradient();
        double max = detached.max().getFloat();
        double meanExp = detached.sub(max).exp().mean().getFloat();
        double batchLogZ = Math.log(n) + max + Math.log(meanExp);
        if (Double.isNaN(logZ)) {
            logZ = batchLogZ;
        } else {
            // The moving average is of Z itself, as the paper's estimator is, computed in log
            // space.
            double a = Math.log(zMomentum) + logZ;
            double b = Math.log(1 - zMomentum) + batchLogZ;
            double hi = Math.max(a, b);
            logZ = hi + Math.log(Math.exp(a - hi) + Math.exp(b - hi));
        }
    }
}
