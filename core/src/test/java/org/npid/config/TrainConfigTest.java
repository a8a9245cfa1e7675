package org.npid.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.npid.config.ObjectiveConfig.NeighbourSource;
import org.npid.model.Arch;
import org.npid.model.Head;
import org.npid.model.NetworkShape;

class TrainConfigTest {

    private static ByteArrayInputStream yaml(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private static TrainConfig set(Map<String, String> overrides) {
        return TrainConfig.resolve((Path) null, overrides);
    }

    @Test
    void yamlOverlaysDefaultsAndFlagsOverlayYaml() {
        TrainConfig c =
                TrainConfig.resolve(
                        yaml(
                                "epochs: 3\nmodel:\n  arch: resnet50\nobjective:\n  temperature: 0.1\n"),
                        Map.of("epochs", "5", "batch-size", "64", "optimiser.lr", "0.5"));
        assertThat(c.epochs()).isEqualTo(5);
        assertThat(c.batchSize()).isEqualTo(64);
        assertThat(c.model().arch()).isEqualTo(Arch.RESNET50);
        assertThat(c.objective().temperature()).isEqualTo(0.1f);
        assertThat(c.objective().nceNoise()).isEqualTo(4096);
        assertThat(c.optimiser().lr()).isEqualTo(0.5);
    }

    @Test
    void theFlatKeysOfEarlierVersionsStillWork() {
        TrainConfig c =
                TrainConfig.resolve(
                        yaml("arch: resnet50\nobjective: softmax\nbank_momentum: 0.25\nknn_k: 7\n"),
                        Map.of("lr", "0.1", "knn_features", "backbone", "bank_init", "random"));
        assertThat(c.model().arch()).isEqualTo(Arch.RESNET50);
        assertThat(c.objective().loss()).isEqualTo(ObjectiveConfig.Loss.SOFTMAX);
        assertThat(c.bank().momentum()).isEqualTo(0.25f);
        assertThat(c.evaluation().k()).isEqualTo(7);
        assertThat(c.optimiser().lr()).isEqualTo(0.1);
        assertThat(c.evaluation().features()).isEqualTo(EvaluationConfig.Features.BACKBONE);
        assertThatThrownBy(() -> set(Map.of("bank_init", "network")))
                .hasMessageContaining("bank_init")
                .hasMessageContaining("removed");
    }

    @Test
    void unknownKeysAndBadValuesNameTheField() {
        assertThatThrownBy(() -> TrainConfig.resolve(yaml("epoch: 3\n"), Map.of()))
                .hasMessageContaining("unknown config key 'epoch'")
                .hasMessageContaining("epochs");
        assertThatThrownBy(() -> TrainConfig.resolve(yaml("optimiser:\n  lrate: 3\n"), Map.of()))
                .hasMessageContaining("optimiser.lrate")
                .hasMessageContaining("optimiser.lr");
        assertThatThrownBy(() -> TrainConfig.resolve(yaml("epochs: ten\n"), Map.of()))
                .hasMessageContaining("epochs");
        assertThatThrownBy(() -> set(Map.of("batch_size", "0"))).hasMessageContaining("batch_size");
        assertThatThrownBy(() -> set(Map.of("nce_z_momentum", "1")))
                .hasMessageContaining("objective.nce_z_momentum");
        assertThatThrownBy(() -> set(Map.of("knn_probes", "200")))
                .hasMessageContaining("evaluation.probes")
                .hasMessageContaining("evaluation.lists = 128");
        assertThatThrownBy(() -> set(Map.of("ema_decay", "1")))
                .hasMessageContaining("optimiser.ema_decay");
        assertThatThrownBy(() -> set(Map.of("objective", "nce", "neighbours", "5")))
                .hasMessageContaining("objective.neighbours")
                .hasMessageContaining("objective.loss: softmax");
        assertThatThrownBy(() -> set(Map.of("neighbours_from_epoch", "0")))
                .hasMessageContaining("neighbours_from_epoch");
        assertThatThrownBy(() -> set(Map.of("head", "deep")))
                .hasMessageContaining("deep")
                .hasMessageContaining("MLP");
    }

    @Test
    void neighbourSourceReadsEveryKindAndNamesTheKeyWhenWrong() {
        assertThat(TrainConfig.defaults().objective().neighbourSource())
                .isEqualTo(NeighbourSource.FEATURES);
        assertThat(
                        set(Map.of("neighbour_source", "pixels_and_features"))
                                .objective()
                                .neighbourSource())
                .isEqualTo(NeighbourSource.PIXELS_AND_FEATURES);
        assertThat(set(Map.of("neighbour_source", "pixels")).objective().neighbourSource())
                .isEqualTo(NeighbourSource.PIXELS);
        assertThatThrownBy(() -> set(Map.of("neighbour_source", "pixel")))
                .hasMessageContaining("pixel");
    }

    @Test
    void headChoosesTheNetworkAndDefaultsToThePapers() {
        assertThat(TrainConfig.defaults().model().forChannels(3).head()).isEqualTo(Head.LINEAR);
        TrainConfig c = set(Map.of("head", "mlp", "knn_features", "backbone"));
        assertThat(c.model().forChannels(1))
                .isEqualTo(
                        new NetworkShape(
                                c.model().arch(), c.model().stem(), 0.25, 128, 1, Head.MLP));
        assertThat(c.evaluation().features()).isEqualTo(EvaluationConfig.Features.BACKBONE);
    }

    @Test
    void aConfigWrittenBeforeNewKeysExistedGetsTheirDefaults() {
        String old =
                TrainConfig.defaults()
                        .toYaml()
                        .replaceAll("(?m)^  (lists|ema_decay|head|features):.*\n", "");
        assertThat(old).doesNotContain("lists");
        TrainConfig c = TrainConfig.fromYaml(old);
        assertThat(c.evaluation().lists()).isEqualTo(128);
        assertThat(c.optimiser().emaDecay()).isZero();
        assertThat(c.model().head()).isEqualTo(Head.LINEAR);
        assertThat(c.evaluation().features()).isEqualTo(EvaluationConfig.Features.EMBEDDING);
    }

    @Test
    void aFlatConfigOfAnEarlierVersionReadsAsTheSameRun() {
        String flat =
                """
                data: /x
                arch: resnet18
                width: 0.5
                objective: nce
                nce_scoring: gather
                bank_momentum: 0.5
                bank_init: random
                knn_k: 200
                lr: 0.03
                flip: true
                """;
        TrainConfig c = TrainConfig.fromYaml(flat);
        assertThat(c.model().width()).isEqualTo(0.5);
        assertThat(c.objective().nceScoring()).isEqualTo(org.npid.loss.NceScoring.GATHER);
        assertThat(c.augmentation().flip()).isTrue();
        assertThat(TrainConfig.fromYaml(c.toYaml())).isEqualTo(c);
    }

    @Test
    void yamlRoundTripsInSections() {
        TrainConfig c = set(Map.of("data", "/x", "flip", "true"));
        assertThat(TrainConfig.fromYaml(c.toYaml())).isEqualTo(c);
        assertThat(c.toYaml())
                .contains("batch_size: 128")
                .contains("data: /x")
                .contains("augmentation:\n")
                .contains("  flip: true");
        assertThat(c.with("optimiser.lr", "0.25").optimiser().lr()).isEqualTo(0.25);
    }

    @Test
    void beyondThePaperIsNamed() {
        assertThat(set(Map.of("objective", "softmax")).beyondPaper()).isNull();
        assertThat(TrainConfig.defaults().beyondPaper())
                .contains("moving-average Z")
                .contains("batch-shared noise");
        assertThat(set(Map.of("objective", "softmax", "neighbours", "20")).beyondPaper())
                .contains("AND neighbourhood positives");
        assertThat(set(Map.of("objective", "softmax", "crop_fraction", "0.75")).beyondPaper())
                .isEqualTo("training crops of 0.75 of the image side (augmentation.crop_fraction)");
        assertThat(
                        set(Map.of("objective", "softmax", "evaluation.features", "backbone"))
                                .beyondPaper())
                .contains("backbone's pooled features")
                .contains("(evaluation.features backbone)");
    }

    @Test
    void twoViewsAreNamedAndNeedTheExactSoftmaxWithoutNeighbours() {
        TrainConfig two = set(Map.of("objective", "softmax", "objective.views", "2"));
        assertThat(two.objective().views()).isEqualTo(2);
        assertThat(two.beyondPaper()).contains("two views per image").contains("(views 2)");
        assertThat(TrainConfig.defaults().objective().views()).isEqualTo(1);
        assertThatThrownBy(() -> set(Map.of("objective.views", "2")))
                .hasMessageContaining("objective.views")
                .hasMessageContaining("softmax");
        assertThatThrownBy(
                        () ->
                                set(
                                        Map.of(
                                                "objective",
                                                "softmax",
                                                "neighbours",
                                                "20",
                                                "neighbour_source",
                                                "pixels",
                                                "objective.views",
                                                "2")))
                .hasMessageContaining("objective.views");
        assertThatThrownBy(() -> set(Map.of("objective", "softmax", "objective.views", "3")))
                .hasMessageContaining("objective.views");
    }

    @Test
    void cropFractionSetsTheTrainingCropsOnlyAndNamesTheKeyWhenWrong() {
        float[] zero = {0};
        float[] one = {1};
        assertThat(TrainConfig.defaults().augmentation().forImages(32, zero, one).size())
                .isEqualTo(32);
        TrainConfig small = set(Map.of("augmentation.crop_fraction", "0.75"));
        assertThat(small.augmentation().forImages(32, zero, one).size()).isEqualTo(24);
        assertThat(small.augmentation().forImages(28, zero, one).size()).isEqualTo(21);
        assertThat(small.augmentation().imageSize()).isZero();
        assertThatThrownBy(() -> set(Map.of("crop_fraction", "0")))
                .hasMessageContaining("augmentation.crop_fraction");
        assertThatThrownBy(() -> set(Map.of("crop_fraction", "1.5")))
                .hasMessageContaining("augmentation.crop_fraction");
    }

    @Test
    void aValidationShareIsOffByDefaultAndNamesTheKeyWhenWrong() {
        assertThat(TrainConfig.defaults().evaluation().onValidation()).isFalse();
        TrainConfig held = set(Map.of("evaluation.validation", "0.1"));
        assertThat(held.evaluation().validation()).isEqualTo(0.1);
        assertThat(held.evaluation().onValidation()).isTrue();
        assertThat(TrainConfig.fromYaml(held.toYaml()).evaluation().validation()).isEqualTo(0.1);
        assertThatThrownBy(() -> set(Map.of("evaluation.validation", "1")))
                .hasMessageContaining("evaluation.validation")
                .hasMessageContaining("[0, 1)");
        assertThatThrownBy(() -> set(Map.of("evaluation.validation", "-0.1")))
                .hasMessageContaining("evaluation.validation");
    }

    @Test
    void bundledRecipesResolve() throws Exception {
        for (String r :
                new String[] {
                    "fmnist-short",
                    "cifar-short",
                    "cifar-views",
                    "paper-cifar",
                    "paper-cifar-nce",
                    "paper"
                }) {
            assertThat(recipe(r).epochs()).isPositive();
        }
    }

    @Test
    void thePaperRecipesAreThePapersAndSayNothingBeyondIt() throws Exception {
        TrainConfig softmax = recipe("paper-cifar");
        assertThat(softmax.objective().loss()).isEqualTo(ObjectiveConfig.Loss.SOFTMAX);
        assertThat(softmax.beyondPaper()).isNull();
        TrainConfig nce = recipe("paper-cifar-nce");
        assertThat(nce.objective().nceScoring()).isEqualTo(org.npid.loss.NceScoring.GATHER);
        assertThat(nce.objective().nceZMomentum()).isZero();
        assertThat(nce.objective().nceNoise()).isEqualTo(4096);
        assertThat(nce.beyondPaper()).isNull();
        assertThat(recipe("paper").beyondPaper()).isNull();
        assertThat(recipe("fmnist-short").beyondPaper()).contains("AND neighbourhood positives");
        assertThat(recipe("cifar-short").beyondPaper()).isNull();
        assertThat(recipe("cifar-views").beyondPaper())
                .contains("two views per image")
                .doesNotContain("backbone");
    }

    private static TrainConfig recipe(String name) throws Exception {
        try (var in = TrainConfig.class.getResourceAsStream("/recipes/" + name + ".yaml")) {
            return TrainConfig.resolve(in, Map.of());
        }
    }

    @Test
    void aTimeBudgetReadsCommonDurationsAndNamesTheKeyWhenWrong() {
        assertThat(set(Map.of("time_budget", "10m")).timeBudgetDuration()).hasSeconds(600);
        assertThat(set(Map.of("time_budget", "1h30m")).timeBudgetDuration()).hasSeconds(5400);
        assertThat(set(Map.of("time_budget", "1.5h")).timeBudgetDuration()).hasSeconds(5400);
        assertThat(set(Map.of("time_budget", "90")).timeBudgetDuration()).hasSeconds(90);
        assertThat(TrainConfig.defaults().timeBudgetDuration()).isNull();
        assertThatThrownBy(() -> set(Map.of("time_budget", "ten minutes")))
                .hasMessageContaining("time_budget: expected a duration such as 90s");
        assertThatThrownBy(() -> set(Map.of("time_budget", "10m", "step_budget", "100")))
                .hasMessageContaining("time_budget: give a time budget or a step budget");
        assertThatThrownBy(() -> set(Map.of("train_images", "-1")))
                .hasMessageContaining("train_images: must be >= 0");
    }
}
