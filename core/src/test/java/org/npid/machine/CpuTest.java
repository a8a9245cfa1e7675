package org.npid.machine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CpuTest {
    @Test
    void readsVendorFamilyModelAndTheVectorFlagsOfTheFirstProcessor() {
        Cpu cpu =
                Cpu.parse(
                        List.of(
                                "processor\t: 0",
                                "vendor_id\t: AuthenticAMD",
                                "cpu family\t: 26",
                                "model\t\t: 2",
                                "model name\t: AMD EPYC 9B45",
                                "flags\t\t: fpu sse avx2 fma avx512f avx512bw avx512_bf16"
                                        + " avx512_vp2intersect",
                                "",
                                "processor\t: 1",
                                "vendor_id\t: GenuineIntel"));
        assertThat(cpu.vendor()).isEqualTo("AuthenticAMD");
        assertThat(cpu.family()).isEqualTo(26);
        assertThat(cpu.model()).isEqualTo(2);
        assertThat(cpu.simd())
                .containsExactly(
                        "avx2", "fma", "avx512f", "avx512bw", "avx512_bf16", "avx512_vp2intersect");
        assertThat(cpu.toString())
                .isEqualTo(
                        "AuthenticAMD family 26 model 2 (AMD EPYC 9B45), avx2 fma avx512f avx512bw"
                                + " avx512_bf16 avx512_vp2intersect");
    }

    @Test
    void thisMachineHasAVendor() {
        assertThat(Cpu.current().vendor()).isNotBlank();
    }
}
