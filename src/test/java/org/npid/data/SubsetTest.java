package org.npid.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SubsetTest {

    @Test
    void firstKeepsTheFirstImagesAndTheirLabels() {
        ImageDataset base = TestData.memory(10);
        ImageDataset first = Subset.first(base, 4);
        assertThat(first.size()).isEqualTo(4);
        assertThat(first.source(3)).isEqualTo("mem#3");
        assertThat(first.label(3)).isEqualTo(base.label(3));
        assertThat(Subset.first(base, 50).size()).isEqualTo(10);
    }

    @Test
    void randomDrawsDistinctImagesInOrderTheSameForASeed() {
        ImageDataset base = TestData.memory(100);
        ImageDataset a = Subset.random(base, 30, 7);
        String[] sources = new String[a.size()];
        int[] ids = new int[a.size()];
        for (int i = 0; i < a.size(); i++) {
            sources[i] = a.source(i);
            ids[i] = Integer.parseInt(a.source(i).substring(4));
            // Each image keeps its own label.
            assertThat(a.label(i)).isEqualTo(base.label(ids[i]));
        }
        assertThat(a.size()).isEqualTo(30);
        assertThat(Arrays.stream(ids).distinct().count()).isEqualTo(30);
        assertThat(ids).isSorted();
        ImageDataset again = Subset.random(base, 30, 7);
        ImageDataset other = Subset.random(base, 30, 8);
        assertThat(again.source(17)).isEqualTo(sources[17]);
        boolean differs = false;
        for (int i = 0; i < 30; i++) {
            differs |= !other.source(i).equals(sources[i]);
        }
        assertThat(differs).isTrue();
        assertThat(Subset.random(base, 100, 7)).isSameAs(base);
    }
}
