package org.npid.machine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostTest {
    @TempDir Path dir;

    private Path cpuinfo(String flags) throws IOException {
        return Files.writeString(
                dir.resolve("cpuinfo"),
                "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: " + flags + "\n\n");
    }

    private Path virtio(String... deviceAndFeatures) throws IOException {
        Path root = Files.createDirectories(dir.resolve("virtio"));
        for (int i = 0; i < deviceAndFeatures.length; i += 2) {
            Path device = Files.createDirectories(root.resolve("virtio" + i / 2));
            Files.writeString(device.resolve("device"), deviceAndFeatures[i] + "\n");
            Files.writeString(device.resolve("features"), deviceAndFeatures[i + 1] + "\n");
        }
        return root;
    }

    @Test
    void aBalloonThatNegotiatedBitFiveReportsFreePages() throws IOException {
        // The Zen 5 Firecracker VM's devices: a block device, then the balloon with bits 1, 2, 5.
        Host host =
                Host.detect(
                        cpuinfo("fpu sse avx2 hypervisor avx512f"),
                        virtio("0x0002", "0010001001100100", "0x0005", "0110010100000000"));
        assertThat(host).isEqualTo(new Host(true, true));
        assertThat(host.toString()).isEqualTo("virtual machine, free page reporting on");
    }

    @Test
    void aBalloonWithoutBitFiveOrAnotherDeviceWithItDoesNot() throws IOException {
        Host host =
                Host.detect(
                        cpuinfo("fpu hypervisor"),
                        virtio("0x0005", "0110000000000000", "0x0002", "0000010000000000"));
        assertThat(host).isEqualTo(new Host(true, false));
        assertThat(host.toString()).isEqualTo("virtual machine");
    }

    @Test
    void noHypervisorFlagAndNoVirtioFolderIsBareMetal() throws IOException {
        Host host = Host.detect(cpuinfo("fpu sse avx2"), dir.resolve("absent"));
        assertThat(host).isEqualTo(new Host(false, false));
        assertThat(host.toString()).isEqualTo("bare metal");
    }

    @Test
    void unreadableFilesCountAsAbsent() {
        assertThat(Host.detect(dir.resolve("no-cpuinfo"), dir.resolve("no-virtio")))
                .isEqualTo(new Host(false, false));
    }
}
