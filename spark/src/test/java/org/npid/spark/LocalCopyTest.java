package org.npid.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCopyTest {
    @TempDir Path tmp;

    @Test
    void theFilesBesideTheTableAreNamedAsTheJobsWriteThem() {
        String out = tmp.resolve("emb.parquet").toString();
        assertThat(NpyExport.beside(out))
                .extracting(LocalCopy.Beside::file)
                .containsExactly(tmp.resolve("emb.npy"), tmp.resolve("emb.tsv"));
        assertThat(NeighboursJob.beside(out))
                .extracting(LocalCopy.Beside::file)
                .containsExactly(tmp.resolve("emb.neighbours.tsv"));
        assertThat(NpyExport.beside("hdfs://cluster/emb")).isEmpty();
    }

    @Test
    void aUsersFileBesideTheTableIsReplacedOnlyWithOverwrite() throws Exception {
        String out = tmp.resolve("emb").toString();
        Path tsv = Files.writeString(tmp.resolve("emb.neighbours.tsv"), "my neighbours");
        assertThatThrownBy(
                        () ->
                                LocalCopy.checkBeside(
                                        NeighboursJob.beside(out), List.of(), false, "--table"))
                .hasMessageContaining(
                        tsv + ", which npid-spark writes beside --out, exists and was not written")
                .hasMessageContaining("pass --overwrite to replace it")
                .hasMessageContaining("--table never");
        assertThat(tsv).hasContent("my neighbours");
        LocalCopy.checkBeside(NeighboursJob.beside(out), List.of(), true, "--table");

        // What the jobs wrote before is theirs to replace.
        Files.writeString(tsv, NeighboursJob.TABLE_HEAD + "0\t/a.png\t1\n");
        Files.write(tmp.resolve("emb.npy"), new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1});
        Files.writeString(tmp.resolve("emb.tsv"), NpyExport.SIDECAR_HEAD);
        LocalCopy.checkBeside(NeighboursJob.beside(out), List.of(), false, "--table");
        LocalCopy.checkBeside(NpyExport.beside(out), List.of(), false, "--npy");
        Files.writeString(tmp.resolve("emb.tsv"), "row\tmine\n");
        assertThatThrownBy(
                        () ->
                                LocalCopy.checkBeside(
                                        NpyExport.beside(out), List.of(), false, "--npy"))
                .hasMessageContaining(tmp.resolve("emb.tsv") + ", which npid-spark writes beside");
    }

    @Test
    void aFolderOrAnInputBesideTheTableIsNeverReplaced() throws Exception {
        String out = tmp.resolve("emb").toString();
        Files.createDirectories(tmp.resolve("emb.npy"));
        assertThatThrownBy(
                        () ->
                                LocalCopy.checkBeside(
                                        NpyExport.beside(out), List.of(), true, "--npy"))
                .hasMessageContaining("is a folder, so it is left alone");
        Files.delete(tmp.resolve("emb.npy"));
        Path table = Files.writeString(tmp.resolve("emb.neighbours.tsv"), "input");
        assertThatThrownBy(
                        () ->
                                LocalCopy.checkBeside(
                                        NeighboursJob.beside(out),
                                        List.of(table.toString()),
                                        true,
                                        "--table"))
                .hasMessageContaining("is the input " + table)
                .hasMessageContaining("choose an --out outside the input folders");
        assertThat(table).hasContent("input");
    }
}
