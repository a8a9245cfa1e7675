package org.npid.train;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a small, separable grayscale data set in the IDX layout of MNIST: four classes of textures
 * (horizontal stripes, vertical stripes, a checkerboard, a centred blob) with random phase,
 * contrast and noise, so that instance discrimination has real structure to find.
 */
public final class SyntheticIdx {
    static final int CLASSES = 4;

    private SyntheticIdx() {}

    public static Path write(Path dir, int trainPerClass, int testPerClass, int side, long seed)
            throws IOException {
        Files.createDirectories(dir);
        SplittableRandom rng = new SplittableRandom(seed);
        writeSplit(dir, "train", trainPerClass, side, rng);
        writeSplit(dir, "t10k", testPerClass, side, rng);
        return dir;
    }

    private static void writeSplit(
            Path dir, String prefix, int perClass, int side, SplittableRandom rng)
            throws IOException {
        int n = perClass * CLASSES;
        byte[] pixels = new byte[n * side * side];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            int c = i % CLASSES;
            labels[i] = (byte) c;
            int phase = rng.nextInt(4);
            double contrast = 0.6 + 0.4 * rng.nextDouble();
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    double v =
                            switch (c) {
                                case 0 -> ((y + phase) / 2) % 2;
                                case 1 -> ((x + phase) / 2) % 2;
                                case 2 -> (((x + phase) / 3) + ((y + phase) / 3)) % 2;
                                default -> {
                                    double dx = x - side / 2.0 + phase - 1.5;
                                    double dy = y - side / 2.0;
                                    yield Math.sqrt(dx * dx + dy * dy) < side / 4.0 ? 1 : 0;
                                }
                            };
                    double p = 255 * (0.5 + contrast * (v - 0.5)) + rng.nextDouble() * 40 - 20;
                    pixels[(i * side + y) * side + x] = (byte) Math.max(0, Math.min(255, p));
                }
            }
        }
        try (DataOutputStream out =
                new DataOutputStream(stream(dir, prefix + "-images-idx3-ubyte"))) {
            out.writeInt(0x00000803);
            out.writeInt(n);
            out.writeInt(side);
            out.writeInt(side);
            out.write(pixels);
        }
        try (DataOutputStream out =
                new DataOutputStream(stream(dir, prefix + "-labels-idx1-ubyte"))) {
            out.writeInt(0x00000801);
            out.writeInt(n);
            out.write(labels);
        }
    }

    private static OutputStream stream(Path dir, String name) throws IOException {
        return Files.newOutputStream(dir.resolve(name));
    }
}
