package org.npid.machine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The processor a figure was measured on: vendor, family and model (what tells AMD Zen 3, Zen 4 and
 * Zen 5, or Intel generations, apart), its marketing name, and the vector extensions that decide
 * which native kernels run. Printed beside every benchmark and recorded in every run's provenance.
 */
public record Cpu(String vendor, int family, int model, String name, List<String> simd) {
    /** The flags that change which oneDNN/MKL kernels run; the rest of /proc/cpuinfo is noise. */
    private static final List<String> SIMD_FLAGS =
            List.of(
                    "avx2",
                    "fma",
                    "avx512f",
                    "avx512bw",
                    "avx512vl",
                    "avx512_vnni",
                    "avx512_bf16",
                    "avx512_fp16",
                    "avx512_vp2intersect",
                    "amx_tile",
                    "amx_bf16");

    /** This machine's processor, from /proc/cpuinfo; "unknown" fields where it is not Linux. */
    public static Cpu current() {
        try {
            return parse(Files.readAllLines(Path.of("/proc/cpuinfo")));
        } catch (IOException e) {
            return new Cpu(System.getProperty("os.arch"), -1, -1, "unknown", List.of());
        }
    }

    /** The first processor described by the lines of a /proc/cpuinfo. */
    static Cpu parse(List<String> lines) {
        String vendor = "unknown";
        int family = -1;
        int model = -1;
        String name = "unknown";
        for (String line : lines) {
            if (line.isBlank() && !"unknown".equals(vendor)) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            switch (key) {
                case "vendor_id" -> vendor = value;
                case "cpu family" -> family = Integer.parseInt(value);
                case "model" -> model = Integer.parseInt(value);
                case "model name" -> name = value;
                default -> {}
            }
        }
        Set<String> flags = flags(lines);
        List<String> simd = new ArrayList<>();
        for (String f : SIMD_FLAGS) {
            if (flags.contains(f)) {
                simd.add(f);
            }
        }
        return new Cpu(vendor, family, model, name, List.copyOf(simd));
    }

    /** The flags of the first processor described by the lines of a /proc/cpuinfo. */
    static Set<String> flags(List<String> lines) {
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon >= 0 && "flags".equals(line.substring(0, colon).trim())) {
                return Set.of(line.substring(colon + 1).trim().split("\\s+"));
            }
        }
        return Set.of();
    }

    /** E.g. "AuthenticAMD family 25 model 1 (AMD EPYC), avx2 fma". */
    @Override
    public String toString() {
        return vendor
                + " family "
                + family
                + " model "
                + model
                + " ("
                + name
                + ")"
                + (simd.isEmpty() ? "" : ", " + String.join(" ", simd));
    }
}
