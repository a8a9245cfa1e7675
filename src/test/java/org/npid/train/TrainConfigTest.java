package org.npid.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.npid.model.Arch;
import org.npid.model.Head;
import org.npid.model.ModelConfig;

class TrainConfigTest {

    private static ByteArrayInputStream yaml(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void yamlOverlaysDefaultsAndFlagsOverlayYaml() {
        TrainConfig c =
                TrainConfig.resolve(
                        yaml("epochs: 3\narch: resnet50\ntemperature: 0.1\n"),
                        Map.of("epochs", "5", "batch-size", "64"));
        assertThat(c.epochs()).isEqualTo(5);
        assertThat(c.batchSize()).isEqualTo(64);
        assertThat(c.arch()).isEqualTo(Arch.RESNET50);
        assertThat(c.temperature()).isEqualTo(0.1f);
        assertThat(c.nceNoise()).isEqualTo(4096);
    }

    @Test
    void unknownKeysAndBadValuesNameTheField() {
        assertThatThrownBy(() -> TrainConfig.resolve(yaml("epoch: 3\n"), Map.of()))
                .hasMessageContaining("unknown config key 'epoch'")
                .hasMessageContaining("epochs");
        assertThatThrownBy(() -> TrainConfig.resolve(yaml(""), Map.of("batch_size", "0")))
                .hasMessageContaining("batch_size");
        assertThatThrownBy(() -> TrainConfig.resolve(yaml(""), Map.of("nce_z_momentum", "1")))
                .hasMessageContaining("nce_z_momentum");
        assertThatThrownBy(() -> TrainConfig.resolve((Path) null, Map.of("knn_probes", "200")))
                .hasMessageContaining("knn_probes")
                .hasMessageContaining("knn_lists = 128");
        assertThatThrownBy(() -> TrainConfig.resolve((Path) null, Map.of("ema_decay", "1")))
                .hasMessageContaining("ema_decay");
        assertThatThrownBy(
                        () ->
                                TrainConfig.resolve(
                                        (Path) null, Map.of("objective", "nce", "neighbours", "5")))
                .hasMessageContaining("neighbours")
                .hasMessageContaining("objective: softmax");
        assertThatThrownBy(
                        () ->
                                TrainConfig.resolve(
                                        (Path) null, Map.of("neighbours_from_epoch", "0")))
                .hasMessageContaining("neighbours_from_epoch");
        assertThatThrownBy(() -> TrainConfig.resolve((Path) null, Map.of("head", "deep")))
                .hasMessageContaining("deep")
                .hasMessageContaining("MLP");
    }

    @Test
    void neighbourSourceReadsEveryKindAndNamesTheKeyWhenWrong() {
        assertThat(TrainConfig.defaults().neighbourSource())
                .isEqualTo(TrainConfig.NeighbourSource.FEATURES);
        assertThat(
                        TrainConfig.resolve(
                                        (Path) null,
                                        Map.of("neighbour_source", "pixels_and_features"))
                                .neighbourSource())
                .isEqualTo(TrainConfig.NeighbourSource.PIXELS_AND_FEATURES);
        assertThat(
                        TrainConfig.resolve((Path) null, Map.of("neighbour_source", "pixels"))
                                .neighbourSource())
                .isEqualTo(TrainConfig.NeighbourSource.PIXELS);
        assertThatThrownBy(
                        () -> TrainConfig.resolve((Path) null, Map.of("neighbour_source", "pixel")))
                .hasMessageContaining("pixel");
    }

    @Test
    void headChoosesTheNetworkAndDefaultsToThePapers() {
        assertThat(TrainConfig.defaults().model(3).head()).isEqualTo(Head.LINEAR);
        TrainConfig c =
                TrainConfig.resolve((Path) null, Map.of("head", "mlp", "knn_features", "backbone"));
        assertThat(c.model(1))
                .isEqualTo(new ModelConfig(c.arch(), c.stem(), 0.25, 128, 1, Head.MLP));
        assertThat(c.knnFeatures()).isEqualTo(Evaluation.Features.BACKBONE);
    }

    @Test
    void aConfigWrittenBeforeNewKeysExistedGetsTheirDefaults() {
        String old =
                TrainConfig.defaults()
                        .toYaml()
                        .replaceAll("(?m)^(knn_lists|ema_decay|head|knn_features):.*\n", "");
        assertThat(old).doesNotContain("knn_lists");
        TrainConfig c = TrainConfig.fromYaml(old);
        assertThat(c.knnLists()).isEqualTo(128);
        assertThat(c.emaDecay()).isZero();
        assertThat(c.head()).isEqualTo(Head.LINEAR);
        assertThat(c.knnFeatures()).isEqualTo(Evaluation.Features.EMBEDDING);
    }

    @Test
    void yamlRoundTrips() {
        TrainConfig c = TrainConfig.resolve(yaml(""), Map.of("data", "/x", "flip", "true"));
        assertThat(TrainConfig.fromYaml(c.toYaml())).isEqualTo(c);
        assertThat(c.toYaml()).contains("batch_size: 128").contains("data: /x");
    }

    @Test
    void bundledRecipesResolve() throws Exception {
        for (String r : new String[] {"fmnist-short", "cifar-short", "paper-cifar"}) {
            try (var in = TrainConfig.class.getResourceAsStream("/recipes/" + r + ".yaml")) {
                assertThat(TrainConfig.resolve(in, Map.of()).epochs()).isPositive();
            }
        }
    }
}
