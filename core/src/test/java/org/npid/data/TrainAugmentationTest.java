package org.npid.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrainAugmentationTest {
    private static final float[] MEAN3 = {0.5f, 0.5f, 0.5f};
    private static final float[] STD3 = {0.25f, 0.25f, 0.25f};

    /** No crop, no jitter: only the chosen grayscale and flip settings act. */
    private static AugmentationParams plain(
            int size, double grayscaleP, boolean flip, float[] mean, float[] std) {
        return new AugmentationParams(size, 1, 1, 1, 1, 0, 0, 0, 0, grayscaleP, flip, mean, std);
    }

    private static Image asymmetric(int side) {
        byte[] px = new byte[side * side * 3];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int p = (y * side + x) * 3;
                px[p] = (byte) (x * 30);
                px[p + 1] = (byte) (y * 20);
                px[p + 2] = (byte) (x * y);
            }
        }
        return new Image(side, side, 3, px);
    }

    private static float[] run(ImageTransform t, Image img, long seed) {
        float[] out = new float[t.outputLength()];
        t.apply(img, new SplittableRandom(seed), out, 0);
        return out;
    }

    @Test
    void writesChannelsTimesSizeSquaredAtOffset() {
        TrainAugmentation t = new TrainAugmentation(AugmentationParams.official(16, MEAN3, STD3));
        float[] dst = new float[5 + 3 * 16 * 16 + 5];
        Arrays.fill(dst, Float.NaN);

        t.apply(asymmetric(24), new SplittableRandom(3), dst, 5);

        assertThat(t.outputLength()).isEqualTo(768);
        for (int i = 0; i < dst.length; i++) {
            assertThat(Float.isNaN(dst[i])).as("index %d", i).isEqualTo(i < 5 || i >= 773);
        }
    }

    @Test
    void sameSeedSameOutputDifferentSeedDifferentOutput() {
        TrainAugmentation t = new TrainAugmentation(AugmentationParams.official(8, MEAN3, STD3));
        Image img = asymmetric(10);

        assertThat(run(t, img, 42)).containsExactly(run(t, img, 42));
        assertThat(run(t, img, 42)).isNotEqualTo(run(t, img, 43));
    }

    @Test
    void identityUpToNormalisationWhenEverythingIsOff() {
        Image img = asymmetric(6);
        float[] out = run(new TrainAugmentation(plain(6, 0, false, MEAN3, STD3)), img, 1);

        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 6; y++) {
                for (int x = 0; x < 6; x++) {
                    float expected = (img.pixel(x, y, c) / 255f - 0.5f) / 0.25f;
                    assertThat(out[(c * 6 + y) * 6 + x]).isCloseTo(expected, within(1e-5f));
                }
            }
        }
    }

    @Test
    void normalisesConstantImageAtTheMeanToZero() {
        byte[] px = new byte[4 * 4];
        Arrays.fill(px, (byte) 102);
        float[] out =
                run(
                        new TrainAugmentation(
                                plain(4, 0, false, new float[] {0.4f}, new float[] {0.25f})),
                        new Image(4, 4, 1, px),
                        5);

        for (float v : out) {
            assertThat(v).isCloseTo(0f, within(1e-5f));
        }
    }

    @Test
    void grayscaleWithProbabilityOneGivesEqualChannels() {
        AugmentationParams c =
                new AugmentationParams(
                        8, 0.2, 1, 0.75, 4.0 / 3, 0.4, 0.4, 0.4, 0.4, 1.0, true, MEAN3, STD3);
        float[] out = run(new TrainAugmentation(c), asymmetric(12), 9);

        for (int i = 0; i < 64; i++) {
            assertThat(out[64 + i]).isCloseTo(out[i], within(1e-5f));
            assertThat(out[128 + i]).isCloseTo(out[i], within(1e-5f));
        }
    }

    @Test
    void flipMirrorsRowsForAboutHalfTheSeeds() {
        Image img = asymmetric(5);
        TrainAugmentation flipping = new TrainAugmentation(plain(5, 0, true, MEAN3, STD3));
        float[] straight = run(new TrainAugmentation(plain(5, 0, false, MEAN3, STD3)), img, 0);
        float[] mirrored = new float[straight.length];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 5; y++) {
                for (int x = 0; x < 5; x++) {
                    mirrored[(c * 5 + y) * 5 + x] = straight[(c * 5 + y) * 5 + 4 - x];
                }
            }
        }
        int flips = 0;
        for (long seed = 0; seed < 40; seed++) {
            float[] out = run(flipping, img, seed);
            if (Arrays.equals(out, mirrored)) {
                flips++;
            } else {
                assertThat(out).containsExactly(straight);
            }
        }
        assertThat(flips).isBetween(8, 32);
    }

    @Test
    void oneChannelInputWorksWithFullJitter() {
        byte[] px = new byte[10 * 10];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 2);
        }
        AugmentationParams c =
                AugmentationParams.official(8, new float[] {0.5f}, new float[] {0.25f});
        float[] out = run(new TrainAugmentation(c), new Image(10, 10, 1, px), 2);

        assertThat(out).hasSize(64);
        for (float v : out) {
            assertThat(v).isBetween(-2f, 2f);
        }
    }

    @Test
    void colourInputIsConvertedForOneChannelOutput() {
        AugmentationParams c = plain(4, 0, false, new float[] {0f}, new float[] {1f});
        byte[] px = new byte[4 * 4 * 3];
        for (int p = 0; p < 16; p++) {
            px[3 * p] = (byte) 255;
        }
        float[] out = run(new TrainAugmentation(c), new Image(4, 4, 3, px), 0);

        assertThat(out[0]).isCloseTo(0.299f, within(1e-5f));
    }

    @Test
    void cropStaysInsideTheImage() {
        TrainAugmentation t = new TrainAugmentation(AugmentationParams.official(8, MEAN3, STD3));
        SplittableRandom rng = new SplittableRandom(0);
        for (int i = 0; i < 500; i++) {
            int[] box = t.cropBox(40, 20, rng);
            assertThat(box[0]).isNotNegative();
            assertThat(box[1]).isNotNegative();
            assertThat(box[0] + box[2]).isLessThanOrEqualTo(40);
            assertThat(box[1] + box[3]).isLessThanOrEqualTo(20);
            assertThat((double) box[2] * box[3]).isGreaterThanOrEqualTo(0.2 * 800 * 0.8);
        }
    }
}
