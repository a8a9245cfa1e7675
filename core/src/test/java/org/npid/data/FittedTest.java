package org.npid.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FittedTest {
    @TempDir Path tmp;

    @Test
    void imagesOfMixedSizesComeOutAtOneSizeAsTheTestTransformCropsThem() throws Exception {
        Path root = tmp.resolve("mixed");
        TestData.write(TestData.gray(60, 20, 200), root.resolve("a/wide.png"));
        TestData.write(TestData.gray(16, 16, 50), root.resolve("a/square.png"));
        ImageDataset fitted = Fitted.to(ImageFolderDataset.open(root), 10);
        assertThat(fitted.size()).isEqualTo(2);
        for (int i = 0; i < 2; i++) {
            Image image = fitted.image(i);
            assertThat(image.width()).isEqualTo(10);
            assertThat(image.height()).isEqualTo(10);
        }
        // Uniform images stay uniform through the resize and the crop.
        assertThat(fitted.image(0).pixel(3, 4, 0)).isEqualTo(50);
        assertThat(fitted.image(1).pixel(9, 9, 0)).isEqualTo(200);
        assertThat(fitted.labels()).containsExactly(0, 0);
    }

    @Test
    void matchesTheTestTransformBeforeNormalisation() throws Exception {
        Path root = tmp.resolve("rgb");
        TestData.write(TestData.rgb(40, 24, 7), root.resolve("x/a.png"));
        ImageFolderDataset ds = ImageFolderDataset.open(root);
        Image fitted = Fitted.to(ds, 12).image(0);
        float[] normalised = new float[3 * 12 * 12];
        new TestTransform(12, new float[] {0, 0, 0}, new float[] {1, 1, 1})
                .apply(ds.image(0), null, normalised, 0);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 12; y++) {
                for (int x = 0; x < 12; x++) {
                    float expected = normalised[c * 144 + y * 12 + x] * 255;
                    assertThat((float) fitted.pixel(x, y, c))
                            .isCloseTo(expected, org.assertj.core.data.Offset.offset(0.51f));
                }
            }
        }
    }

    @Test
    void imagesAlreadyAtTheSizeAreLeftAlone() throws Exception {
        Path root = tmp.resolve("same");
        TestData.write(TestData.rgb(8, 8, 1), root.resolve("x/a.png"));
        ImageFolderDataset ds = ImageFolderDataset.open(root);
        assertThat(Fitted.to(ds, 8)).isSameAs(ds);
    }
}
