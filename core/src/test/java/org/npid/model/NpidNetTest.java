package org.npid.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NpidNetTest {

    @ParameterizedTest
    @CsvSource({
        "RESNET18, CIFAR, 0.25, 1, 28",
        "RESNET18, CIFAR, 1.0, 1, 28",
        "RESNET18, CIFAR, 0.25, 3, 32",
        "RESNET18, CIFAR, 1.0, 3, 32",
        "RESNET18, IMAGENET, 0.25, 3, 64",
        "RESNET50, IMAGENET, 0.125, 3, 64",
        "RESNET50, CIFAR, 0.125, 1, 28",
        "ALEXNET, CIFAR, 0.25, 1, 28",
        "ALEXNET, IMAGENET, 0.25, 3, 64",
        "VGG16_BN, CIFAR, 0.25, 3, 32",
        "VGG16_BN, IMAGENET, 0.25, 1, 32"
    })
    void embedsEachImageAsAUnitVector(Arch arch, Stem stem, double width, int ch, int side) {
        NetworkShape c = new NetworkShape(arch, stem, width, 128, ch);
        try (NDManager m = NDManager.newBaseManager()) {
            NpidNet net = NpidNet.create(c);
            NDArray v = Nets.forward(m, net, Nets.images(m, 2, ch, side), false);
            assertThat(v.getShape()).isEqualTo(new Shape(2, 128));
            for (float n : v.norm(new int[] {1}).toFloatArray()) {
                assertThat(n).isCloseTo(1f, within(1e-5f));
            }
            assertThat(net.getOutputShapes(new Shape[] {new Shape(2, ch, side, side)}))
                    .containsExactly(new Shape(2, 128));
        }
    }

    @Test
    void exposesItsParts() {
        NetworkShape c = new NetworkShape(Arch.RESNET18, Stem.CIFAR, 0.25, 64, 1);
        NpidNet net = NpidNet.create(c);
        assertThat(net.config()).isEqualTo(c);
        assertThat(net.backbone().featureDim()).isEqualTo(128);
        assertThat(net.head().embeddingDim()).isEqualTo(64);
    }

    @Test
    void batchNormFollowsTheTrainingFlag() {
        NetworkShape c = new NetworkShape(Arch.RESNET18, Stem.CIFAR, 0.125, 16, 1);
        try (NDManager m = NDManager.newBaseManager()) {
            NpidNet net = NpidNet.create(c);
            NDArray x = Nets.images(m, 4, 1, 12);
            net.initialize(m, DataType.FLOAT32, x.getShape());
            ParameterStore ps = new ParameterStore(m, false);
            NDArray eval1 = net.forward(ps, new NDList(x), false).singletonOrThrow();
            NDArray eval2 = net.forward(ps, new NDList(x), false).singletonOrThrow();
            NDArray train = net.forward(ps, new NDList(x), true).singletonOrThrow();
            assertThat(eval1.contentEquals(eval2)).isTrue();
            assertThat(train.sub(eval1).abs().max().getFloat()).isGreaterThan(1e-3f);
        }
    }

    @Test
    void oneSgdStepChangesTheWeights() {
        NetworkShape c = new NetworkShape(Arch.RESNET18, Stem.CIFAR, 0.125, 8, 1);
        Optimizer sgd = Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.5f)).build();
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss()).optOptimizer(sgd);
        try (Model model = Model.newInstance("npid-test")) {
            NpidNet net = NpidNet.create(c);
            model.setBlock(net);
            try (Trainer trainer = model.newTrainer(config)) {
                NDManager m = trainer.getManager();
                NDArray x = Nets.images(m, 4, 1, 12);
                trainer.initialize(x.getShape());
                Parameter stemConv = firstWeight(net);
                Parameter headWeight = net.head().getParameters().get(0).getValue();
                NDArray stemBefore = stemConv.getArray().duplicate();
                NDArray headBefore = headWeight.getArray().duplicate();
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    NDArray v = trainer.forward(new NDList(x)).singletonOrThrow();
                    // Pull every embedding towards the first axis: any non-constant loss will do.
                    gc.backward(v.get(":, 0").sum().neg());
                }
                trainer.step();
                assertThat(stemConv.getArray().contentEquals(stemBefore)).isFalse();
                assertThat(headWeight.getArray().contentEquals(headBefore)).isFalse();
            }
        }
    }

    private static Parameter firstWeight(NpidNet net) {
        return net.getParameters().stream()
                .filter(p -> p.getKey().endsWith("stem_conv_weight"))
                .findFirst()
                .orElseThrow()
                .getValue();
    }
}
