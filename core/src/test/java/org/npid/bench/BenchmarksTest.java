package org.npid.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchmarksTest {

    @Test
    void stepCasesFollowTheRequestedWidthsInputsAndThreads() {
        var o =
                new Benchmarks.Options(
                        false,
                        3,
                        2,
                        1,
                        List.of(1, 2),
                        List.of(0.25),
                        List.of("1x28"),
                        null,
                        null,
                        false,
                        List.of(StepBench.Objective.values()),
                        null);
        List<StepBench.Case> cases = Benchmarks.stepCases(o);
        int objectives = StepBench.Objective.values().length;
        assertThat(cases).hasSize(2 * objectives);
        assertThat(cases).allSatisfy(c -> assertThat(c.width()).isEqualTo(0.25));
        assertThat(cases).allSatisfy(c -> assertThat(c.bankSize()).isEqualTo(60_000));
        assertThat(cases).extracting(StepBench.Case::threads).containsOnly(1, 2);
    }

    @Test
    void colourInputsUseTheCifarBankSize() {
        assertThat(Benchmarks.parseInput("3x32")).containsExactly(3, 32);
        var o =
                new Benchmarks.Options(
                        false,
                        3,
                        2,
                        1,
                        List.of(1),
                        List.of(1.0),
                        List.of("3x32"),
                        null,
                        null,
                        false,
                        List.of(StepBench.Objective.NCE_SHARED, StepBench.Objective.PLAIN),
                        null);
        assertThat(Benchmarks.stepCases(o))
                .allSatisfy(c -> assertThat(c.bankSize()).isEqualTo(50_000))
                .extracting(StepBench.Case::objective)
                .containsExactly(StepBench.Objective.NCE_SHARED, StepBench.Objective.PLAIN);
    }

    @Test
    void malformedInputsAreRejectedWithTheExpectedForm() {
        for (String bad : List.of("28", "2x28", "1x4", "ax28", "1x28x28")) {
            assertThatThrownBy(() -> Benchmarks.parseInput(bad))
                    .hasMessageContaining("CHANNELSxSIDE");
        }
    }
}
