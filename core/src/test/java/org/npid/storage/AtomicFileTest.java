package org.npid.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
    @TempDir Path dir;

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void theTargetGetsTheNewBytes() throws Exception {
        Path file = dir.resolve("a.bin");
        AtomicFile.write(file, ch -> ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3})));
        assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3);
        assertThat(files()).containsExactly(file);
    }

    @Test
    void anExistingTargetIsReplaced() throws Exception {
        Path file = dir.resolve("a.txt");
        Files.writeString(file, "a much longer old text");
        AtomicFile.writeString(file, "new");
        assertThat(Files.readString(file)).isEqualTo("new");
        assertThat(files()).containsExactly(file);
    }

    @Test
    void aStreamBodyMayCloseWhatItWraps() throws Exception {
        Path file = dir.resolve("s.txt");
        AtomicFile.writeStream(
                file,
                out -> {
                    try (BufferedWriter w =
                            new BufferedWriter(
                                    new OutputStreamWriter(out, StandardCharsets.UTF_8))) {
                        w.write("héllo");
                    }
                });
        assertThat(Files.readString(file)).isEqualTo("héllo");
        assertThat(files()).containsExactly(file);
    }

    @Test
    void aFailingBodyLeavesTheOldTargetAndNoTemporaryFile() throws Exception {
        Path file = dir.resolve("keep.bin");
        byte[] old = {9, 8, 7, 6};
        Files.write(file, old);
        IOException boom = new IOException("disk full");
        assertThatThrownBy(
                        () ->
                                AtomicFile.write(
                                        file,
                                        ch -> {
                                            ch.write(ByteBuffer.wrap(new byte[] {1, 2}));
                                            throw boom;
                                        }))
                .isSameAs(boom);
        assertThat(Files.readAllBytes(file)).isEqualTo(old);
        assertThat(files()).containsExactly(file);
    }

    @Test
    void anUncheckedErrorPropagatesToo() throws Exception {
        Path file = dir.resolve("new.txt");
        UncheckedIOException boom = new UncheckedIOException(new IOException("broken"));
        assertThatThrownBy(
                        () ->
                                AtomicFile.writeStream(
                                        file,
                                        out -> {
                                            out.write(1);
                                            throw boom;
                                        }))
                .isSameAs(boom);
        assertThat(files()).isEmpty();
    }

    @Test
    void moveIntoPlaceReplacesTheTarget() throws Exception {
        Path tmp = Files.writeString(dir.resolve("t"), "new");
        Path file = Files.writeString(dir.resolve("f"), "old");
        AtomicFile.moveIntoPlace(tmp, file);
        assertThat(Files.readString(file)).isEqualTo("new");
        assertThat(tmp).doesNotExist();
    }
}
