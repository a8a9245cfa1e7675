package org.npid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FlagNamesTest {

    @Test
    void aParenthesisedKeyBecomesItsFlagAndSet() {
        assertThat(FlagNames.apply("lower the learning rate (optimiser.lr), then resume (resume)."))
                .isEqualTo(
                        "lower the learning rate (--lr, or --set optimiser.lr=…), then resume"
                                + " (--resume).");
        assertThat(FlagNames.apply("choose another run directory (run_dir)"))
                .isEqualTo("choose another run directory (--run-dir, or --set run_dir=…)");
        assertThat(FlagNames.apply("give more time (time_budget)"))
                .isEqualTo("give more time (--time, or --set time_budget=…)");
        assertThat(FlagNames.apply("(step_budget) (epochs) (data) (lr) (overwrite)"))
                .isEqualTo(
                        "(--steps, or --set step_budget=…) (--epochs, or --set epochs=…) (--data)"
                                + " (--lr) (--overwrite)");
    }

    @Test
    void setKeyValueGainsTheFlagWithTheValue() {
        assertThat(FlagNames.apply("for such data set objective.neighbour_source: features"))
                .isEqualTo(
                        "for such data set objective.neighbour_source: features (--set"
                                + " objective.neighbour_source=features)");
        assertThat(FlagNames.apply("NCE costs more; set objective: softmax"))
                .isEqualTo(
                        "NCE costs more; set objective: softmax (--objective softmax, or --set"
                                + " objective=softmax)");
        assertThat(FlagNames.apply("To resume, set data: /d/x; to train that, start over."))
                .isEqualTo("To resume, set data: /d/x (--data /d/x); to train that, start over.");
        assertThat(FlagNames.apply("no training data: set data: PATH"))
                .isEqualTo("no training data: set data: PATH (--data PATH)");
    }

    @Test
    void otherTextIsLeftAlone() {
        for (String m :
                new String[] {
                    "optimiser.lr: must be positive, got -1",
                    "no training data: pass the data",
                    "the loss became NaN (lr 0.1)",
                    "time_budget: at most 8784h (a year), got '9h'",
                    "--resume cannot change the network; choose another --run-dir",
                    "objective.neighbours = 5 (objective.neighbours)"
                }) {
            assertThat(FlagNames.apply(m)).isEqualTo(m);
        }
    }

    @Test
    void everyFlagIsOneTheCliHas() {
        String help = CliRun.out("train", "--help") + CliRun.out("finetune", "--help");
        for (FlagNames.Entry e : FlagNames.ENTRIES) {
            if (e.flag() != null) {
                assertThat(help).as(e.key()).contains(e.flag());
            }
        }
    }
}
