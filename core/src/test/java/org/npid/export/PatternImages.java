package org.npid.export;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.npid.data.Image;
import org.npid.data.ImageDataset;

/**
 * A data set of structured images made from a seed: gradients at random angles, rings, checkers,
 * stripes and filled rectangles and discs in random colours, with a little noise, so that a
 * network's activations vary as they do on photographs and not only as on noise.
 */
final class PatternImages implements ImageDataset {
    private final List<Image> images;
    private final int channels;

    PatternImages(int count, int side, int channels, long seed) {
        this.channels = channels;
        Random random = new Random(seed);
        images = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            images.add(image(i % 5, side, channels, random));
        }
    }

    private static Image image(int kind, int side, int channels, Random r) {
        byte[] px = new byte[side * side * channels];
        double[] a = colour(r);
        double[] b = colour(r);
        double angle = r.nextDouble() * Math.PI;
        double period = 3 + r.nextDouble() * side / 2.0;
        double cx = r.nextDouble() * side;
        double cy = r.nextDouble() * side;
        double radius = side * (0.15 + 0.35 * r.nextDouble());
        int x0 = r.nextInt(side / 2);
        int y0 = r.nextInt(side / 2);
        int x1 = x0 + 2 + r.nextInt(side / 2);
        int y1 = y0 + 2 + r.nextInt(side / 2);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                double u = (x * Math.cos(angle) + y * Math.sin(angle)) / side;
                double t =
                        switch (kind) {
                            case 0 -> u;
                            case 1 -> 0.5 + 0.5 * Math.cos(Math.hypot(x - cx, y - cy) / period * 6);
                            case 2 -> ((int) (x / period * 2) + (int) (y / period * 2)) % 2;
                            case 3 -> 0.5 + 0.5 * Math.sin(u * side / period * 2 * Math.PI);
                            default ->
                                    (x >= x0 && x < x1 && y >= y0 && y < y1)
                                                    || Math.hypot(x - cx, y - cy) < radius / 2
                                            ? 1
                                            : 0.2 * u;
                        };
                for (int c = 0; c < channels; c++) {
                    double v = a[c] * (1 - t) + b[c] * t + r.nextGaussian() * 6;
                    px[(y * side + x) * channels + c] =
                            (byte) Math.max(0, Math.min(255, Math.round(v)));
                }
            }
        }
        return new Image(side, side, channels, px);
    }

    private static double[] colour(Random r) {
        return new double[] {r.nextInt(256), r.nextInt(256), r.nextInt(256)};
    }

    /** Pixels / 255 as {@code [n, C, side, side]} floats: the ONNX model's input. */
    float[] unitPixels(int from, int to) {
        Image first = images.get(0);
        int side = first.width();
        int plane = side * side;
        float[] out = new float[(to - from) * channels * plane];
        for (int i = from; i < to; i++) {
            byte[] px = images.get(i).pixels();
            int base = (i - from) * channels * plane;
            for (int p = 0; p < plane; p++) {
                for (int c = 0; c < channels; c++) {
                    out[base + c * plane + p] = (px[p * channels + c] & 0xFF) / 255f;
                }
            }
        }
        return out;
    }

    @Override
    public int size() {
        return images.size();
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int label(int index) {
        return 0;
    }

    @Override
    public List<String> classNames() {
        return List.of();
    }

    @Override
    public Image image(int index) {
        return images.get(index);
    }

    @Override
    public String source(int index) {
        return "pattern " + index;
    }
}
