package org.npid.experiment;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one row measured, as written to its {@code result.json}: a row with this file is done and is
 * skipped when the experiment runs again.
 *
 * @param ours this run's figures by column name, top-1 in percent
 * @param trainImages images the row trained on
 * @param referenceImages training images whose features the kNN votes with
 * @param testImages test images scored
 * @param epochs epochs trained
 * @param seconds wall time of the row in the process that finished it
 */
public record RowResult(
        String id,
        String label,
        double[] paper,
        Map<String, Double> ours,
        int trainImages,
        int referenceImages,
        int testImages,
        int epochs,
        double seconds) {

    public RowResult {
        ours = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(ours));
    }
}
