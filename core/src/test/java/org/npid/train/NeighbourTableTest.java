package org.npid.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.data.Datasets;
import org.npid.data.ImageDataset;
import org.npid.data.Split;
import org.npid.data.TestData;
import org.npid.fixtures.SyntheticIdx;
import org.npid.fixtures.TinyRun;

class NeighbourTableTest {
    @TempDir Path tmp;

    private static String file(ImageDataset ds, int i) {
        return Path.of(ds.source(i)).toAbsolutePath().toString();
    }

    @Test
    void rowsAreMatchedByFileAndOtherImagesArePassedOver() throws Exception {
        ImageDataset train = TestData.memory(4);
        // Table ids differ from the training order; id 99 is an image the run does not train on.
        Path tsv = tmp.resolve("t.neighbours.tsv");
        Files.writeString(
                tsv,
                "id\tsource\tneighbours\n"
                        + "10\t"
                        + file(train, 3)
                        + "\t99,13,11\n"
                        + "11\t"
                        + file(train, 2)
                        + "\t10,12\n"
                        + "12\t"
                        + file(train, 1)
                        + "\t13,10\n"
                        + "13\t"
                        + file(train, 0)
                        + "\t12,11\n"
                        + "99\t/elsewhere/x.png\t10,11\n");
        int[] table = NeighbourTable.read(tsv, train, 2);
        assertThat(table)
                .containsExactly(
                        0, 1, 2, // image 0 is id 13: neighbours 12 (image 1), 11 (image 2)
                        1, 0, 3, 2, 3, 1, 3, 0, 2); // image 3 is id 10: 99 passed over, then 13, 11
    }

    @Test
    void aMissingRowOrTooFewNeighboursSayWhatToDo() throws Exception {
        ImageDataset train = TestData.memory(2);
        Path tsv = tmp.resolve("t.tsv");
        Files.writeString(tsv, "id\tsource\tneighbours\n0\t" + file(train, 0) + "\t1\n");
        assertThatThrownBy(() -> NeighbourTable.read(tsv, train, 1))
                .hasMessageContaining("no row for training image mem#1")
                .hasMessageContaining("same images");
        Files.writeString(
                tsv,
                "id\tsource\tneighbours\n0\t"
                        + file(train, 0)
                        + "\t1\n1\t"
                        + file(train, 1)
                        + "\t0\n");
        assertThatThrownBy(() -> NeighbourTable.read(tsv, train, 2))
                .hasMessageContaining("gives 1 neighbours")
                .hasMessageContaining("larger --k");
        assertThatThrownBy(() -> NeighbourTable.read(tmp.resolve("none.tsv"), train, 1))
                .hasMessageContaining("run npid-spark neighbours");
    }

    @Test
    void repeatedNeighboursAndBinaryFilesAreRefused() throws Exception {
        ImageDataset train = TestData.memory(4);
        Path tsv = tmp.resolve("rep.tsv");
        StringBuilder b = new StringBuilder("id\tsource\tneighbours\n");
        for (int i = 0; i < 4; i++) {
            b.append(i).append('\t').append(file(train, i)).append('\t');
            b.append(i == 0 ? "1,1,1" : "0,1,2,3").append('\n');
        }
        Files.writeString(tsv, b.toString());
        assertThatThrownBy(() -> NeighbourTable.read(tsv, train, 3))
                .hasMessageContaining("more than once among the neighbours of mem#0");
        Path bytes = tmp.resolve("random.tsv");
        byte[] noise = new byte[4096];
        new java.util.Random(1).nextBytes(noise);
        Files.write(bytes, noise);
        assertThatThrownBy(() -> NeighbourTable.read(bytes, train, 1))
                .hasMessageContaining("is not a neighbour table")
                .hasMessageNotContaining("Input length");
    }

    @Test
    void aRunTrainsWithTheTableAsItsNeighbourhood() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("d"), 8, 2, 16, 1);
        ImageDataset train = Datasets.open(data, Split.TRAIN);
        List<String> lines = new ArrayList<>(List.of("id\tsource\tneighbours"));
        int n = train.size();
        for (int i = 0; i < n; i++) {
            lines.add(i + "\t" + file(train, i) + "\t" + (i + 1) % n + "," + (i + 2) % n);
        }
        Path tsv = Files.write(tmp.resolve("t.neighbours.tsv"), lines);
        TrainResult r =
                TinyRun.run(
                        data,
                        tmp.resolve("run"),
                        1,
                        "neighbours",
                        "2",
                        "neighbour_source",
                        "table",
                        "neighbour_table",
                        tsv.toString(),
                        "neighbours_from_epoch",
                        "1");
        assertThat(r.checkpoint()).exists();
        assertThat(r.interrupted()).isFalse();
        assertThat(
                        TinyRun.config(
                                        data,
                                        tmp.resolve("run"),
                                        1,
                                        "neighbours",
                                        "2",
                                        "neighbour_source",
                                        "table",
                                        "neighbour_table",
                                        tsv.toString())
                                .objective()
                                .beyondPaper())
                .contains("from table " + tsv);
    }
}
