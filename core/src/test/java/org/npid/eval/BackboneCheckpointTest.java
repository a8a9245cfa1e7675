package org.npid.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.npid.data.Datasets;
import org.npid.data.ImageDataset;
import org.npid.data.Split;
import org.npid.fixtures.SyntheticIdx;
import org.npid.fixtures.TinyRun;
import org.npid.model.Arch;

/**
 * A one-epoch run of AlexNet and VGG16_bn on each stem writes a checkpoint that {@link
 * TrainedModel#load} rebuilds: same architecture, every parameter found, and the embedding, the
 * backbone features and the probes' stages all computed from it.
 */
class BackboneCheckpointTest {
    @TempDir Path tmp;

    @ParameterizedTest
    @CsvSource({
        "alexnet, cifar, 32, ALEXNET, 64",
        "alexnet, imagenet, 64, ALEXNET, 64",
        "vgg16_bn, cifar, 32, VGG16_BN, 128",
        "vgg16_bn, imagenet, 32, VGG16_BN, 128"
    })
    void checkpointRoundTripsThroughTrainedModel(
            String arch, String stem, int side, Arch expected, int featureDim) throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("d"), 8, 4, side, 5);
        Path ckpt =
                TinyRun.run(data, tmp.resolve("r"), 1, "arch", arch, "stem", stem, "width", "0.25")
                        .checkpoint();
        ImageDataset test = Datasets.open(data, Split.TEST);
        try (TrainedModel model = TrainedModel.load(ckpt, 1)) {
            assertThat(model.network().config().arch()).isEqualTo(expected);
            float[] v = model.embed(test, 8, 1);
            assertThat(v).hasSize(test.size() * 16);
            for (int r = 0; r < test.size(); r++) {
                double s = 0;
                for (int c = 0; c < 16; c++) {
                    s += v[r * 16 + c] * v[r * 16 + c];
                }
                assertThat(Math.sqrt(s)).isCloseTo(1, within(1e-4));
            }
            assertThat(model.embedBackbone(test, 8, 1)).hasSize(test.size() * featureDim);
            // Loading again gives the same network: the weights come from the file.
            try (TrainedModel again = TrainedModel.load(ckpt, 1)) {
                assertThat(again.embed(test, 8, 1)).containsExactly(v);
            }
        }
        if (expected == Arch.ALEXNET && "cifar".equals(stem)) {
            List<Probe.StageResult> rows =
                    Probe.run(ckpt, data, new Probe.Settings(1, 0.1f, 1e-4f, 16, 1));
            assertThat(rows)
                    .extracting(Probe.StageResult::stage)
                    .containsExactly("conv1", "conv2", "conv3", "conv4", "conv5", "embedding");
            // conv1: 16 channels at 15x15 (32 px, 3x3 stride-1 conv, 3x3 stride-2 pool).
            assertThat(rows.get(0).dims()).isEqualTo(16 * 15 * 15);
        }
    }
}
