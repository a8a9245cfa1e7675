package org.npid.machine;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the processor runs under: bare metal or a virtual machine, and whether that machine's
 * hypervisor takes back memory the guest frees (virtio-balloon free page reporting). Both change
 * what a benchmark figure means. Under free page reporting the guest hands freed 2 MB blocks to the
 * host a few seconds after they are freed, so a process that touches fresh memory pays a fault in
 * the host as well, and its figures depend on how much memory the processes before it freed
 * (docs/BENCHMARKS.md has the Zen 5 VM where this was seen). Printed beside every benchmark.
 */
public record Host(boolean virtualMachine, boolean freePageReporting) {
    /** The virtio device id of a memory balloon (virtio 1.2, section 5.5). */
    private static final String BALLOON_DEVICE = "0x0005";

    /** VIRTIO_BALLOON_F_PAGE_REPORTING, the feature bit of free page reporting (section 5.5.3). */
    private static final int PAGE_REPORTING_BIT = 5;

    /** This machine, from /proc/cpuinfo and the virtio devices in sysfs; bare metal off Linux. */
    public static Host current() {
        return detect(Path.of("/proc/cpuinfo"), Path.of("/sys/bus/virtio/devices"));
    }

    /**
     * Reads the {@code hypervisor} CPU flag from a cpuinfo file and looks for a balloon device that
     * negotiated page reporting under a virtio devices folder; a file that cannot be read counts as
     * absent.
     */
    static Host detect(Path cpuinfo, Path virtioDevices) {
        return new Host(hasHypervisorFlag(cpuinfo), reportsFreePages(virtioDevices));
    }

    private static boolean hasHypervisorFlag(Path cpuinfo) {
        try {
            return Cpu.flags(Files.readAllLines(cpuinfo)).contains("hypervisor");
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean reportsFreePages(Path virtioDevices) {
        try (DirectoryStream<Path> devices = Files.newDirectoryStream(virtioDevices)) {
            for (Path device : devices) {
                if (BALLOON_DEVICE.equals(read(device.resolve("device")))
                        && bitSet(read(device.resolve("features")), PAGE_REPORTING_BIT)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * sysfs writes a virtio device's negotiated features as one '0' or '1' per bit, bit 0 first.
     */
    private static boolean bitSet(String features, int bit) {
        return features.length() > bit && features.charAt(bit) == '1';
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** E.g. "virtual machine, free page reporting on". */
    @Override
    public String toString() {
        if (!virtualMachine) {
            return "bare metal";
        }
        return freePageReporting ? "virtual machine, free page reporting on" : "virtual machine";
    }
}
