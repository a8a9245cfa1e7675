package org.npid.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.npid.model.Arch;
import org.npid.model.Head;
import org.npid.model.NetworkShape;
import org.npid.model.NpidNet;
import org.npid.model.Stem;

class TorchvisionNamesTest {

    private static final List<String> BN =
            List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked");

    /** torchvision's state-dict keys, written out from its ResNet's structure. */
    static Set<String> torchvisionKeys(Arch arch, Head head) {
        List<String> keys = new ArrayList<>();
        keys.add("conv1.weight");
        bn(keys, "bn1");
        int convs = arch == Arch.RESNET18 ? 2 : 3;
        for (int stage = 0; stage < 4; stage++) {
            for (int b = 0; b < arch.blocks(stage); b++) {
                String p = "layer" + (stage + 1) + "." + b + ".";
                for (int c = 1; c <= convs; c++) {
                    keys.add(p + "conv" + c + ".weight");
                    bn(keys, p + "bn" + c);
                }
                // Bottlenecks widen layer1 too, so their first block always projects.
                if (b == 0 && (stage > 0 || arch == Arch.RESNET50)) {
                    keys.add(p + "downsample.0.weight");
                    bn(keys, p + "downsample.1");
                }
            }
        }
        if (head == Head.MLP) {
            keys.add("fc.0.weight");
            bn(keys, "fc.1");
            keys.add("fc.3.weight");
            keys.add("fc.3.bias");
        } else {
            keys.add("fc.weight");
            keys.add("fc.bias");
        }
        return Set.copyOf(keys);
    }

    private static void bn(List<String> keys, String prefix) {
        BN.forEach(k -> keys.add(prefix + "." + k));
    }

    @ParameterizedTest
    @CsvSource({
        "RESNET18, CIFAR, LINEAR, 122",
        "RESNET18, IMAGENET, LINEAR, 122",
        "RESNET50, CIFAR, LINEAR, 320",
        "RESNET50, IMAGENET, LINEAR, 320",
        "RESNET18, CIFAR, MLP, 128",
        "RESNET50, IMAGENET, MLP, 326"
    })
    void namesEveryParameterOnceAsTorchvisionDoes(
            Arch arch, Stem stem, Head head, int stateDictSize) {
        // Parameters exist before initialisation: names need no weights.
        NpidNet net = NpidNet.create(new NetworkShape(arch, stem, 1.0, 128, 3, head));
        Set<String> names = new HashSet<>();
        for (var p : net.getParameters()) {
            String name = TorchvisionNames.of(p.getKey(), head);
            assertThat(names.add(name)).as("duplicate " + name).isTrue();
            TorchvisionNames.batchCounter(name)
                    .ifPresent(c -> assertThat(names.add(c)).as("duplicate " + c).isTrue());
        }
        // len(torchvision.models.resnet18().state_dict()) is 122, resnet50's 320.
        assertThat(names).hasSize(stateDictSize).isEqualTo(torchvisionKeys(arch, head));
    }

    @Test
    void mapsTheNamesOfTheBrief() {
        assertThat(TorchvisionNames.of("01backbone_02stem_bn_runningVar", Head.LINEAR))
                .isEqualTo("bn1.running_var");
        assertThat(
                        TorchvisionNames.of(
                                "01backbone_04layer2_01BasicBlock_05shortcut_02BatchNorm_gamma",
                                Head.LINEAR))
                .isEqualTo("layer2.0.downsample.1.weight");
        assertThat(
                        TorchvisionNames.of(
                                "01backbone_05layer3_06Bottleneck_05conv3_weight", Head.LINEAR))
                .isEqualTo("layer3.5.conv3.weight");
        assertThat(TorchvisionNames.batchCounter("layer1.0.bn1.running_var"))
                .contains("layer1.0.bn1.num_batches_tracked");
        assertThat(TorchvisionNames.batchCounter("layer1.0.bn1.running_mean")).isEmpty();
        assertThat(TorchvisionNames.model(Arch.RESNET50)).isEqualTo("resnet50");
    }

    @Test
    void refusesAParameterOutsideTheLayout() {
        assertThatThrownBy(() -> TorchvisionNames.of("01backbone_07attention_weight", Head.LINEAR))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no torchvision name");
        assertThatThrownBy(() -> TorchvisionNames.of("02head_01hidden_weight", Head.LINEAR))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Every key of torchvision 0.14.1's {@code alexnet().features} (10) and {@code
     * vgg16_bn().features} (13 convs with bias, 13 BNs with 5 keys: 91), plus the head as {@code
     * classifier}, from {@code [k for k in m.features.state_dict()]} with Debian's torchvision.
     */
    @ParameterizedTest
    @CsvSource({
        "ALEXNET, CIFAR, LINEAR, 12",
        "ALEXNET, IMAGENET, MLP, 18",
        "VGG16_BN, CIFAR, LINEAR, 93",
        "VGG16_BN, IMAGENET, MLP, 99"
    })
    void namesAlexNetAndVggAsTorchvisionsFeatures(Arch arch, Stem stem, Head head, int size) {
        NpidNet net = NpidNet.create(new NetworkShape(arch, stem, 1.0, 128, 3, head));
        Set<String> names = new HashSet<>();
        for (var p : net.getParameters()) {
            String name = TorchvisionNames.of(p.getKey(), arch, head);
            assertThat(names.add(name)).as("duplicate " + name).isTrue();
            TorchvisionNames.batchCounter(name).ifPresent(names::add);
        }
        Set<String> expected = new HashSet<>();
        int[] convs =
                arch == Arch.ALEXNET
                        ? new int[] {0, 3, 6, 8, 10}
                        : new int[] {0, 3, 7, 10, 14, 17, 20, 24, 27, 30, 34, 37, 40};
        for (int c : convs) {
            expected.add("features." + c + ".weight");
            expected.add("features." + c + ".bias");
            if (arch == Arch.VGG16_BN) {
                for (String k :
                        List.of(
                                "weight",
                                "bias",
                                "running_mean",
                                "running_var",
                                "num_batches_tracked")) {
                    expected.add("features." + (c + 1) + "." + k);
                }
            }
        }
        if (head == Head.MLP) {
            expected.add("classifier.0.weight");
            for (String k :
                    List.of(
                            "weight",
                            "bias",
                            "running_mean",
                            "running_var",
                            "num_batches_tracked")) {
                expected.add("classifier.1." + k);
            }
            expected.add("classifier.3.weight");
            expected.add("classifier.3.bias");
        } else {
            expected.add("classifier.weight");
            expected.add("classifier.bias");
        }
        assertThat(names).hasSize(size).isEqualTo(expected);
        assertThat(TorchvisionNames.model(arch)).isEqualTo(arch.name().toLowerCase(Locale.ROOT));
    }
}
