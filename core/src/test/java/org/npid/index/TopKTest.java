package org.npid.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TopKTest {
    @Test
    void keepsTheBestInDescendingOrder() {
        TopK top = new TopK(3);
        float[] scores = {0.1f, 0.9f, 0.5f, 0.7f, 0.3f};
        for (int i = 0; i < scores.length; i++) {
            top.offer(i, scores[i]);
        }
        assertThat(top.toList())
                .containsExactly(new Hit(1, 0.9f), new Hit(3, 0.7f), new Hit(2, 0.5f));
    }

    @Test
    void agreesWithSortingOnRandomInput() {
        SplittableRandom rnd = new SplittableRandom(3);
        TopK top = new TopK(10);
        float[] s = new float[1000];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) rnd.nextInt(50); // many ties
            top.offer(i, s[i]);
        }
        java.util.List<Hit> expected =
                java.util.stream.IntStream.range(0, s.length)
                        .mapToObj(i -> new Hit(i, s[i]))
                        .sorted(
                                java.util.Comparator.comparingDouble((Hit h) -> -h.score())
                                        .thenComparingInt(Hit::id))
                        .limit(10)
                        .toList();
        assertThat(top.toList()).containsExactlyElementsOf(expected);
    }
}
