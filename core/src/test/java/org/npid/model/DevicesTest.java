package org.npid.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class DevicesTest {
    @AfterEach
    void backToAuto() {
        Devices.choose(Devices.Choice.AUTO);
    }

    @Test
    void cpuIsHonouredEvenWhereAGpuExists() {
        Devices.choose(Devices.Choice.CPU);
        assertThat(Devices.best()).isEqualTo(Device.cpu());
        assertThat(Devices.describe(Devices.best())).startsWith("CPU: ").contains("asked for");
    }

    @Test
    void autoTakesTheGpuOnlyWhenOneIsVisible() {
        Device expected = Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
        assertThat(Devices.best()).isEqualTo(expected);
    }

    @Test
    void insistingOnAMissingGpuSaysHowToGetOne() {
        Assumptions.assumeTrue(Engine.getInstance().getGpuCount() == 0, "this machine has a GPU");
        Devices.choose(Devices.Choice.GPU);
        assertThatThrownBy(Devices::best)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sees no GPU")
                .hasMessageContaining("PYTORCH_LIBRARY_PATH")
                .hasMessageContaining("NPID_TORCH=download")
                .hasMessageContaining("--device cpu");
    }
}
