package org.npid.experiment;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One of the paper's tables or figures as rows to run: every row is a training run (or, for the
 * semi-supervised figure, a fine-tuning run) configured by the bundled {@code paper-cifar} recipe,
 * then the {@link Scale}, then this experiment's own settings, then the row's; each row is scored
 * the same way and shown beside the paper's figures for it.
 *
 * @param name the command-line name ({@code table1})
 * @param title what the paper's table or figure shows
 * @param paperSetting where the paper's numbers come from (data, network, epochs)
 * @param paperColumns the names of the paper's figures for each row, in order
 * @param extra settings of this experiment at every scale (over the scale's)
 * @param quick settings that shrink it further to seconds, for CI ({@code --quick})
 * @param kind how the rows are run and scored
 * @param rows the rows, in the paper's order
 */
public record Experiment(
        String name,
        String title,
        String paperSetting,
        List<String> paperColumns,
        Map<String, String> extra,
        Map<String, String> quick,
        Kind kind,
        List<Row> rows) {

    /** How rows are run and what is measured. */
    public enum Kind {
        /** Train, then kNN and a linear probe of every stage. */
        KNN_AND_PROBE,
        /** Train, then kNN against the whole reference training set. */
        KNN,
        /** Train, then kNN; the per-step training loss is kept and plotted. */
        LOSS_CURVE,
        /**
         * The first row pre-trains with NPID; each later row fine-tunes it with a fraction of the
         * labels and trains the same network from scratch on the same labels.
         */
        SEMI_SUPERVISED
    }

    /**
     * A row: its settings (TrainConfig keys, plus {@code train_fraction} for a fraction of the
     * reference training set, or {@code label_fraction} for fine-tuning) and the paper's figures,
     * NaN where the paper has none.
     */
    // paper is copied in and out and equals/hashCode compare contents, so it behaves as a value.
    @SuppressWarnings("ArrayRecordComponent")
    public record Row(String id, String label, Map<String, String> settings, double[] paper) {
        public Row {
            settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
            paper = paper.clone();
        }

        @Override
        public double[] paper() {
            return paper.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Row r
                    && id.equals(r.id)
                    && label.equals(r.label)
                    && settings.equals(r.settings)
                    && java.util.Arrays.equals(paper, r.paper);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(id, label, settings, java.util.Arrays.hashCode(paper));
        }

        @Override
        public String toString() {
            return "Row[id="
                    + id
                    + ", label="
                    + label
                    + ", settings="
                    + settings
                    + ", paper="
                    + java.util.Arrays.toString(paper)
                    + "]";
        }
    }

    public Experiment {
        extra = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extra));
        quick = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(quick));
        rows = List.copyOf(rows);
        paperColumns = List.copyOf(paperColumns);
        for (Row r : rows) {
            if (r.paper().length != paperColumns.size()) {
                throw new IllegalArgumentException(
                        name + " row " + r.id() + ": one paper figure per column needed");
            }
        }
    }

    /** The row called {@code id}. */
    public Row row(String id) {
        return rows.stream()
                .filter(r -> r.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(name + " has no row " + id));
    }
}
