package org.npid.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
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

    @Test
    void balancedTakesTheRoundedFractionOfEveryClass() {
        // 100 images labelled i % 3: 34 of class 0, 33 each of classes 1 and 2.
        ImageDataset base = TestData.memory(100);
        assertThat(perClass(Subset.balanced(base, 0.1, 3))).containsExactly(3, 3, 3);
        // 1.7 and 1.65 round to 2.
        assertThat(perClass(Subset.balanced(base, 0.05, 3))).containsExactly(2, 2, 2);
        // 0.034 rounds to 0: every class still keeps one image.
        assertThat(perClass(Subset.balanced(base, 0.001, 3))).containsExactly(1, 1, 1);
        // 16.5 rounds up, 17 exactly.
        assertThat(perClass(Subset.balanced(base, 0.5, 3))).containsExactly(17, 17, 17);
        assertThat(Subset.balanced(base, 1, 3).size()).isEqualTo(100);
    }

    @Test
    void balancedIsSeededAndKeepsTheBaseOrder() {
        ImageDataset base = TestData.memory(100);
        int[] a = ids(Subset.balanced(base, 0.2, 11));
        assertThat(a).hasSize(7 + 7 + 7).isSorted().doesNotHaveDuplicates();
        ImageDataset sub = Subset.balanced(base, 0.2, 11);
        for (int i = 0; i < sub.size(); i++) {
            assertThat(sub.label(i)).isEqualTo(base.label(a[i]));
        }
        assertThat(ids(Subset.balanced(base, 0.2, 11))).containsExactly(a);
        assertThat(ids(Subset.balanced(base, 0.2, 12))).isNotEqualTo(a);
    }

    @Test
    void balancedRefusesUnlabelledDataAndFractionsOutsideZeroToOne() {
        ImageDataset base = TestData.memory(10);
        assertThatThrownBy(() -> Subset.balanced(base, 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label fraction must be in (0, 1]")
                .hasMessageContaining("got 0.0");
        assertThatThrownBy(() -> Subset.balanced(base, 1.5, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 1.5");
        assertThatThrownBy(() -> Subset.balanced(base, Double.NaN, 1))
                .isInstanceOf(IllegalArgumentException.class);
        ImageDataset unlabelled = unlabelled(base);
        assertThatThrownBy(() -> Subset.balanced(unlabelled, 0.5, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs labels")
                .hasMessageContaining("mem#0");
    }

    @Test
    void holdOutSplitsEveryClassDisjointlyAndSeeded() {
        // 100 images labelled i % 3: 34 of class 0, 33 each of classes 1 and 2.
        ImageDataset base = TestData.memory(100);
        Subset.HeldOut split = Subset.holdOut(base, 0.1, 5);
        // 3.4 and 3.3 round to 3.
        assertThat(perClass(split.held())).containsExactly(3, 3, 3);
        assertThat(perClass(split.rest())).containsExactly(31, 30, 30);
        int[] held = ids(split.held());
        int[] rest = ids(split.rest());
        assertThat(held).isSorted();
        assertThat(rest).isSorted();
        int[] both =
                java.util.stream.IntStream.concat(Arrays.stream(held), Arrays.stream(rest))
                        .sorted()
                        .toArray();
        assertThat(both).containsExactly(java.util.stream.IntStream.range(0, 100).toArray());
        assertThat(ids(Subset.holdOut(base, 0.1, 5).held())).containsExactly(held);
        assertThat(ids(Subset.holdOut(base, 0.1, 6).held())).isNotEqualTo(held);
        for (int i = 0; i < split.held().size(); i++) {
            assertThat(split.held().label(i)).isEqualTo(base.label(held[i]));
        }
    }

    @Test
    void holdOutLeavesEveryClassAnImageToTrainOn() {
        ImageDataset base = TestData.memory(6);
        // Two images a class: 0.9 would take both, so one stays in the rest.
        assertThat(perClass(Subset.holdOut(base, 0.9, 1).rest())).containsExactly(1, 1, 1);
        assertThat(perClass(Subset.holdOut(base, 0.01, 1).held())).containsExactly(1, 1, 1);
    }

    @Test
    void holdOutRefusesUnlabelledDataAndSharesOutsideZeroToOne() {
        ImageDataset base = TestData.memory(10);
        assertThatThrownBy(() -> Subset.holdOut(base, 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("validation share must be in (0, 1)")
                .hasMessageContaining("got 0.0");
        assertThatThrownBy(() -> Subset.holdOut(base, 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 1.0");
        assertThatThrownBy(() -> Subset.holdOut(unlabelled(base), 0.1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs labels")
                .hasMessageContaining("evaluation.validation");
    }

    private static int[] perClass(ImageDataset d) {
        int[] counts = new int[d.classNames().size()];
        for (int i = 0; i < d.size(); i++) {
            counts[d.label(i)]++;
        }
        return counts;
    }

    private static int[] ids(ImageDataset d) {
        int[] ids = new int[d.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = Integer.parseInt(d.source(i).substring(4));
        }
        return ids;
    }

    private static ImageDataset unlabelled(ImageDataset base) {
        return new ImageDataset() {
            @Override
            public int size() {
                return base.size();
            }

            @Override
            public int channels() {
                return base.channels();
            }

            @Override
            public int label(int index) {
                return -1;
            }

            @Override
            public List<String> classNames() {
                return List.of();
            }

            @Override
            public Image image(int index) {
                return base.image(index);
            }

            @Override
            public String source(int index) {
                return base.source(index);
            }
        };
    }
}
