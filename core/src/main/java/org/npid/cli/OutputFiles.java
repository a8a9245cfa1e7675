package org.npid.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The check a command makes before it writes a file: a file that npid did not write may be a user's
 * only copy of something, so it is replaced only when asked to, and the input data never.
 */
final class OutputFiles {
    private OutputFiles() {}

    /** How a command recognises an earlier output of its own, with why not when it does not. */
    interface Ours {
        /** Null when {@code file} is an earlier output of the command, else what it lacks. */
        String whyNot(Path file);
    }

    /**
     * Refuses to write {@code out} (and its {@code sidecars}) when it is an input or a folder above
     * one, a folder, or an existing file that {@code ours} does not recognise, unless {@code
     * overwrite}.
     */
    static void check(Path out, boolean overwrite, Ours ours, List<Path> inputs, Path... sidecars) {
        Path target = out.toAbsolutePath().normalize();
        for (Path input : inputs) {
            if (input != null && input.toAbsolutePath().normalize().startsWith(target)) {
                throw new IllegalArgumentException(
                        "--out "
                                + out
                                + " is the input "
                                + input
                                + " or holds it: choose another --out");
            }
        }
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException(
                    "--out " + out + " is a directory: name a file in it, or another path");
        }
        if (overwrite) {
            return;
        }
        boolean any = Files.exists(out) || Arrays.stream(sidecars).anyMatch(Files::exists);
        String why =
                any ? (Files.exists(out) ? ours.whyNot(out) : "no " + out.getFileName()) : null;
        if (why != null) {
            throw new IllegalArgumentException(
                    "--out "
                            + out
                            + " (or the file beside it) exists and was not written by npid ("
                            + why
                            + "): pass --overwrite to replace it, or choose another --out");
        }
    }

    /** Whether {@code file} begins with {@code prefix}. */
    static boolean startsWith(Path file, byte[] prefix) {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(prefix.length), prefix);
        } catch (IOException e) {
            return false;
        }
    }

    /** An .npy that {@code npid embed} wrote: the NumPy magic, and its .tsv sidecar beside it. */
    static Ours embeddings(Path sidecar) {
        byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
        return f ->
                !startsWith(f, magic)
                        ? "not an .npy file"
                        : Files.exists(sidecar)
                                ? null
                                : "no " + sidecar.getFileName() + " beside it";
    }

    /** Results {@code npid bench} wrote: a JSON object whose first key is the machine. */
    static Ours bench() {
        return f -> {
            try (InputStream in = Files.newInputStream(f)) {
                String head =
                        new String(in.readNBytes(64), StandardCharsets.UTF_8).replaceAll("\\s", "");
                return head.startsWith("{\"machine\":") ? null : "not npid bench's JSON";
            } catch (IOException e) {
                return "unreadable: " + e.getMessage();
            }
        };
    }

    /** A report {@code npid report} wrote: its first line. */
    static Ours report() {
        byte[] head =
                "<!doctype html><html><head><meta charset=\"utf-8\"><title>npid report: "
                        .getBytes(StandardCharsets.UTF_8);
        return f -> startsWith(f, head) ? null : "not an npid report";
    }

    /** Weights {@code npid export} wrote: the JSON description beside them. */
    static Ours export(Path json) {
        return f -> Files.exists(json) ? null : "no " + json.getFileName() + " beside it";
    }
}
