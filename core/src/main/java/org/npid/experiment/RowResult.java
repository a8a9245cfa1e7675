package org.npid.experiment;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

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
// paper is copied in and out and equals/hashCode compare contents, so it behaves as a value.
@SuppressWarnings("ArrayRecordComponent")
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
        paper = paper.clone();
    }

    @Override
    public double[] paper() {
        return paper.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RowResult r
                && id.equals(r.id)
                && label.equals(r.label)
                && Arrays.equals(paper, r.paper)
                && ours.equals(r.ours)
                && trainImages == r.trainImages
                && referenceImages == r.referenceImages
                && testImages == r.testImages
                && epochs == r.epochs
                && Double.compare(seconds, r.seconds) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                id,
                label,
                Arrays.hashCode(paper),
                ours,
                trainImages,
                referenceImages,
                testImages,
                epochs,
                seconds);
    }

    @Override
    public String toString() {
        return "RowResult[id="
                + id
                + ", label="
                + label
                + ", paper="
                + Arrays.toString(paper)
                + ", ours="
                + ours
                + ", trainImages="
                + trainImages
                + ", referenceImages="
                + referenceImages
                + ", testImages="
                + testImages
                + ", epochs="
                + epochs
                + ", seconds="
                + seconds
                + "]";
    }
}
