package org.npid.bench;

import java.util.Arrays;

/** Median and spread of repeated measurements. */
public record Stats(double median, double min, double max, int repeats) {
    public static Stats of(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        return new Stats(median, v[0], v[n - 1], n);
    }

    /** Half the range relative to the median, in percent: a coarse error bar. */
    public double spreadPercent() {
        return median == 0 ? 0 : 50 * (max - min) / median;
    }
}
