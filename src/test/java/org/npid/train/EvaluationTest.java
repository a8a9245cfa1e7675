package org.npid.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.eval.KnnResult;

class EvaluationTest {
    @TempDir Path tmp;

    @Test
    void rawPixelBaselineSeparatesPatternsThatDifferPixelByPixel() throws Exception {
        // Four stripe/checker/disc classes in four phases each: every test image has training
        // images of its class and phase, so its nearest neighbour by pixel cosine is one of them.
        Path data = SyntheticIdx.write(tmp.resolve("d"), 24, 8, 16, 3);
        KnnResult r = Evaluation.rawPixelKnn(data, 5, 0.07f);
        assertThat(r.nn1()).isEqualTo(1.0);
        assertThat(r.top1()).isEqualTo(1.0);
        assertThat(r.predictions()).hasSize(8 * SyntheticIdx.CLASSES);
    }

    @Test
    void rawPixelBaselineNeedsLabels() {
        assertThatThrownBy(() -> Evaluation.rawPixelKnn(tmp.resolve("missing"), 5, 0.07f))
                .isInstanceOf(RuntimeException.class)
                .hasMessageContaining("missing");
    }
}
