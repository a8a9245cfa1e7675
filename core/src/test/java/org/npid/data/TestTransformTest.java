package org.npid.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TestTransformTest {
    private static final float[] ZERO = {0f};
    private static final float[] ONE = {1f};

    private static float[] run(TestTransform t, Image img) {
        float[] out = new float[t.outputLength()];
        t.apply(img, new SplittableRandom(0), out, 0);
        for (int i = 0; i < out.length; i++) {
            out[i] *= 255f;
        }
        return out;
    }

    private static Image gray(int w, int h, int... values) {
        byte[] px = new byte[w * h];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) values[i];
        }
        return new Image(w, h, 1, px);
    }

    @Test
    void centreCropsTallImageWithoutResizing() {
        Image img = gray(2, 4, 1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(run(new TestTransform(2, ZERO, ONE), img))
                .containsExactly(new float[] {3, 4, 5, 6}, within(1e-3f));
    }

    @Test
    void centreCropOffsetRoundsHalfToEvenLikeTorchvision() {
        Image img = gray(3, 2, 1, 2, 3, 4, 5, 6);
        assertThat(run(new TestTransform(2, ZERO, ONE), img))
                .containsExactly(new float[] {1, 2, 4, 5}, within(1e-3f));
    }

    @Test
    void upscalesShorterSideBilinearly() {
        Image img = gray(2, 2, 0, 100, 0, 100);
        float[] out = run(new TestTransform(4, ZERO, ONE), img);
        assertThat(new float[] {out[4], out[5], out[6], out[7]})
                .containsExactly(new float[] {0, 25, 75, 100}, within(1e-3f));
    }

    @Test
    void downscalesAndCropsConstantImageToTheConstant() {
        byte[] px = new byte[40 * 30 * 3];
        java.util.Arrays.fill(px, (byte) 51);
        TestTransform t =
                new TestTransform(8, new float[] {0.2f, 0.2f, 0.2f}, new float[] {1, 1, 1});
        float[] out = new float[t.outputLength()];
        t.apply(new Image(40, 30, 3, px), new SplittableRandom(0), out, 0);
        assertThat(out).hasSize(192);
        for (float v : out) {
            assertThat(v).isCloseTo(0f, within(1e-5f));
        }
    }

    @Test
    void ignoresTheRandomSource() {
        Image img = gray(5, 5, new int[25]);
        TestTransform t = new TestTransform(3, ZERO, ONE);
        float[] a = new float[9];
        float[] b = new float[9];
        t.apply(img, new SplittableRandom(1), a, 0);
        t.apply(img, new SplittableRandom(2), b, 0);
        assertThat(a).containsExactly(b);
    }
}
