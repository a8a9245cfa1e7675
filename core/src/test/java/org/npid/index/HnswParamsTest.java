package org.npid.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HnswParamsTest {
    @Test
    void defaultsAreValid() {
        HnswParams p = HnswParams.defaults();
        assertThat(p.maxConn()).isEqualTo(12);
        assertThat(p.beamWidth()).isEqualTo(100);
        assertThat(p.bits()).isEqualTo(7);
        assertThat(p.storage()).isEqualTo(HnswParams.Storage.INT8);
        assertThat(p.dims()).isEqualTo(HnswParams.DEFAULT_DIMS);
    }

    @Test
    void switchingToQuantizedFloatDropsDimsWhichOnlyInt8Uses() {
        HnswParams q = HnswParams.defaults().withStorage(HnswParams.Storage.QUANTIZED_FLOAT);
        assertThat(q.dims()).isZero();
        assertThat(q.withStorage(HnswParams.Storage.INT8).withDims(96).dims()).isEqualTo(96);
    }

    @Test
    void messagesNameTheField() {
        HnswParams p = HnswParams.defaults();
        assertThatThrownBy(() -> p.withMaxConn(1)).hasMessageContaining("maxConn");
        assertThatThrownBy(() -> p.withBeamWidth(0)).hasMessageContaining("beamWidth");
        assertThatThrownBy(() -> p.withEfSearch(0)).hasMessageContaining("efSearch");
        assertThatThrownBy(() -> p.withBits(6)).hasMessageContaining("bits");
        assertThatThrownBy(() -> p.withThreads(0)).hasMessageContaining("threads");
        assertThatThrownBy(() -> p.withStorage(null)).hasMessageContaining("storage");
        assertThatThrownBy(() -> p.withDims(-1)).hasMessageContaining("dims");
        assertThatThrownBy(() -> p.withDims(2000)).hasMessageContaining("dims");
        assertThatThrownBy(() -> p.withStorage(HnswParams.Storage.QUANTIZED_FLOAT).withDims(64))
                .hasMessageContaining("dims")
                .hasMessageContaining("INT8");
    }
}
