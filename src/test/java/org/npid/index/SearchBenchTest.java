package org.npid.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearchBenchTest {
    @TempDir Path tmp;

    @Test
    void recallCountsSharedIds() {
        List<List<Hit>> truth = List.of(List.of(new Hit(1, 1), new Hit(2, 0.5f)));
        List<List<Hit>> found = List.of(List.of(new Hit(2, 0.5f), new Hit(7, 0.4f)));
        assertThat(SearchBench.recall(truth, found, 2)).isEqualTo(0.5);
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
                        HnswParams.defaults().withThreads(1).withRescore(false),
                        tmp.resolve("i"),
                        2);
        assertThat(r.rows()).isEqualTo(2000);
        assertThat(r.recall()).isBetween(0.8, 1.0);
        assertThat(r.bytesOnDisk()).isGreaterThan(r.bytesInMemory()).isPositive();
        assertThat(r.hnswQps()).isPositive();
        assertThat(r.toJson()).startsWith("{\"rows\": 2000").contains("\"recall\": ");
    }
}
