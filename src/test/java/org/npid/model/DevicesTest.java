package org.npid.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;

class DevicesTest {

    @Test
    void picksAGpuExactlyWhenTheEngineSeesOne() {
        Device expected = Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
        assertThat(Devices.best()).isEqualTo(expected);
    }
}
