package org.npid.spark;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.npid.index.Neighbours;

class CandidatesTest {
    private static VectorBlock block(long... ids) {
        return new VectorBlock(ids, new int[ids.length], new float[0], 0);
    }

    @Test
    void mergingKeepsTheBestKWithTiesToTheLowerId() {
        VectorBlock queries = block(100);
        // Base block A holds ids 1..3, block B ids 4..6; local ids index each block.
        Candidates a =
                Candidates.of(
                        queries,
                        block(1, 2, 3),
                        new Neighbours(3, new float[] {0.5f, 0.9f, 0.7f}, new int[] {0, 1, 2}),
                        3,
                        false);
        Candidates b =
                Candidates.of(
                        queries,
                        block(4, 5, 6),
                        new Neighbours(3, new float[] {0.7f, 0.1f, 0.95f}, new int[] {0, 1, 2}),
                        3,
                        false);
        Candidates ab = a.merge(b);
        Candidates ba = b.merge(a);
        assertThat(ab.ids).containsExactly(6, 2, 3);
        assertThat(ab.scores).containsExactly(0.95f, 0.9f, 0.7f);
        assertThat(ba.ids).isEqualTo(ab.ids);
    }

    @Test
    void aQuerysOwnRowIsLeftOutAndShortListsArePadded() {
        VectorBlock queries = block(2);
        Candidates c =
                Candidates.of(
                        queries,
                        block(1, 2),
                        new Neighbours(2, new float[] {0.3f, 1f}, new int[] {0, 1}),
                        3,
                        true);
        assertThat(c.found(0)).isEqualTo(1);
        assertThat(c.ids).containsExactly(1, Long.MAX_VALUE, Long.MAX_VALUE);
        assertThat(c.scores[1]).isEqualTo(Float.NEGATIVE_INFINITY);
    }
}
