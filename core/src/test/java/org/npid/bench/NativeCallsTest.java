package org.npid.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeCallsTest {
    @TempDir Path tmp;

    @Test
    void countsTopLevelOperatorsPerThreadAndSeparatesBackward() throws Exception {
        // Thread 1: matmul (with mm inside), add, one backward function (with its own op inside);
        // thread 2: one op. Times in microseconds.
        String trace =
                "["
                        + event("aten::matmul", 1, 0, 100)
                        + ","
                        + event("aten::mm", 1, 10, 80)
                        + ","
                        + event("aten::add", 1, 120, 10)
                        + ","
                        + event("autograd::engine::evaluate_function: MmBackward0", 1, 200, 50)
                        + ","
                        + event("aten::mm", 1, 205, 40)
                        + ","
                        + event("aten::copy_", 2, 0, 30)
                        + "]";
        Path file = tmp.resolve("trace.json");
        Files.writeString(file, trace);
        NativeCalls calls = NativeCalls.parse(file, 1, 0.001);
        assertThat(calls.fromJavaPerStep()).isEqualTo(3);
        assertThat(calls.backwardPerStep()).isEqualTo(1);
        assertThat(calls.nativeSeconds()).isCloseTo(190e-6, within(1e-12));
        assertThat(calls.outsideShare()).isCloseTo(0.81, within(1e-9));
    }

    @Test
    void profilesRealOperatorsAndDividesBySteps() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new ai.djl.ndarray.types.Shape(4, 4));
            NativeCalls calls =
                    NativeCalls.profile(
                            () -> {
                                try (NDArray y = x.add(1f);
                                        NDArray z = y.mul(2f)) {
                                    z.getFloat(0, 0);
                                }
                            },
                            3);
            assertThat(calls).isNotNull();
            // add and mul at least, per step, and no backward.
            assertThat(calls.fromJavaPerStep()).isGreaterThanOrEqualTo(2);
            assertThat(calls.backwardPerStep()).isZero();
            assertThat(calls.wallSeconds()).isPositive();
        }
    }

    private static String event(String name, int tid, double ts, double dur) {
        return String.format(
                java.util.Locale.ROOT,
                "{\"name\": \"%s\", \"ph\": \"X\", \"ts\": %.3f, \"dur\": %.3f, \"tid\": %d,"
                        + " \"pid\": \"CPU Functions\"}",
                name,
                ts,
                dur,
                tid);
    }
}
