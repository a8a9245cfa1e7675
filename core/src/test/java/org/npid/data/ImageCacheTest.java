package org.npid.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageCacheTest {
    @TempDir Path tmp;

    /** Two classes of PNGs larger than the in-memory limit: 200x120, 90x300, 150x150. */
    private Path folder() throws Exception {
        Path root = tmp.resolve("photos");
        TestData.write(TestData.rgb(200, 120, 10), root.resolve("a/wide.png"));
        TestData.write(TestData.rgb(90, 300, 20), root.resolve("a/tall.png"));
        TestData.write(TestData.rgb(150, 150, 30), root.resolve("b/square.png"));
        return root;
    }

    @Test
    void shrinksEveryImageToTheSideKeepingItsAspectRatio() throws Exception {
        ImageFolderDataset photos = ImageFolderDataset.open(folder());
        assertThat(photos.inMemory()).isFalse();
        ImageDataset cached = ImageCache.of(photos, 40, 2, null);
        assertThat(cached.inMemory()).isTrue();
        assertThat(cached.size()).isEqualTo(3);
        // Sorted by class then name: a/tall (90x300), a/wide (200x120), b/square (150x150).
        assertThat(dims(cached.image(0))).containsExactly(40, 133);
        assertThat(dims(cached.image(1))).containsExactly(67, 40);
        assertThat(dims(cached.image(2))).containsExactly(40, 40);
        assertThat(cached.labels()).containsExactly(0, 0, 1);
        assertThat(cached.source(2)).endsWith("square.png");
        // The same pixels the data set gives at that side.
        assertThat(cached.image(1).pixels()).isEqualTo(photos.image(1, 40).pixels());
    }

    @Test
    void aSmallInMemorySetIsReturnedAsItIs() throws Exception {
        Path root = tmp.resolve("small");
        TestData.write(TestData.rgb(32, 32, 1), root.resolve("x/1.png"));
        TestData.write(TestData.rgb(32, 32, 2), root.resolve("x/2.png"));
        ImageFolderDataset small = ImageFolderDataset.open(root);
        assertThat(ImageCache.of(small, 64, 1, null)).isSameAs(small);
        assertThat(ImageCache.of(small, 16, 1, null)).isNotSameAs(small);
        assertThat(dims(ImageCache.of(small, 16, 1, null).image(0))).containsExactly(16, 16);
    }

    @Test
    void aSecondOpenReadsTheDiskCacheAndADamagedOneIsRebuilt() throws Exception {
        Path root = folder();
        Path dir = tmp.resolve("cache");
        ImageDataset first = ImageCache.of(ImageFolderDataset.open(root), 40, 2, dir);
        Path file = only(dir);
        long written = Files.getLastModifiedTime(file).toMillis();

        ImageDataset second = ImageCache.of(ImageFolderDataset.open(root), 40, 2, dir);
        for (int i = 0; i < 3; i++) {
            assertThat(second.image(i).pixels()).isEqualTo(first.image(i).pixels());
        }
        assertThat(only(dir)).isEqualTo(file);
        assertThat(Files.getLastModifiedTime(file).toMillis()).isEqualTo(written);

        // One flipped byte among the pixels: the CRC catches it, the images are decoded again.
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 20] ^= 0x40;
        Files.write(file, bytes);
        ImageDataset third = ImageCache.of(ImageFolderDataset.open(root), 40, 2, dir);
        for (int i = 0; i < 3; i++) {
            assertThat(third.image(i).pixels()).isEqualTo(first.image(i).pixels());
        }
        assertThat(Files.readAllBytes(only(dir))).isNotEqualTo(bytes);
        assertThat(ImageCache.stored(ImageFolderDataset.open(root), 40, dir)).isTrue();
    }

    @Test
    void aChangedFileNamesAnotherCacheFile() throws Exception {
        Path root = folder();
        Path dir = tmp.resolve("cache2");
        ImageCache.of(ImageFolderDataset.open(root), 40, 1, dir);
        TestData.write(TestData.rgb(150, 150, 90), root.resolve("b/square.png"));
        Files.setLastModifiedTime(
                root.resolve("b/square.png"),
                java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        ImageFolderDataset changed = ImageFolderDataset.open(root);
        assertThat(ImageCache.stored(changed, 40, dir)).isFalse();
        ImageDataset again = ImageCache.of(changed, 40, 1, dir);
        assertThat(again.image(2).pixels()).isEqualTo(changed.image(2, 40).pixels());
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.filter(p -> p.toString().endsWith(".npc")).count()).isEqualTo(2);
        }
    }

    @Test
    void forResolutionKeepsTwiceTheSide() throws Exception {
        ImageDataset cached = ImageCache.forResolution(ImageFolderDataset.open(folder()), 32);
        for (int i = 0; i < cached.size(); i++) {
            assertThat(cached.shortSide(i)).isEqualTo(64);
        }
    }

    @Test
    void aLargeFileCutShortAfterItsHeaderOpensAndIsLeftOutWhenDecoded() throws Exception {
        Path root = tmp.resolve("cut");
        java.util.Random rng = new java.util.Random(3);
        java.awt.image.BufferedImage noise =
                new java.awt.image.BufferedImage(
                        400, 400, java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 400; y++) {
            for (int x = 0; x < 400; x++) {
                noise.setRGB(x, y, rng.nextInt(1 << 24));
            }
        }
        Path big = TestData.write(noise, root.resolve("a/big.png"));
        assertThat(Files.size(big)).isGreaterThan(300_000);
        Path cut = root.resolve("a/cut.png");
        Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(big), 300_000));
        TestData.write(TestData.rgb(100, 80, 5), root.resolve("b/fine.png"));

        ImageFolderDataset folder = ImageFolderDataset.open(root);
        // Only the first bytes of the large files were read: the header is enough to open them.
        assertThat(folder.size()).isEqualTo(3);
        assertThat(folder.width(1)).isEqualTo(400);
        ImageDataset cached = ImageCache.of(folder, 50, 2, null);
        assertThat(cached.size()).isEqualTo(2);
        assertThat(cached.source(0)).endsWith("big.png");
        assertThat(cached.source(1)).endsWith("fine.png");
        assertThat(cached.labels()).containsExactly(0, 1);
        assertThat(dims(cached.image(0))).containsExactly(50, 50);
    }

    private static int[] dims(Image image) {
        return new int[] {image.width(), image.height()};
    }

    private static Path only(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            var all = files.toList();
            assertThat(all).hasSize(1);
            return all.get(0);
        }
    }
}
