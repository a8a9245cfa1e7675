package org.npid.machine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.fixtures.SyntheticIdx;
import org.npid.fixtures.TinyRun;
import org.npid.model.Devices;

class RuntimeRecordTest {
    @TempDir Path tmp;

    @Test
    void defaultsWhenNothingIsSet() {
        RuntimeRecord r = RuntimeRecord.from(Map.of(), Map.of());
        assertThat(r).isEqualTo(new RuntimeRecord("auto", 0, 0, "retain", true, true, true));
    }

    @Test
    void readsEachSettingFromItsProperty() {
        RuntimeRecord r =
                RuntimeRecord.from(
                        Map.of(),
                        Map.of(
                                "npid.device", " GPU ",
                                "npid.native_heap", "system",
                                "npid.channels_last", "false",
                                "npid.online", "true",
                                "ai.djl.pytorch.num_threads", "3",
                                "ai.djl.pytorch.num_interop_threads", "2"));
        assertThat(r).isEqualTo(new RuntimeRecord("gpu", 3, 2, "system", false, false, true));
    }

    @Test
    void theEnvironmentNamesTheDeviceAndKeepsDjlOffline() {
        RuntimeRecord r =
                RuntimeRecord.from(
                        Map.of("NPID_DEVICE", "cpu", "DJL_OFFLINE", "true"),
                        Map.of("npid.online", "true"));
        assertThat(r.device()).isEqualTo("cpu");
        assertThat(r.offline()).isTrue();
        // The property wins over the environment, as in Devices.
        assertThat(
                        RuntimeRecord.from(
                                        Map.of("NPID_DEVICE", "cpu"), Map.of("npid.device", "gpu"))
                                .device())
                .isEqualTo("gpu");
    }

    /**
     * Device discovery changes nothing: in a fresh JVM (this one applied the record at start-up)
     * the allocator is untouched after {@code Devices.best()} and tuned only by {@code apply()}.
     */
    @Test
    void findingTheDeviceHasNoSideEffect() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p =
                new ProcessBuilder(
                                List.of(
                                        java,
                                        "-Dai.djl.offline=true",
                                        "-cp",
                                        System.getProperty("java.class.path"),
                                        Probe.class.getName()))
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(out)
                .contains("before: false false")
                .contains("after best: false false")
                .contains("after apply: true true");
    }

    @Test
    void aRunRecordsTheRuntimeInItsProvenance() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("d"), 8, 4, 16, 3);
        Path run = tmp.resolve("run");
        RuntimeRecord.setThreads(0); // as the CLI does; 0 = all cores, PyTorch's default
        TinyRun.run(data, run, 1);
        JsonNode p = new ObjectMapper().readTree(run.resolve("provenance.json").toFile());
        JsonNode r = p.path("runtime");
        assertThat(r.path("device").asText()).isIn("auto", "cpu", "gpu");
        assertThat(r.path("intraOpThreads").asInt()).isPositive();
        assertThat(r.path("interOpThreads").asInt()).isEqualTo(1);
        assertThat(r.path("nativeHeap").asText()).isIn("retain", "system");
        assertThat(r.has("channelsLast")).isTrue();
        assertThat(r.path("offline").asBoolean()).isTrue();
        assertThat(r.path("trackingOptOut").asBoolean()).isTrue();
        assertThat(p.path("deviceUsed").asText()).isNotBlank();
        assertThat(p.path("nativeHeapState").asText()).isNotBlank();
    }

    /** Run in a fresh JVM by {@link #findingTheDeviceHasNoSideEffect}. */
    static final class Probe {
        public static void main(String[] args) {
            System.out.println("before: " + NativeHeap.applied() + " " + RuntimeRecord.applied());
            Devices.best();
            System.out.println(
                    "after best: " + NativeHeap.applied() + " " + RuntimeRecord.applied());
            RuntimeRecord.fromEnvironment().apply();
            System.out.println(
                    "after apply: " + NativeHeap.applied() + " " + RuntimeRecord.applied());
        }

        private Probe() {}
    }
}
