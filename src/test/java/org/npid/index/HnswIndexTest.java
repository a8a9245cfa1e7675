package org.npid.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HnswIndexTest {
    /** 5,000 points around 50 random centres: clustered, like real embeddings. */
    private static final Matrix BASE =
            UnitVectors.perturbed(UnitVectors.random(50, 32, 11), 5000, 0.6f, 12);

    private static final Matrix QUERIES = UnitVectors.perturbed(BASE, 200, 0.3f, 13);

    /** Two build threads, so rows land in two segments and the merge reorders documents. */
    private static final HnswParams PARAMS = HnswParams.defaults().withThreads(2).withEfSearch(64);

    @TempDir static Path shared;

    private static List<List<Hit>> truth;

    @BeforeAll
    static void exact() {
        try (ExactIndex exact = new ExactIndex(BASE, 2)) {
            truth = exact.searchAll(QUERIES, 10);
        }
    }

    @Test
    void recallAtTenIsHighAndIdsMapBackToRows() {
        try (HnswIndex index = HnswIndex.build(shared.resolve("a"), BASE, PARAMS)) {
            assertThat(index.size()).isEqualTo(5000);
            assertThat(index.dim()).isEqualTo(32);
            assertThat(SearchBench.recall(truth, index.searchAll(QUERIES, 10), 10))
                    .isGreaterThanOrEqualTo(0.9);
            for (int row = 0; row < BASE.rows(); row += 97) {
                Hit top = index.search(BASE.row(row), 1).get(0);
                assertThat(top.id()).isEqualTo(row);
                assertThat(top.score()).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
    }

    @Test
    void rescoringGivesExactScoresAndAtLeastAsGoodRecall() {
        Path dir = shared.resolve("r");
        HnswIndex.build(dir, BASE, PARAMS).close();
        try (HnswIndex plain = HnswIndex.open(dir, PARAMS.withRescore(false));
                HnswIndex rescored = HnswIndex.open(dir, PARAMS.withRescore(true))) {
            List<Hit> hits = rescored.search(QUERIES.row(0), 10);
            for (Hit h : hits) {
                float exact = ExactIndex.dot(QUERIES.row(0), 0, BASE.row(h.id()), 0, 32);
                assertThat(h.score()).isEqualTo(exact);
            }
            assertThat(hits).isSortedAccordingTo((a, b) -> Float.compare(b.score(), a.score()));
            double r0 = SearchBench.recall(truth, plain.searchAll(QUERIES, 10), 10);
            double r1 = SearchBench.recall(truth, rescored.searchAll(QUERIES, 10), 10);
            assertThat(r1).isGreaterThanOrEqualTo(r0);
            assertThat(rescored.bytesInMemory()).isGreaterThan(plain.bytesInMemory());
        }
    }

    @Test
    void reopenedIndexGivesTheSameAnswersAndReportsSizes() {
        Path dir = shared.resolve("b");
        List<Hit> before;
        try (HnswIndex index = HnswIndex.build(dir, BASE, PARAMS)) {
            before = index.search(QUERIES.row(3), 10);
        }
        try (HnswIndex index = HnswIndex.open(dir, PARAMS)) {
            assertThat(index.search(QUERIES.row(3), 10)).isEqualTo(before);
            assertThat(index.bytesInMemory()).isLessThanOrEqualTo(index.bytesOnDisk() + 4 * 5000);
        }
        try (HnswIndex index = HnswIndex.open(dir, PARAMS.withRescore(false))) {
            // Quantised vectors (about a byte a dimension) are far smaller than the floats.
            assertThat(index.bytesInMemory()).isLessThan(index.bytesOnDisk() / 2);
            assertThat(index.bytesInMemory()).isGreaterThan(5000L * 32);
        }
    }

    @Test
    void singleThreadBuildKeepsRowOrder() {
        Matrix small = UnitVectors.random(300, 8, 5);
        try (HnswIndex index =
                HnswIndex.build(shared.resolve("c"), small, PARAMS.withThreads(1).withBits(4))) {
            for (int row = 0; row < small.rows(); row += 37) {
                assertThat(index.search(small.row(row), 1).get(0).id()).isEqualTo(row);
            }
        }
    }

    @Test
    void refusesNonUnitRowsNonEmptyDirsAndMissingIndexes() throws IOException {
        Matrix notUnit = new Matrix(2, 2, new float[] {1, 0, 2, 0});
        assertThatThrownBy(() -> HnswIndex.build(shared.resolve("d"), notUnit, PARAMS))
                .hasMessageContaining("row 1")
                .hasMessageContaining("L2-normalise");
        Path full = Files.createDirectories(shared.resolve("e"));
        Files.writeString(full.resolve("x"), "x");
        assertThatThrownBy(() -> HnswIndex.build(full, BASE, PARAMS))
                .hasMessageContaining("not empty");
        Path empty = Files.createDirectories(shared.resolve("f"));
        assertThatThrownBy(() -> HnswIndex.open(empty, PARAMS))
                .hasMessageContaining("HnswIndex.build");
    }

    @Test
    void rejectsWrongQueryDimension() {
        try (HnswIndex index =
                HnswIndex.build(shared.resolve("g"), UnitVectors.random(10, 4, 1), PARAMS)) {
            assertThatThrownBy(() -> index.search(new float[3], 1))
                    .hasMessageContaining("query has 3 dims but the index has dim 4");
        }
    }
}
