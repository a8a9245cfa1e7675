package org.npid.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HnswParamsTest {
    @Test
    void defaultsAreValid() {
        HnswParams p = HnswParams.defaults();
        assertThat(p.maxConn()).isEqualTo(16);
        assertThat(p.beamWidth()).isEqualTo(100);
        assertThat(p.bits()).isEqualTo(7);
    }

    @Test
    void messagesNameTheField() {
        HnswParams p = HnswParams.defaults();
        assertThatThrownBy(() -> p.withMaxConn(1)).hasMessageContaining("maxConn");
        assertThatThrownBy(() -> p.withBeamWidth(0)).hasMessageContaining("beamWidth");
        assertThatThrownBy(() -> p.withEfSearch(0)).hasMessageContaining("efSearch");
        assertThatThrownBy(() -> p.withBits(6)).hasMessageContaining("bits");
        assertThatThrownBy(() -> p.withThreads(0)).hasMessageContaining("threads");
    }
}
