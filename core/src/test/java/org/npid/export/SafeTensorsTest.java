package org.npid.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir Path dir;

    @Test
    void writesTheHeaderAndBytesTheFormatSpecifies() throws Exception {
        Path file = dir.resolve("t.safetensors");
        float[] w = {1.5f, -2f, 0.25f, 3f, 4f, -0.5f};
        SafeTensors.write(
                file,
                Map.of(
                        "b.weight", SafeTensors.Tensor.f32(List.of(2L, 3L), w),
                        "a.count", SafeTensors.Tensor.i64(List.of(), 7L)),
                Map.of("format", "pt"));

        // Parsed by hand, as a reader in another language would.
        byte[] all = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong();
        assertThat(n % 8).as("header padded to 8 bytes").isZero();
        JsonNode h =
                new ObjectMapper()
                        .readTree(new String(all, 8, (int) n, StandardCharsets.UTF_8).trim());
        List<String> keys = new ArrayList<>();
        h.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("__metadata__", "a.count", "b.weight");
        assertThat(h.get("__metadata__").get("format").asText()).isEqualTo("pt");
        assertThat(h.get("a.count").get("dtype").asText()).isEqualTo("I64");
        assertThat(h.get("a.count").get("shape")).isEmpty();
        assertThat(h.get("a.count").get("data_offsets").toString()).isEqualTo("[0,8]");
        assertThat(h.get("b.weight").get("dtype").asText()).isEqualTo("F32");
        assertThat(h.get("b.weight").get("shape").toString()).isEqualTo("[2,3]");
        assertThat(h.get("b.weight").get("data_offsets").toString()).isEqualTo("[8,32]");
        assertThat(all).hasSize((int) (8 + n + 32));
        ByteBuffer data = ByteBuffer.wrap(all, (int) (8 + n), 32).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(data.getLong()).isEqualTo(7L);
        for (float f : w) {
            assertThat(data.getFloat()).isEqualTo(f);
        }
        try (java.util.stream.Stream<Path> left = Files.list(dir)) {
            assertThat(left).as("no temporary file left").containsExactly(file);
        }
    }

    @Test
    void readsBackWhatItWrote() throws Exception {
        Path file = dir.resolve("r.safetensors");
        float[] w = {1f, 2f, 3f};
        SafeTensors.write(file, Map.of("x", SafeTensors.Tensor.f32(List.of(3L), w)), Map.of());
        Map<String, SafeTensors.Tensor> back = SafeTensors.read(file);
        assertThat(back).containsOnlyKeys("x");
        assertThat(back.get("x").shape()).containsExactly(3L);
        assertThat(back.get("x").floats()).containsExactly(w);
        assertThat(SafeTensors.readHeader(file).json().has("__metadata__")).isTrue();
    }

    @Test
    void refusesBytesThatDoNotMatchTheShape() {
        assertThatThrownBy(
                        () ->
                                new SafeTensors.Tensor(
                                        SafeTensors.DType.F32, List.of(2L, 2L), new byte[12]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs 16 bytes");
    }

    @Test
    void saysWhenAFileIsNotSafetensors() throws Exception {
        Path file = dir.resolve("junk.safetensors");
        Files.write(file, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> SafeTensors.readHeader(file))
                .hasMessageContaining("not a complete safetensors file");
    }
}
