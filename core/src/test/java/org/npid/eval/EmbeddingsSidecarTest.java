package org.npid.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingsSidecarTest {
    @TempDir Path tmp;

    @Test
    void readsTheRowsEmbedWritesInRowOrder() throws Exception {
        Path npy = tmp.resolve("e.npy");
        Files.writeString(
                Embeddings.sidecarOf(npy),
                """
                row\tlabel\tclass\tsource\tview
                0\t1\tcat\ta/cat/1.png\t0
                1\t-1\t\tb.png\t1
                2\tbroken
                """);
        var rows = Embeddings.readSidecar(npy);
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0)).isEqualTo(new Embeddings.SidecarRow("1", "cat", "a/cat/1.png"));
        assertThat(rows.get(1)).isEqualTo(new Embeddings.SidecarRow("-1", "", "b.png"));
        assertThat(rows.get(2)).isNull();
    }

    @Test
    void noSidecarReadsAsNoRows() throws Exception {
        assertThat(Embeddings.readSidecar(tmp.resolve("none.npy"))).isEmpty();
    }
}
