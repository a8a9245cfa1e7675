package org.npid.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.bench.SearchBench;
import org.npid.index.HnswParams.Storage;

class HnswIndexTest {
    /** 5,000 points around 50 random centres: clustered, like real embeddings. */
    private static final Matrix BASE =
            UnitVectors.perturbed(UnitVectors.random(50, 32, 11), 5000, 0.6f, 12);

    private static final Matrix QUERIES = UnitVectors.perturbed(BASE, 200, 0.3f, 13);

    /** Two build threads, so rows land in two segments and the merge reorders documents. */
    private static final HnswParams PARAMS =
            HnswParams.defaults()
                    .withStorage(Storage.QUANTIZED_FLOAT)
                    .withThreads(2)
                    .withEfSearch(64);

    /** The same graph settings over our own int8 codes of all 32 dimensions. */
    private static final HnswParams INT8 =
            HnswParams.defaults().withThreads(2).withEfSearch(64).withDims(0);

    @TempDir static Path shared;

    private static Neighbours truth;

    @BeforeAll
    static void exact() {
        try (ExactIndex exact = new ExactIndex(BASE, 2)) {
            truth = exact.searchAll(QUERIES, 10);
        }
    }

    @Test
    void openOrBuildBuildsOnceThenOpensAndRefusesAnIndexOfOtherRows() {
        Path dir = shared.resolve("openOrBuild");
        Matrix small = UnitVectors.random(40, 8, 3);
        try (HnswIndex built = HnswIndex.openOrBuild(dir, small, PARAMS, Path.of("e.npy"))) {
            assertThat(built.size()).isEqualTo(40);
        }
        try (HnswIndex opened = HnswIndex.openOrBuild(dir, small, PARAMS, Path.of("e.npy"))) {
            assertThat(opened.search(small.row(7), 1).get(0).id()).isEqualTo(7);
        }
        Matrix other = UnitVectors.random(40, 8, 4);
        assertThatThrownBy(() -> HnswIndex.openOrBuild(dir, other, PARAMS, Path.of("e.npy")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not an index of e.npy")
                .hasMessageContaining("--index-dir");
    }

    @Test
    void recallAtTenIsHighAndIdsMapBackToRows() {
        try (HnswIndex index = HnswIndex.build(shared.resolve("a"), BASE, PARAMS)) {
            assertThat(index.size()).isEqualTo(5000);
            assertThat(index.dim()).isEqualTo(32);
            assertThat(SearchBench.recall(truth, index.searchAll(QUERIES, 10)))
                    .isGreaterThanOrEqualTo(0.9);
            for (int row = 0; row < BASE.rows(); row += 97) {
                Hit top = index.search(BASE.row(row), 1).get(0);
                assertThat(top.id()).isEqualTo(row);
                assertThat(top.score()).isCloseTo(1f, Offset.offset(1e-5f));
            }
        }
    }

    @Test
    void agreesWithExactSearchOnASmallSet() {
        // 300 rows and a beam wider than the bank: the graph search visits every row.
        Matrix base = UnitVectors.random(300, 16, 31);
        Matrix queries = UnitVectors.random(20, 16, 32);
        HnswParams p = PARAMS.withEfSearch(400).withRescore(true);
        try (ExactIndex exact = new ExactIndex(base, 1);
                HnswIndex hnsw = HnswIndex.build(shared.resolve("small"), base, p)) {
            Neighbours want = exact.searchAll(queries, 5);
            Neighbours got = hnsw.searchAll(queries, 5);
            assertThat(got.queries()).isEqualTo(20);
            for (int q = 0; q < queries.rows(); q++) {
                ExactIndexTest.assertTopK(queries, q, base, got.hits(q));
                ExactIndexTest.assertTopK(queries, q, base, hnsw.search(queries.row(q), 5));
                ExactIndexTest.assertTopK(queries, q, base, want.hits(q));
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
            double r0 = SearchBench.recall(truth, plain.searchAll(QUERIES, 10));
            double r1 = SearchBench.recall(truth, rescored.searchAll(QUERIES, 10));
            assertThat(r1).isGreaterThanOrEqualTo(r0);
            assertThat(rescored.bytesInMemory()).isGreaterThan(plain.bytesInMemory());
        }
    }

    @Test
    void reopenedIndexGivesTheSameAnswersAndReportsSizes() {
        Path dir = shared.resolve("b");
        List<Hit> before = buildAndSearchRow3(dir, PARAMS);
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

    @Test
    void int8RecallIsHighAndNoFloatVectorsAreStored() throws IOException {
        Path dir = shared.resolve("i8");
        try (HnswIndex index = HnswIndex.build(dir, BASE, INT8)) {
            assertThat(index.storage()).isEqualTo(Storage.INT8);
            assertThat(index.dim()).isEqualTo(32);
            assertThat(index.storedDims()).isEqualTo(32);
            assertThat(SearchBench.recall(truth, index.searchAll(QUERIES, 10)))
                    .isGreaterThanOrEqualTo(0.9);
            for (int row = 0; row < BASE.rows(); row += 97) {
                assertThat(index.search(BASE.row(row), 1).get(0).id()).isEqualTo(row);
            }
            // The only vector file holds one byte a dimension (plus a header and footer).
            assertThat(sizeOfOnly(dir, ".vec")).isBetween(5000L * 32, 5000L * 32 + 1024);
            assertThat(sizeOfOnly(dir, ".veq")).isZero();
            assertThat(index.bytesInMemory())
                    .isGreaterThan(5000L * 32)
                    .isLessThanOrEqualTo(index.bytesOnDisk() + 4 * 5000);
        }
    }

    @Test
    void int8ScoresAreCloseToExactCosineAndScaleWithTheQuery() {
        try (HnswIndex index = HnswIndex.build(shared.resolve("i8s"), BASE, INT8)) {
            double scale = index.layout().scale();
            double sumError = 0;
            int count = 0;
            for (int row = 0; row < BASE.rows(); row += 50) {
                float[] q = BASE.row(row);
                List<Hit> hits = index.search(q, 10);
                assertThat(hits).isSortedAccordingTo((a, b) -> Float.compare(b.score(), a.score()));
                for (Hit h : hits) {
                    float cos = ExactIndex.dot(q, 0, BASE.row(h.id()), 0, 32);
                    double error = Math.abs(h.score() - cos);
                    // Worst case: the codes are s M (x - mean) rounded, each coordinate off by at
                    // most 0.5, and M is orthogonal, so 2 - 2 cos is recovered from the squared
                    // code distance up to 2 sqrt(d) |q - x| / s + d / s^2; half that in cos, plus
                    // 1e-4 for float rounding.
                    double distance = Math.sqrt(Math.max(0, 2 - 2 * cos));
                    double bound =
                            Math.sqrt(32) * distance / scale + 32 / (2 * scale * scale) + 1e-4;
                    assertThat(error).isLessThanOrEqualTo(bound);
                    sumError += error;
                    count++;
                }
            }
            // The roundings mostly cancel: the error is typically a tenth of the worst case.
            assertThat(sumError / count).isLessThan(0.01);

            float[] q = BASE.row(7);
            float[] twice = q.clone();
            for (int i = 0; i < twice.length; i++) {
                twice[i] *= 2;
            }
            List<Hit> one = index.search(q, 5);
            List<Hit> two = index.search(twice, 5);
            for (int i = 0; i < 5; i++) {
                assertThat(two.get(i).id()).isEqualTo(one.get(i).id());
                assertThat(two.get(i).score())
                        .isCloseTo(2 * one.get(i).score(), Offset.offset(1e-5f));
            }
        }
    }

    @Test
    void int8IndexReopensWithItsLayoutAndRefusesOtherSettings() {
        Path dir = shared.resolve("i8r");
        List<Hit> before = buildAndSearchRow3(dir, INT8);
        // dims 0 and dims >= the width both mean the full width.
        try (HnswIndex index = HnswIndex.open(dir, INT8.withDims(64).withEfSearch(64))) {
            assertThat(index.storage()).isEqualTo(Storage.INT8);
            assertThat(index.search(QUERIES.row(3), 10)).isEqualTo(before);
        }
        assertThatThrownBy(() -> HnswIndex.open(dir, PARAMS))
                .hasMessageContaining("built with storage INT8")
                .hasMessageContaining("ask for storage QUANTIZED_FLOAT");
        assertThatThrownBy(() -> HnswIndex.open(dir, INT8.withDims(16)))
                .hasMessageContaining("dims 16");
        Path floats = shared.resolve("qf");
        HnswIndex.build(floats, UnitVectors.random(50, 8, 3), PARAMS).close();
        assertThatThrownBy(() -> HnswIndex.open(floats, INT8))
                .hasMessageContaining("built with storage QUANTIZED_FLOAT");
    }

    @Test
    void pcaReducedInt8KeepsRecallOnLowRankData() throws IOException {
        Matrix base = UnitVectors.lowRank(4000, 64, 8, 0.2f, 21, 22);
        Matrix queries = UnitVectors.lowRank(100, 64, 8, 0.2f, 21, 23);
        Neighbours exact;
        try (ExactIndex e = new ExactIndex(base, 2)) {
            exact = e.searchAll(queries, 10);
        }
        Path dir = shared.resolve("pca");
        HnswParams p = INT8.withDims(16);
        List<Hit> before;
        try (HnswIndex index = HnswIndex.build(dir, base, p)) {
            assertThat(index.dim()).isEqualTo(64);
            assertThat(index.storedDims()).isEqualTo(16);
            assertThat(SearchBench.recall(exact, index.searchAll(queries, 10)))
                    .isGreaterThanOrEqualTo(0.9);
            before = index.search(queries.row(0), 10);
        }
        assertThat(dir.resolve(HnswIndex.PROJECTION_FILE)).exists();
        try (HnswIndex index = HnswIndex.open(dir, p)) {
            assertThat(index.search(queries.row(0), 10)).isEqualTo(before);
            assertThat(sizeOfOnly(dir, ".vec")).isBetween(4000L * 16, 4000L * 16 + 1024);
            // The mean and axes are kept on the heap: 17 x 64 floats.
            assertThat(index.bytesInMemory()).isGreaterThan(4000L * 16 + 17 * 64 * 4);
        }
    }

    @Test
    void missingOrContradictoryLayoutFilesAreClearErrors() throws IOException {
        Path dir = shared.resolve("broken");
        HnswIndex.build(dir, BASE, INT8.withDims(8)).close();
        Path layout = dir.resolve(HnswIndex.LAYOUT_FILE);
        String text = Files.readString(layout);

        Files.move(dir.resolve(HnswIndex.PROJECTION_FILE), dir.resolve("moved.npy"));
        assertThatThrownBy(() -> HnswIndex.open(dir, INT8.withDims(8)))
                .hasMessageContaining("without " + HnswIndex.PROJECTION_FILE);
        Files.move(dir.resolve("moved.npy"), dir.resolve(HnswIndex.PROJECTION_FILE));

        Files.writeString(layout, text.replace("storage=INT8", "storage=QUANTIZED_FLOAT"));
        assertThatThrownBy(() -> HnswIndex.open(dir, PARAMS))
                .hasMessageContaining("says storage QUANTIZED_FLOAT")
                .hasMessageContaining("BYTE vectors of 8 dims");
        Files.writeString(layout, text.replace("scale=", "scales="));
        assertThatThrownBy(() -> HnswIndex.open(dir, INT8.withDims(8)))
                .hasMessageContaining("corrupt")
                .hasMessageContaining("'scale'");
        Files.delete(layout);
        assertThatThrownBy(() -> HnswIndex.open(dir, INT8.withDims(8)))
                .hasMessageContaining("did not finish");

        // Indexes from before the layout file existed hold floats: they open as QUANTIZED_FLOAT.
        Path old = shared.resolve("old");
        HnswIndex.build(old, BASE, PARAMS).close();
        Files.delete(old.resolve(HnswIndex.LAYOUT_FILE));
        try (HnswIndex index = HnswIndex.open(old, PARAMS)) {
            assertThat(index.storage()).isEqualTo(Storage.QUANTIZED_FLOAT);
        }
    }

    /** Size of the one file with this extension, or 0 when there is none. */
    @Test
    void anIndexWhoseBuildDidNotFinishIsNamedSoOnTheNextSearch() throws IOException {
        Matrix small = UnitVectors.random(50, 8, 3);
        Path dir = shared.resolve("half");
        HnswIndex.build(dir, small, PARAMS).close();
        assertThat(dir.resolve("npid-building")).doesNotExist();
        // What a build killed after its graph was written leaves: no record of the vectors and
        // no layout, and the build's marker still there.
        Files.delete(dir.resolve(HnswIndex.SOURCE_FILE));
        Files.delete(dir.resolve(HnswIndex.LAYOUT_FILE));
        Files.writeString(dir.resolve("npid-building"), "");
        for (var open :
                List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
                        () -> HnswIndex.openOrBuild(dir, small, PARAMS, Path.of("v.npy")),
                        () -> HnswIndex.open(dir, PARAMS))) {
            assertThatThrownBy(open)
                    .hasMessageContaining("the HNSW index " + dir + " was not finished")
                    .hasMessageContaining("its build was interrupted or failed")
                    .hasMessageContaining("Delete " + dir + " and run the command again");
        }
    }

    private static long sizeOfOnly(Path dir, String extension) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> matches =
                    files.filter(f -> f.getFileName().toString().endsWith(extension)).toList();
            assertThat(matches).hasSizeLessThanOrEqualTo(1);
            return matches.isEmpty() ? 0 : Files.size(matches.get(0));
        }
    }

    /** The answers for query row 3 from a fresh index, for comparing with it reopened. */
    private static List<Hit> buildAndSearchRow3(Path dir, HnswParams params) {
        try (HnswIndex index = HnswIndex.build(dir, BASE, params)) {
            return index.search(QUERIES.row(3), 10);
        }
    }
}
