package org.npid.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.index.Hit;
import org.npid.index.HnswParams;
import org.npid.index.Matrix;
import org.npid.index.Neighbours;
import org.npid.index.UnitVectors;

class SearchBenchTest {
    @TempDir Path tmp;

    @Test
    void recallCountsSharedIds() {
        Neighbours truth = Neighbours.of(List.of(List.of(new Hit(1, 1), new Hit(2, 0.5f))));
        Neighbours found = Neighbours.of(List.of(List.of(new Hit(2, 0.5f), new Hit(7, 0.4f))));
        assertThat(SearchBench.recall(truth, found)).isEqualTo(0.5);
    }

    @Test
    void runReportsConsistentFigures() {
        Matrix base = UnitVectors.random(2000, 16, 1);
        Matrix queries = UnitVectors.perturbed(base, 50, 0.3f, 2);
        SearchBench.Result r =
                SearchBench.run(
                        base,
                        queries,
                        10,
                        HnswParams.defaults()
                                .withStorage(HnswParams.Storage.QUANTIZED_FLOAT)
                                .withThreads(1)
                                .withRescore(false),
                        tmp.resolve("i"),
                        2);
        assertThat(r.rows()).isEqualTo(2000);
        assertThat(r.recall()).isBetween(0.8, 1.0);
        assertThat(r.bytesOnDisk()).isGreaterThan(r.bytesInMemory()).isPositive();
        assertThat(r.hnswQps()).isPositive();
        assertThat(r.toJson())
                .startsWith("{\"rows\": 2000")
                .contains("\"recall\": ")
                .contains("\"storage\": \"QUANTIZED_FLOAT\", \"dims\": 16,");
    }

    @Test
    void int8RunReportsItsStorageAndReducedDims() {
        Matrix base = UnitVectors.lowRank(2000, 32, 4, 0.1f, 1, 2);
        Matrix queries = UnitVectors.lowRank(50, 32, 4, 0.1f, 1, 3);
        SearchBench.Result r =
                SearchBench.run(
                        base,
                        queries,
                        10,
                        HnswParams.defaults().withThreads(1).withDims(8),
                        tmp.resolve("j"),
                        1);
        assertThat(r.recall()).isBetween(0.9, 1.0);
        // 8 bytes a row of vectors, plus the graph: far below the 32 floats of the input.
        assertThat(r.bytesOnDisk()).isLessThan(2000L * 32 * 4);
        // INT8 has no floats to rescore with, so the JSON says none were used.
        assertThat(r.toJson())
                .contains("\"storage\": \"INT8\", \"dims\": 8,")
                .contains("\"rescore\": false");
    }
}
