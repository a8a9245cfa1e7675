package org.npid.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.fixtures.SyntheticIdx;
import org.npid.fixtures.TinyRun;

class ProbeTest {
    @TempDir Path tmp;

    @Test
    void probesEveryStageOfATrainedNetwork() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("d"), 32, 52, 16, 5);
        Path ckpt = TinyRun.checkpoint(data, tmp.resolve("r"));
        List<Probe.StageResult> rows =
                Probe.run(ckpt, data, new Probe.Settings(8, 0.1f, 1e-4f, 32, 1));
        assertThat(rows)
                .extracting(Probe.StageResult::stage)
                .containsExactly("stem", "layer1", "layer2", "layer3", "layer4", "embedding");
        // Stem: 16 channels (width 0.125, rounded to a multiple of 16) at 16x16 = 4,096 dims,
        // below the cap, so unpooled.
        assertThat(rows.get(0).dims()).isEqualTo(16 * 16 * 16);
        assertThat(rows.get(5).dims()).isEqualTo(16);
        // A gate on the probe's own learning: on 208 test images layer1's probe reaches 0.947
        // at its rate of 0.1 and 0.750 at 1e-9 (a probe that does not learn; Zen 3).
        assertThat(rows.get(1).top1()).isGreaterThan(0.85);
    }

    @Test
    void aSubsetOfTheTrainingImagesStillFitsEveryStage() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("d"), 32, 8, 16, 5);
        Path ckpt = TinyRun.checkpoint(data, tmp.resolve("r"));
        List<Probe.StageResult> rows =
                Probe.run(ckpt, data, new Probe.Settings(8, 0.1f, 1e-4f, 32, 1), 64);
        assertThat(rows).hasSize(6);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> Probe.run(ckpt, data, Probe.Settings.defaults(), -1))
                .hasMessageContaining("--train-images");
    }
}
