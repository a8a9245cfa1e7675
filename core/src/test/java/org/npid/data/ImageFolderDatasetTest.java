package org.npid.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.npid.data.TestData.gray;
import static org.npid.data.TestData.rgb;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class ImageFolderDatasetTest {
    @TempDir Path dir;

    /** Writes each image at its path under {@code dir}, then opens {@code dir}. */
    private ImageFolderDataset folderOf(Map<String, BufferedImage> files) throws IOException {
        for (Map.Entry<String, BufferedImage> f : files.entrySet()) {
            TestData.write(f.getValue(), dir.resolve(f.getKey()));
        }
        return ImageFolderDataset.open(dir);
    }

    @Test
    void readsClassFoldersSortedWithExactPngPixels() throws Exception {
        TestData.write(TestData.rgb(4, 3, 10), dir.resolve("dog/b.png"));
        TestData.write(TestData.rgb(4, 3, 50), dir.resolve("dog/a.PNG"));
        TestData.write(TestData.rgb(4, 3, 90), dir.resolve("cat/z.png"));
        Files.writeString(dir.resolve("cat/readme.txt"), "not an image");

        ImageFolderDataset ds = ImageFolderDataset.open(dir, 2, 0);

        assertThat(ds.size()).isEqualTo(3);
        assertThat(ds.channels()).isEqualTo(3);
        assertThat(ds.classNames()).containsExactly("cat", "dog");
        assertThat(ds.labeled()).isTrue();
        assertThat(ds.source(0)).endsWith("z.png");
        assertThat(ds.source(1)).endsWith("a.PNG");
        assertThat(ds.source(2)).endsWith("b.png");
        assertThat(new int[] {ds.label(0), ds.label(1), ds.label(2)}).containsExactly(0, 1, 1);
        Image img = ds.image(2);
        assertThat(img.width()).isEqualTo(4);
        assertThat(img.height()).isEqualTo(3);
        assertThat(img.pixel(3, 2, 0)).isEqualTo(13);
        assertThat(img.pixel(3, 2, 1)).isEqualTo(12);
        assertThat(img.pixel(3, 2, 2)).isEqualTo(15);
    }

    @Test
    void rootWithOnlyImagesIsUnlabeled() throws Exception {
        var ds = folderOf(Map.of("x.jpg", rgb(5, 5, 0), "y.jpeg", rgb(5, 5, 0)));

        assertThat(ds.size()).isEqualTo(2);
        assertThat(ds.label(0)).isEqualTo(-1);
        assertThat(ds.classNames()).isEmpty();
        assertThat(ds.labeled()).isFalse();
    }

    @Test
    void grayscaleJpegInColourFolderBecomesThreeChannels() throws Exception {
        var ds = folderOf(Map.of("a/colour.jpg", rgb(6, 6, 20), "a/gray.jpg", gray(6, 6, 128)));

        assertThat(ds.channels()).isEqualTo(3);
        Image gray = ds.image(1);
        assertThat(gray.channels()).isEqualTo(3);
        assertThat(gray.pixel(2, 2, 0)).isEqualTo(gray.pixel(2, 2, 2)).isBetween(126, 130);
    }

    @Test
    void oneColourImageInAGrayscaleFolderIsConvertedNotFollowed() throws Exception {
        var ds =
                folderOf(
                        Map.of(
                                "a/1.png",
                                gray(6, 6, 77),
                                "a/2.png",
                                gray(6, 6, 99),
                                "b/3.png",
                                rgb(6, 6, 20)));

        assertThat(ds.channels()).isEqualTo(1);
        assertThat(ds.image(2).channels()).isEqualTo(1);
        assertThat(ImageFolderDataset.open(dir, 1, 3).image(0).channels()).isEqualTo(3);
    }

    @Test
    void allGrayscaleFolderHasOneChannel() throws Exception {
        var ds = folderOf(Map.of("a/1.png", gray(6, 6, 77), "b/2.png", gray(6, 6, 99)));

        assertThat(ds.channels()).isEqualTo(1);
        assertThat(ds.image(1).pixel(5, 5, 0)).isEqualTo(99);
    }

    @Test
    void mixedSizesAndLargeImagesAreDecodedCorrectly() throws Exception {
        var ds = folderOf(Map.of("a/small.png", rgb(8, 4, 1), "a/large.png", rgb(100, 70, 1)));

        assertThat(ds.image(0).width()).isEqualTo(100);
        assertThat(ds.image(0).pixel(99, 69, 1)).isEqualTo(70);
        assertThat(ds.image(1).width()).isEqualTo(8);
        assertThat(ds.image(1).pixel(7, 3, 2)).isEqualTo(11);
    }

    @Test
    void largeCorruptFileFailsWhenReadNamingIt() throws Exception {
        TestData.write(TestData.rgb(100, 100, 1), dir.resolve("a/ok.png"));
        Path bad = TestData.write(TestData.rgb(100, 100, 1), dir.resolve("a/truncated.png"));
        byte[] bytes = Files.readAllBytes(bad);
        Files.write(bad, java.util.Arrays.copyOf(bytes, 60));

        ImageFolderDataset ds = ImageFolderDataset.open(dir);

        assertThatThrownBy(() -> ds.image(1))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("truncated.png");
    }

    @Test
    void missingPathIsReported() {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> ImageFolderDataset.open(missing))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("does not exist")
                .hasMessageContaining(missing.toString());
    }

    @Test
    void emptyFolderExplainsExpectedLayout() throws Exception {
        Files.createDirectories(dir.resolve("empty-class"));
        assertThatThrownBy(() -> ImageFolderDataset.open(dir))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("No images found under " + dir)
                .hasMessageContaining("root/<class>/*.jpg or root/*.jpg");
    }

    private void put(String file, byte[] bytes) throws IOException {
        Path path = dir.resolve(file);
        Files.createDirectories(path.getParent());
        Files.write(path, bytes);
    }

    /** Captures what ImageFolderDataset logs while {@code action} runs. */
    private static List<String> logsOf(ThrowingRunnable action) throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(ImageFolderDataset.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            action.run();
        } finally {
            logger.detachAppender(appender);
        }
        return appender.list.stream()
                .filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void unreadableFilesAreSkippedCountedAndNamedOnce() throws Exception {
        TestData.write(TestData.rgb(4, 4, 0), dir.resolve("a/good.jpg"));
        TestData.write(TestData.rgb(100, 70, 3), dir.resolve("a/large.png"));
        put("a/broken.jpg", new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        put("b/IMG_0001.HEIC", new byte[] {0, 0, 0, 24, 'f', 't', 'y', 'p'});
        TestData.write(TestData.gray(6, 5, 9), dir.resolve("b/ok.bmp"));
        ImageFolderDataset[] ds = new ImageFolderDataset[1];

        List<String> warnings = logsOf(() -> ds[0] = ImageFolderDataset.open(dir, 2, 0));

        assertThat(ds[0].skipped()).isEqualTo(2);
        assertThat(ds[0].size()).isEqualTo(3);
        assertThat(ds[0].classNames()).containsExactly("a", "b");
        assertThat(ds[0].source(0)).endsWith("good.jpg");
        assertThat(ds[0].source(1)).endsWith("large.png");
        assertThat(ds[0].source(2)).endsWith("ok.bmp");
        assertThat(new int[] {ds[0].label(0), ds[0].label(1), ds[0].label(2)})
                .containsExactly(0, 0, 1);
        assertThat(new int[] {ds[0].width(0), ds[0].width(1), ds[0].width(2)})
                .containsExactly(4, 100, 6);
        assertThat(new int[] {ds[0].height(0), ds[0].height(1), ds[0].height(2)})
                .containsExactly(4, 70, 5);
        assertThat(ds[0].image(1).pixel(99, 69, 1)).isEqualTo(72);
        List<String> skipWarnings =
                warnings.stream().filter(w -> w.contains("cannot be read")).toList();
        assertThat(skipWarnings).hasSize(1);
        assertThat(skipWarnings.get(0))
                .contains("left out 2 files")
                .contains("broken.jpg")
                .contains("IMG_0001.HEIC")
                .contains("npid cannot read HEIC/HEIF/AVIF; convert them");
    }

    @Test
    void aClassWhoseFilesAreAllUnreadableIsNoClass() throws Exception {
        TestData.write(TestData.rgb(4, 4, 0), dir.resolve("a/1.png"));
        put("b/bad.png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0});
        put("c/huge.png", ImageDecoderTest.pngHeaderOnly(30000, 30000));
        TestData.write(TestData.rgb(4, 4, 0), dir.resolve("d/2.webp.png"));

        ImageFolderDataset[] opened = new ImageFolderDataset[1];

        List<String> warnings = logsOf(() -> opened[0] = ImageFolderDataset.open(dir, 1, 0));

        ImageFolderDataset ds = opened[0];
        assertThat(ds.skipped()).isEqualTo(2);
        assertThat(ds.classNames()).containsExactly("a", "d");
        assertThat(warnings)
                .anyMatch(w -> w.contains("30000x30000") && w.contains("downscale it"))
                .anyMatch(w -> w.startsWith("Skipping " + dir.resolve("b") + ": none of its"))
                .anyMatch(w -> w.startsWith("Skipping " + dir.resolve("c") + ": none of its"));
        assertThat(new int[] {ds.label(0), ds.label(1)}).containsExactly(0, 1);
    }

    @Test
    void aFolderWithNoReadableImageFailsNamingAReason() throws Exception {
        put("a/x.jpg", new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        put("a/y.png", new byte[] {9, 9, 9});

        assertThatThrownBy(() -> ImageFolderDataset.open(dir))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("No readable images under " + dir)
                .hasMessageContaining("none of its 2 image files");
    }

    @Test
    void onlyHeicFilesAreExplained() throws Exception {
        put("a.heic", new byte[] {0, 0, 0, 24});
        put("b.AVIF", new byte[] {0, 0, 0, 24});

        assertThatThrownBy(() -> ImageFolderDataset.open(dir))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("found 2 HEIC/HEIF/AVIF files")
                .hasMessageContaining("heif-convert");
    }

    @Test
    void everyRecognisedExtensionIsReadWhateverItsCase() throws Exception {
        String[] names = {"a.JPG", "b.jpeg", "c.Png", "d.BMP", "e.gif", "f.TIF", "g.tiff"};
        String[] formats = {"jpeg", "jpeg", "png", "bmp", "gif", "tiff", "tiff"};
        for (int i = 0; i < names.length; i++) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            assertThat(javax.imageio.ImageIO.write(TestData.rgb(5, 3, 0), formats[i], out))
                    .isTrue();
            Files.write(dir.resolve(names[i]), out.toByteArray());
        }
        put(
                "h.WebP",
                java.util.Base64.getDecoder()
                        .decode("UklGRiIAAABXRUJQVlA4TBYAAAAvB8ABAA9wD8szId+DZ/7DA4WP6H8A"));
        Files.writeString(dir.resolve("notes.txt"), "not an image");

        ImageFolderDataset ds = ImageFolderDataset.open(dir);

        assertThat(ds.size()).isEqualTo(8);
        assertThat(ds.skipped()).isZero();
        assertThat(ds.width(3)).isEqualTo(5);
        assertThat(ds.width(7)).isEqualTo(8);
        assertThat(ds.image(7).pixel(6, 2, 1)).isEqualTo(180);
    }

    @Test
    void pngWithAlphaDropsAlpha() throws Exception {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(1, 1, 0x80112233);
        TestData.write(img, dir.resolve("a.png"));

        Image decoded = ImageFolderDataset.open(dir).image(0);

        assertThat(decoded.channels()).isEqualTo(3);
        assertThat(decoded.pixel(1, 1, 0)).isEqualTo(0x11);
        assertThat(decoded.pixel(1, 1, 2)).isEqualTo(0x33);
    }

    @Test
    void palettePngAndSixteenBitGrayPngUseTheGeneralPath() throws Exception {
        BufferedImage indexed = new BufferedImage(3, 3, BufferedImage.TYPE_BYTE_INDEXED);
        indexed.setRGB(2, 1, 0xFF0000);
        TestData.write(indexed, dir.resolve("a/indexed.png"));
        BufferedImage deep = new BufferedImage(3, 3, BufferedImage.TYPE_USHORT_GRAY);
        deep.getRaster().setSample(1, 1, 0, 65535);
        TestData.write(deep, dir.resolve("b/deep.png"));

        ImageFolderDataset ds = ImageFolderDataset.open(dir);

        assertThat(ds.channels()).isEqualTo(3);
        assertThat(ds.image(0).pixel(2, 1, 0)).isEqualTo(255);
        assertThat(ds.image(0).pixel(2, 1, 1)).isZero();
        assertThat(ds.image(1).pixel(1, 1, 1)).isEqualTo(255);
        assertThat(ds.image(1).pixel(0, 0, 1)).isZero();
    }
}
