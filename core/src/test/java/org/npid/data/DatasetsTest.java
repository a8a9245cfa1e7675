package org.npid.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
    @TempDir Path dir;

    @Test
    void detectsCifar() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
        Files.write(sub.resolve("data_batch_1.bin"), TestData.cifar(2));
        Files.write(sub.resolve("test_batch.bin"), TestData.cifar(1));

        assertThat(Datasets.open(dir, Split.TRAIN)).isInstanceOf(CifarBinaryDataset.class);
        assertThat(Datasets.open(dir, Split.TEST).size()).isEqualTo(1);
        assertThat(Datasets.format(dir)).isEqualTo(Datasets.Format.CIFAR_BINARY);
    }

    @Test
    void detectsIdx() throws Exception {
        Files.write(dir.resolve("train-images-idx3-ubyte"), TestData.idxImages(2, 2, 2));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), TestData.idxLabels(2));

        assertThat(Datasets.open(dir, Split.TRAIN)).isInstanceOf(IdxDataset.class);
        assertThat(Datasets.format(dir)).isEqualTo(Datasets.Format.IDX);
    }

    @Test
    void picksSplitSubfolderOfImageFolder() throws Exception {
        TestData.write(TestData.rgb(4, 4, 0), dir.resolve("train/a/1.png"));
        TestData.write(TestData.rgb(4, 4, 0), dir.resolve("train/a/2.png"));
        TestData.write(TestData.rgb(4, 4, 0), dir.resolve("test/a/1.png"));

        assertThat(Datasets.open(dir, Split.TRAIN).size()).isEqualTo(2);
        assertThat(Datasets.open(dir, Split.TEST).size()).isEqualTo(1);
    }

    @Test
    void plainFolderServesAnySplit() throws Exception {
        TestData.write(TestData.rgb(4, 4, 0), dir.resolve("a/1.png"));

        assertThat(Datasets.open(dir, Split.TEST)).isInstanceOf(ImageFolderDataset.class);
        assertThat(Datasets.format(dir)).isEqualTo(Datasets.Format.IMAGE_FOLDER);
    }

    @Test
    void missingPathExplainsAcceptedLayouts() {
        assertThatThrownBy(() -> Datasets.open(dir.resolve("missing"), Split.TRAIN))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("does not exist")
                .hasMessageContaining("missing");
    }

    @Test
    void channelStatsOfKnownImages() {
        byte[] a = new byte[2 * 2 * 3];
        byte[] b = new byte[2 * 2 * 3];
        for (int p = 0; p < 4; p++) {
            a[3 * p] = (byte) 255;
            a[3 * p + 1] = (byte) 51;
            b[3 * p + 1] = (byte) 153;
        }
        ImageDataset ds = TestData.memory(new Image(2, 2, 3, a), new Image(2, 2, 3, b));

        float[][] stats = Datasets.channelStats(ds, 100, 1);

        assertThat(stats[0][0]).isCloseTo(0.5f, within(1e-6f));
        assertThat(stats[1][0]).isCloseTo(0.5f, within(1e-6f));
        assertThat(stats[0][1]).isCloseTo(0.4f, within(1e-6f));
        assertThat(stats[1][1]).isCloseTo(0.2f, within(1e-6f));
        assertThat(stats[0][2]).isZero();
        assertThat(stats[1][2]).isZero();
    }

    @Test
    void oneLargeImageWeighsAsMuchAsOneSmallOne() {
        byte[] white = new byte[100 * 100];
        java.util.Arrays.fill(white, (byte) 255);
        ImageDataset ds =
                TestData.memory(new Image(2, 2, 1, new byte[4]), new Image(100, 100, 1, white));
        float[][] stats = Datasets.channelStats(ds, 100, 1);
        assertThat(stats[0][0]).isCloseTo(0.5f, within(1e-6f));
        assertThat(stats[1][0]).isCloseTo(0.5f, within(1e-6f));
    }

    @Test
    void aRootWithTrainAloneGivesTheTrainImagesForBothSplits() throws Exception {
        TestData.write(TestData.gray(6, 6, 77), dir.resolve("root/train/a/1.png"));
        TestData.write(TestData.gray(6, 6, 99), dir.resolve("root/train/b/2.png"));
        assertThat(Datasets.open(dir.resolve("root"), Split.TRAIN).size()).isEqualTo(2);
        assertThat(Datasets.open(dir.resolve("root"), Split.TEST).source(0))
                .isEqualTo(Datasets.open(dir.resolve("root"), Split.TRAIN).source(0));
    }

    @Test
    void channelStatsSampleIsSeeded() {
        ImageDataset ds = TestData.memory(50);
        assertThat(Datasets.channelStats(ds, 10, 7))
                .isDeepEqualTo(Datasets.channelStats(ds, 10, 7));
    }
}
