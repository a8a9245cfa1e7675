package org.npid.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How many native operators one training step issues, and how much of the step is spent outside
 * them (in Java, JNI crossings and allocation), counted by PyTorch's own profiler. On a GPU each
 * operator is at least one kernel launch, so this count is the step's launch overhead.
 *
 * <p>An operator is counted once, at the top level of its thread: {@code aten::matmul} is one call
 * even though it runs {@code aten::mm} inside. Top-level operators named {@code
 * autograd::engine::evaluate_function: …} are the backward pass, issued by the autograd engine from
 * one {@code backward()} call; the rest were issued from Java. A fused native call such as DJL's
 * {@code sgdUpdate} shows as the several operators it runs: the count is of operators, not of JNI
 * crossings.
 *
 * @param fromJavaPerStep top-level operators issued from Java, per step
 * @param backwardPerStep backward functions run by the autograd engine, per step
 * @param nativeSeconds time inside top-level operators, per step
 * @param wallSeconds the profiled step's wall time (the profiler adds to it)
 */
public record NativeCalls(
        double fromJavaPerStep, double backwardPerStep, double nativeSeconds, double wallSeconds) {
    private static final String BACKWARD = "autograd::engine::evaluate_function";

    /** The share of the step outside native operators: Java, JNI and the profiler's own cost. */
    public double outsideShare() {
        return wallSeconds > 0 ? Math.max(0, 1 - nativeSeconds / wallSeconds) : Double.NaN;
    }

    /** Profiles {@code steps} runs of {@code step}; null where the engine is not PyTorch. */
    public static NativeCalls profile(Runnable step, int steps) {
        if (!"PyTorch".equals(Engine.getInstance().getEngineName())) {
            return null;
        }
        try {
            Path trace = Files.createTempFile("npid-profile", ".json");
            try {
                JniUtils.startProfile(false, false, false);
                long t0 = System.nanoTime();
                try {
                    for (int i = 0; i < steps; i++) {
                        step.run();
                    }
                } finally {
                    JniUtils.stopProfile(trace.toString());
                }
                double wall = (System.nanoTime() - t0) / 1e9;
                return parse(trace, steps, wall);
            } finally {
                Files.deleteIfExists(trace);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the profiler's trace", e);
        }
    }

    /** Counts the top-level operators of a Chrome trace written by PyTorch's profiler. */
    static NativeCalls parse(Path trace, int steps, double wallSeconds) throws IOException {
        JsonNode root = new ObjectMapper().readTree(trace.toFile());
        JsonNode events = root.isArray() ? root : root.path("traceEvents");
        Map<String, List<JsonNode>> byThread = new HashMap<>();
        for (JsonNode e : events) {
            if ("X".equals(e.path("ph").asText())) {
                byThread.computeIfAbsent(e.path("tid").asText(), t -> new ArrayList<>()).add(e);
            }
        }
        long fromJava = 0;
        long backward = 0;
        double nativeMicros = 0;
        for (List<JsonNode> thread : byThread.values()) {
            // Parents start first; at equal starts the longer event is the parent.
            thread.sort(
                    Comparator.comparingDouble((JsonNode e) -> e.path("ts").asDouble())
                            .thenComparing(e -> -e.path("dur").asDouble()));
            double openUntil = Double.NEGATIVE_INFINITY;
            for (JsonNode e : thread) {
                double ts = e.path("ts").asDouble();
                double dur = e.path("dur").asDouble();
                if (ts < openUntil) {
                    continue;
                }
                openUntil = ts + dur;
                nativeMicros += dur;
                if (e.path("name").asText().startsWith(BACKWARD)) {
                    backward++;
                } else {
                    fromJava++;
                }
            }
        }
        return new NativeCalls(
                (double) fromJava / steps,
                (double) backward / steps,
                nativeMicros / 1e6 / steps,
                wallSeconds / steps);
    }
}
