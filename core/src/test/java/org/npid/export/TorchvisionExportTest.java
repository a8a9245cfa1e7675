package org.npid.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.checkpoint.CheckpointException;
import org.npid.eval.TrainedModel;
import org.npid.model.Arch;
import org.npid.model.Head;

class TorchvisionExportTest {
    @TempDir Path dir;

    @Test
    void writesTorchvisionNamesShapesAndADescription() throws Exception {
        Path ckpt =
                ExportFixture.checkpoint(
                        dir.resolve("run"), 1, 16, "width", "0.125", "embedding_dim", "16");
        Path out = dir.resolve("out/tiny.safetensors");

        TorchvisionExport.Result r = TorchvisionExport.export(ckpt.getParent(), out);

        assertThat(r.json()).isEqualTo(dir.resolve("out/tiny.json"));
        assertThat(r.strictLoad()).isFalse();
        assertThat(r.notes()).anyMatch(n -> n.contains("width 0.125"));
        assertThat(r.notes()).anyMatch(n -> n.contains("1-channel"));
        Map<String, SafeTensors.Tensor> tensors = SafeTensors.read(out);
        assertThat(tensors.keySet())
                .isEqualTo(TorchvisionNamesTest.torchvisionKeys(Arch.RESNET18, Head.LINEAR));
        assertThat(r.tensors()).isEqualTo(122);
        assertThat(tensors.get("conv1.weight").shape()).containsExactly(16L, 1L, 3L, 3L);
        assertThat(tensors.get("layer4.0.downsample.0.weight").shape())
                .containsExactly(64L, 32L, 1L, 1L);
        assertThat(tensors.get("fc.weight").shape()).containsExactly(16L, 64L);
        assertThat(tensors.get("bn1.num_batches_tracked").dtype()).isEqualTo(SafeTensors.DType.I64);
        try (TrainedModel m = TrainedModel.load(ckpt)) {
            for (var p : m.network().getParameters()) {
                String name = TorchvisionNames.of(p.getKey(), Head.LINEAR);
                assertThat(tensors.get(name).floats())
                        .as(name)
                        .containsExactly(p.getValue().getArray().toFloatArray());
            }
        }

        JsonNode d = new ObjectMapper().readTree(r.json().toFile());
        assertThat(d.get("torchvision_model").asText()).isEqualTo("resnet18");
        assertThat(d.get("stem").get("kind").asText()).isEqualTo("cifar");
        assertThat(d.get("width").asDouble()).isEqualTo(0.125);
        assertThat(d.get("stage_widths").toString()).isEqualTo("[16,16,32,64]");
        assertThat(d.get("head").get("in_features").asInt()).isEqualTo(64);
        assertThat(d.get("head").get("out_features").asInt()).isEqualTo(16);
        assertThat(d.get("input").get("image_size").asInt()).isEqualTo(16);
        assertThat(d.get("input").get("mean").toString()).isEqualTo("[0.5]");
        assertThat(d.get("config").get("model").get("width").asDouble()).isEqualTo(0.125);
        assertThat(d.get("config_yaml").asText()).contains("width");
        List<String> listed = new ArrayList<>();
        d.get("tensors").forEach(t -> listed.add(t.get("name").asText()));
        assertThat(listed).containsExactlyElementsOf(tensors.keySet().stream().sorted().toList());
    }

    @Test
    void saysWhatToDoWithoutACheckpoint() {
        assertThatThrownBy(
                        () ->
                                TorchvisionExport.export(
                                        dir.resolve("none"), dir.resolve("x.safetensors")))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("does not exist");
        assertThat(Files.exists(dir.resolve("x.safetensors"))).isFalse();
    }

    @Test
    void refusesADirectoryAsOut() {
        assertThatThrownBy(() -> TorchvisionExport.export(dir.resolve("none"), dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is a directory");
    }
}
