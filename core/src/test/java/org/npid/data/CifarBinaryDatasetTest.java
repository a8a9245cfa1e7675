package org.npid.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarBinaryDatasetTest {
    @TempDir Path dir;

    @Test
    void convertsPlanesToInterleavedPixelsAndReadsLabels() throws Exception {
        byte[] data = TestData.cifar(3);
        // A distinct value at red (x=1, y=2), green (x=0, y=0) and blue (x=31, y=31).
        data[1 + 2 * 32 + 1] = (byte) 200;
        data[1 + 1024] = (byte) 201;
        data[1 + 2048 + 1023] = (byte) 202;
        Files.write(dir.resolve("data_batch_1.bin"), data);
        Files.write(dir.resolve("data_batch_2.bin"), TestData.cifar(2));

        CifarBinaryDataset ds = CifarBinaryDataset.open(dir, Split.TRAIN);

        assertThat(ds.size()).isEqualTo(5);
        assertThat(ds.channels()).isEqualTo(3);
        assertThat(ds.classNames()).hasSize(10).startsWith("airplane").endsWith("truck");
        Image img = ds.image(0);
        assertThat(img.width()).isEqualTo(32);
        assertThat(img.pixel(1, 2, 0)).isEqualTo(200);
        assertThat(img.pixel(0, 0, 1)).isEqualTo(201);
        assertThat(img.pixel(31, 31, 2)).isEqualTo(202);
        assertThat(img.pixels()[3 * 5]).isEqualTo((byte) 0);
        assertThat(img.pixels()[3 * 5 + 1]).isEqualTo((byte) 1);
        assertThat(img.pixels()[3 * 5 + 2]).isEqualTo((byte) 2);
        assertThat(ds.image(2).pixel(7, 7, 2)).isEqualTo(4);
        assertThat(ds.label(2)).isEqualTo(2);
        assertThat(ds.label(3)).isZero();
        assertThat(ds.source(2)).isEqualTo("data_batch_1.bin#2");
        assertThat(ds.source(4)).isEqualTo("data_batch_2.bin#1");
    }

    @Test
    void readsTestBatchInsideSubdirWithMetaClassNames() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
        Files.write(sub.resolve("test_batch.bin"), TestData.cifar(2));
        Files.writeString(sub.resolve("batches.meta.txt"), "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n");

        CifarBinaryDataset ds = CifarBinaryDataset.open(dir, Split.TEST);

        assertThat(ds.size()).isEqualTo(2);
        assertThat(ds.classNames()).hasSize(10).startsWith("a", "b");
        assertThat(ds.source(1)).isEqualTo("test_batch.bin#1");
    }

    @Test
    void truncatedFileSaysSoAndSuggestsRedownload() throws Exception {
        Path f = dir.resolve("data_batch_1.bin");
        Files.write(f, Arrays.copyOf(TestData.cifar(2), 3073 + 100));

        assertThatThrownBy(() -> CifarBinaryDataset.open(dir, Split.TRAIN))
                .isInstanceOf(DataException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("not a multiple of 3073")
                .hasMessageContaining("truncated")
                .hasMessageContaining("re-download");
    }

    @Test
    void missingSplitFileIsReported() throws Exception {
        Files.write(dir.resolve("data_batch_1.bin"), TestData.cifar(1));

        assertThatThrownBy(() -> CifarBinaryDataset.open(dir, Split.TEST))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("test_batch.bin");
    }

    @Test
    void missingDirectoryIsReported() {
        assertThatThrownBy(() -> CifarBinaryDataset.open(dir.resolve("x"), Split.TRAIN))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("does not exist");
    }
}
