package org.npid.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLockTest {
    @TempDir Path tmp;

    @Test
    void aSecondRunOnTheSameDirectoryIsRefusedNamingTheHolder() {
        try (RunLock first = RunLock.take(tmp)) {
            assertThatThrownBy(() -> RunLock.take(tmp))
                    .isInstanceOf(TrainingException.class)
                    .hasMessageContaining("in use by another npid train")
                    .hasMessageContaining("pid " + ProcessHandle.current().pid())
                    .hasMessageContaining("another run directory (run_dir)");
        }
        RunLock.take(tmp).close();
    }

    @Test
    void aLockFileLeftByAKilledProcessIsTakenOver() throws Exception {
        // The kernel drops a dead process's lock; only its file, naming it, stays behind.
        Files.writeString(tmp.resolve(RunLock.FILE), "pid 999999, started long ago");
        try (RunLock lock = RunLock.take(tmp)) {
            assertThat(Files.readString(tmp.resolve(RunLock.FILE)))
                    .startsWith("pid " + ProcessHandle.current().pid());
        }
    }
}
