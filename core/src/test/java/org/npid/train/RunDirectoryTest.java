package org.npid.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.config.TrainConfig;

class RunDirectoryTest {
    @TempDir Path tmp;

    @Test
    void aReplanKeepsThePlanItReplacesAndWritesTheNewOne() throws Exception {
        RunDirectory dir = new RunDirectory(tmp);
        TrainConfig planned = TrainConfig.defaults().withEpochs(13);
        dir.writeConfig(planned);
        dir.replan(planned, planned.withEpochs(18), 4);
        dir.replan(planned.withEpochs(18), planned.withEpochs(16), 11);
        assertThat(TrainConfig.fromYaml(Files.readString(tmp.resolve("config.yaml"))).epochs())
                .isEqualTo(16);
        assertThat(read(tmp.resolve("config.until-epoch-4.yaml")).epochs()).isEqualTo(13);
        assertThat(read(tmp.resolve("config.until-epoch-11.yaml")).epochs()).isEqualTo(18);
    }

    private static TrainConfig read(Path file) throws Exception {
        return TrainConfig.fromYaml(Files.readString(file));
    }
}
