package org.npid.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TopKBufferTest {
    @Test
    void keepsTheBestThreeOfFive() {
        TopKBuffer top = new TopKBuffer(3);
        float[] scores = {0.1f, 0.9f, 0.5f, 0.7f, 0.3f};
        top.offerAll(scores, 0, scores.length, 0, null);
        assertThat(kept(top, 3))
                .containsExactly(new Hit(1, 0.9f), new Hit(3, 0.7f), new Hit(2, 0.5f));
    }

    @Test
    void agreesWithSortingWhenTheBufferFillsManyTimesAndScoresTie() {
        SplittableRandom rnd = new SplittableRandom(3);
        int k = 10;
        float[] s = new float[5000];
        for (int i = 0; i < s.length; i++) {
            s[i] = rnd.nextInt(200); // many ties: lower ids must win them
        }
        TopKBuffer top = new TopKBuffer(k);
        // In three uneven blocks, as the index offers them.
        top.offerAll(s, 0, 1234, 0, null);
        top.offerAll(s, 1234, 3000, 1234, null);
        top.offerAll(s, 4234, 766, 4234, null);
        assertThat(kept(top, k)).containsExactlyElementsOf(bySorting(s, null, k));
    }

    @Test
    void ranksNegativeScoresAndRowsMappedThroughRowAt() {
        SplittableRandom rnd = new SplittableRandom(11);
        int k = 50;
        float[] s = new float[3000];
        int[] rowAt = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) rnd.nextGaussian() - 2f; // mostly negative
            rowAt[i] = 7 * i + 3;
        }
        TopKBuffer top = new TopKBuffer(k);
        top.offerAll(s, 0, 100, 0, rowAt); // fewer than the buffer: no priming
        top.offerAll(s, 100, 2900, 100, rowAt);
        assertThat(kept(top, k)).containsExactlyElementsOf(bySorting(s, rowAt, k));
    }

    @Test
    void keysOrderByScoreThenLowerId() {
        assertThat(TopKBuffer.key(-1f, 0)).isLessThan(TopKBuffer.key(-0.5f, 0));
        assertThat(TopKBuffer.key(-0f, 0)).isLessThan(TopKBuffer.key(Float.MIN_VALUE, 0));
        assertThat(TopKBuffer.key(0.5f, 9)).isLessThan(TopKBuffer.key(0.5f, 3));
        assertThat(TopKBuffer.score(TopKBuffer.key(-3.25f, 17))).isEqualTo(-3.25f);
        assertThat(TopKBuffer.id(TopKBuffer.key(-3.25f, 17))).isEqualTo(17);
    }

    @Test
    void thresholdIsTheKthBestAfterASelection() {
        TopKBuffer top = new TopKBuffer(2);
        assertThat(top.threshold()).isEqualTo(Float.NEGATIVE_INFINITY);
        // Capacity is 4 × k = 8: the ninth offer selects the best two of the first eight.
        float[] s = {1, 2, 3, 4, 5, 6, 7, 8, 0.5f};
        top.offerAll(s, 0, s.length, 0, null);
        assertThat(top.threshold()).isEqualTo(7f);
        assertThat(kept(top, 2)).containsExactly(new Hit(7, 8f), new Hit(6, 7f));
    }

    @Test
    void mapsColumnsThroughRowAtAndClears() {
        TopKBuffer top = new TopKBuffer(2);
        int[] rowAt = {40, 41, 42, 43, 44};
        top.offerAll(new float[] {0.2f, 0.8f, 0.6f}, 0, 3, 2, rowAt);
        assertThat(kept(top, 2)).containsExactly(new Hit(43, 0.8f), new Hit(44, 0.6f));
        top.clear();
        assertThat(top.size()).isZero();
        assertThat(top.threshold()).isEqualTo(Float.NEGATIVE_INFINITY);
    }

    @Test
    void fewerThanKRowsAreAllKept() {
        TopKBuffer top = new TopKBuffer(5);
        top.offerAll(new float[] {0.3f, 0.1f}, 0, 2, 0, null);
        assertThat(top.size()).isEqualTo(2);
        assertThat(kept(top, 2)).containsExactly(new Hit(0, 0.3f), new Hit(1, 0.1f));
    }

    /** The best k of all scores by a full sort, ids through {@code rowAt} when not null. */
    private static List<Hit> bySorting(float[] s, int[] rowAt, int k) {
        return IntStream.range(0, s.length)
                .mapToObj(i -> new Hit(rowAt == null ? i : rowAt[i], s[i]))
                .sorted(Comparator.comparingDouble((Hit h) -> -h.score()).thenComparingInt(Hit::id))
                .limit(k)
                .toList();
    }

    /** The kept pairs, best first. */
    private static List<Hit> kept(TopKBuffer top, int n) {
        float[] scores = new float[n];
        int[] ids = new int[n];
        top.copyTo(scores, ids, 0);
        Hit[] hits = new Hit[n];
        for (int i = 0; i < n; i++) {
            hits[i] = new Hit(ids[i], scores[i]);
        }
        Arrays.sort(
                hits, Comparator.comparingDouble((Hit h) -> -h.score()).thenComparingInt(Hit::id));
        return List.of(hits);
    }
}
