package org.npid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.fixtures.SyntheticIdx;
import org.npid.fixtures.TinyRun;

/**
 * {@code npid bench engines} measures both engines, each in a JVM of its own, in A B B A order, and
 * the ONNX Runtime JVMs run without libtorch: the inference path the benchmark times is the one
 * that needs no PyTorch.
 */
class BenchEnginesCommandTest {
    @TempDir Path tmp;

    @Test
    void bothEnginesRunInTheirOwnJvmsAndOnnxRuntimeNeedsNoLibtorch() throws IOException {
        Path data = SyntheticIdx.write(tmp.resolve("data"), 16, 8, 16, 1);
        Path ckpt = TinyRun.checkpoint(data, tmp.resolve("run"));
        Path json = tmp.resolve("engines.json");
        String printed =
                CliRun.out(
                        "bench",
                        "engines",
                        "--checkpoint",
                        ckpt.toString(),
                        "--data",
                        data.toString(),
                        "--images",
                        "24",
                        "--batch",
                        "16",
                        "--threads",
                        "1",
                        "--warmup",
                        "0",
                        "--repeats",
                        "2",
                        "--out",
                        json.toString());
        // One line per JVM: engine, images, img/s (min-max), peak RSS, libtorch loaded.
        Matcher m =
                Pattern.compile(
                                "(?m)^(pytorch|onnx)\\s+(\\d+)\\s+([\\d.]+) \\(([\\d.]+)-([\\d.]+)\\)\\s+(\\d+)\\s+(yes|no)$")
                        .matcher(printed);
        List<String> order = new ArrayList<>();
        while (m.find()) {
            order.add(m.group(1));
            assertThat(Integer.parseInt(m.group(2))).isEqualTo(24);
            double median = Double.parseDouble(m.group(3));
            assertThat(median)
                    .isGreaterThan(0)
                    .isBetween(Double.parseDouble(m.group(4)), Double.parseDouble(m.group(5)));
            // A JVM with a model loaded holds tens of MiB at least; 0 would mean no figure.
            assertThat(Integer.parseInt(m.group(6))).isGreaterThan(50);
            assertThat(m.group(7)).isEqualTo(m.group(1).equals("pytorch") ? "yes" : "no");
        }
        assertThat(order).containsExactly("pytorch", "onnx", "onnx", "pytorch");
        assertThat(printed).contains("onnx/pytorch");
        JsonNode saved = new ObjectMapper().readTree(Files.readString(json));
        assertThat(saved.get("machine").asText()).isNotBlank();
        assertThat(saved.get("runs")).hasSize(4);
        assertThat(saved.get("runs").get(1).get("engine").asText()).isEqualTo("ONNX");
        assertThat(saved.get("runs").get(1).get("libtorchLoaded").asBoolean()).isFalse();
        // The temporary export is gone; nothing but the run, the data and the JSON is left.
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("data", "run", "engines.json");
        }
    }
}
