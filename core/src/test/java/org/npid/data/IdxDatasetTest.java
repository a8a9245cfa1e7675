package org.npid.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxDatasetTest {
    @TempDir Path dir;

    @Test
    void readsPlainIdxFiles() throws Exception {
        Files.write(dir.resolve("train-images-idx3-ubyte"), TestData.idxImages(4, 2, 3));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), TestData.idxLabels(4));

        IdxDataset ds = IdxDataset.open(dir, Split.TRAIN);

        assertThat(ds.size()).isEqualTo(4);
        assertThat(ds.channels()).isEqualTo(1);
        assertThat(ds.classNames())
                .containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertThat(ds.label(3)).isEqualTo(9);
        Image img = ds.image(2);
        assertThat(img.width()).isEqualTo(3);
        assertThat(img.height()).isEqualTo(2);
        assertThat(img.pixel(0, 0, 0)).isEqualTo(20);
        assertThat(img.pixel(2, 1, 0)).isEqualTo(25);
        assertThat(ds.source(2)).isEqualTo("train-images-idx3-ubyte#2");
    }

    @Test
    void readsGzippedFilesAndFashionNames() throws Exception {
        Path fashion = Files.createDirectories(dir.resolve("Fashion-MNIST"));
        Files.write(
                fashion.resolve("t10k-images-idx3-ubyte.gz"),
                TestData.gzip(TestData.idxImages(3, 4, 4)));
        Files.write(
                fashion.resolve("t10k-labels-idx1-ubyte.gz"), TestData.gzip(TestData.idxLabels(3)));

        IdxDataset ds = IdxDataset.open(fashion, Split.TEST);

        assertThat(ds.size()).isEqualTo(3);
        assertThat(ds.classNames()).startsWith("T-shirt/top", "Trouser").endsWith("Ankle boot");
        assertThat(ds.label(1)).isEqualTo(3);
        assertThat(ds.image(1).pixel(3, 3, 0)).isEqualTo(25);
        assertThat(ds.source(0)).isEqualTo("t10k-images-idx3-ubyte.gz#0");
    }

    @Test
    void wrongMagicNamesFileAndBothMagics() throws Exception {
        byte[] images = TestData.idxImages(2, 2, 2);
        images[3] = 0x01;
        Path f = dir.resolve("train-images-idx3-ubyte");
        Files.write(f, images);
        Files.write(dir.resolve("train-labels-idx1-ubyte"), TestData.idxLabels(2));

        assertThatThrownBy(() -> IdxDataset.open(dir, Split.TRAIN))
                .isInstanceOf(DataException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("0x00000803")
                .hasMessageContaining("0x00000801");
    }

    @Test
    void countMismatchIsReported() throws Exception {
        Files.write(dir.resolve("train-images-idx3-ubyte"), TestData.idxImages(3, 2, 2));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), TestData.idxLabels(2));

        assertThatThrownBy(() -> IdxDataset.open(dir, Split.TRAIN))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("3 images")
                .hasMessageContaining("2 labels");
    }

    @Test
    void truncatedImagesFileIsReported() throws Exception {
        byte[] images = TestData.idxImages(3, 2, 2);
        Files.write(
                dir.resolve("train-images-idx3-ubyte"),
                java.util.Arrays.copyOf(images, images.length - 1));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), TestData.idxLabels(3));

        assertThatThrownBy(() -> IdxDataset.open(dir, Split.TRAIN))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void missingLabelsFileIsReported() throws Exception {
        Files.write(dir.resolve("train-images-idx3-ubyte"), TestData.idxImages(1, 2, 2));

        assertThatThrownBy(() -> IdxDataset.open(dir, Split.TRAIN))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("train-labels-idx1-ubyte");
    }
}
