package org.npid.examples;

import ai.djl.ModelException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.onnxruntime.engine.OrtSymbolBlock;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Loads a model that {@code npid export --out model.onnx} wrote through DJL's {@link Criteria} on
 * the ONNX Runtime engine, embeds every image of a folder and prints each image's nearest other
 * images by cosine similarity. Nothing of npid is needed at run time: only DJL and ONNX Runtime.
 *
 * <pre>{@code java -cp ... org.npid.examples.NearestImages model.onnx photos/ [k]}</pre>
 */
public final class NearestImages {
    private NearestImages() {}

    /** A neighbour of an image: the other image's file and the cosine similarity of the two. */
    public record Neighbour(Path image, float score) {}

    /**
     * What {@link #run} found: the images in file-name order (as {@code npid embed} numbers them),
     * their unit-length embeddings, and each image's {@code k} nearest others, best first.
     */
    public record Result(
            List<Path> images, List<float[]> embeddings, List<List<Neighbour>> neighbours) {}

    public static void main(String[] args) throws IOException, ModelException, TranslateException {
        if (args.length < 2) {
            System.err.println("usage: NearestImages MODEL.onnx IMAGE_FOLDER [K]");
            System.exit(2);
        }
        Result r =
                run(
                        Path.of(args[0]),
                        Path.of(args[1]),
                        args.length > 2 ? Integer.parseInt(args[2]) : 5);
        for (int i = 0; i < r.images().size(); i++) {
            System.out.println(r.images().get(i).getFileName());
            for (Neighbour n : r.neighbours().get(i)) {
                System.out.printf(Locale.ROOT, "  %.4f  %s%n", n.score(), n.image().getFileName());
            }
        }
    }

    /**
     * Embeds the images directly in {@code folder} with {@code onnx} and finds each one's {@code k}
     * nearest others.
     */
    public static Result run(Path onnx, Path folder, int k)
            throws IOException, ModelException, TranslateException {
        List<Path> images;
        try (Stream<Path> files = Files.list(folder)) {
            images =
                    files.filter(
                                    p ->
                                            p.getFileName()
                                                    .toString()
                                                    .toLowerCase(Locale.ROOT)
                                                    .matches(".*\\.(png|jpe?g|bmp|gif)"))
                            .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                            .toList();
        }
        Criteria<Path, float[]> criteria =
                Criteria.builder()
                        .setTypes(Path.class, float[].class)
                        .optModelPath(onnx)
                        .optEngine("OnnxRuntime")
                        .optTranslator(new EmbeddingTranslator())
                        .build();
        float[][] e = new float[images.size()][];
        try (ZooModel<Path, float[]> model = criteria.loadModel();
                Predictor<Path, float[]> predictor = model.newPredictor()) {
            for (int i = 0; i < e.length; i++) {
                e[i] = predictor.predict(images.get(i));
            }
        }
        List<List<Neighbour>> neighbours = new ArrayList<>();
        for (int i = 0; i < e.length; i++) {
            float[] score = new float[e.length];
            for (int j = 0; j < e.length; j++) {
                for (int d = 0; d < e[i].length; d++) {
                    score[j] += e[i][d] * e[j][d]; // unit vectors: the dot product is the cosine
                }
            }
            int self = i;
            neighbours.add(
                    IntStream.range(0, e.length)
                            .filter(j -> j != self)
                            .boxed()
                            .sorted(Comparator.comparingDouble(j -> -score[j]))
                            .limit(k)
                            .map(j -> new Neighbour(images.get(j), score[j]))
                            .toList());
        }
        return new Result(images, List.of(e), neighbours);
    }

    /**
     * An image file to the model's input, {@code [C, S, S]} pixels / 255 (DJL's default batchifier
     * adds the batch dimension), and its output to the embedding. C and S are the export's
     * metadata; the model itself normalises.
     */
    static final class EmbeddingTranslator implements Translator<Path, float[]> {
        private int size;
        private int channels;

        @Override
        public void prepare(TranslatorContext ctx) {
            Map<String, String> meta =
                    ((OrtSymbolBlock) ctx.getModel().getBlock()).getCustomMetadata();
            size = Integer.parseInt(meta.get("npid.image_size"));
            channels = Integer.parseInt(meta.get("npid.channels"));
        }

        @Override
        public NDList processInput(TranslatorContext ctx, Path file) throws IOException {
            BufferedImage img = fit(ImageIO.read(file.toFile()), size);
            Raster raster = img.getRaster();
            boolean gray = raster.getNumBands() == 1;
            int plane = size * size;
            float[] px = new float[channels * plane];
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    // A gray image's raster holds its values; getRGB would convert them.
                    int rgb = gray ? raster.getSample(x, y, 0) * 0x010101 : img.getRGB(x, y);
                    float[] v = {rgb >> 16 & 0xff, rgb >> 8 & 0xff, rgb & 0xff};
                    if (channels == 1) {
                        px[y * size + x] = (0.299f * v[0] + 0.587f * v[1] + 0.114f * v[2]) / 255f;
                    } else {
                        for (int c = 0; c < 3; c++) {
                            px[c * plane + y * size + x] = v[c] / 255f;
                        }
                    }
                }
            }
            return new NDList(ctx.getNDManager().create(px, new Shape(channels, size, size)));
        }

        @Override
        public float[] processOutput(TranslatorContext ctx, NDList out) {
            return out.get(0).toFloatArray(); // the first output is the unit-length embedding
        }

        /**
         * Shorter side to {@code s} (bilinear), then the centre {@code s x s}; as is when already
         * that size.
         */
        private static BufferedImage fit(BufferedImage img, int s) {
            int w = img.getWidth();
            int h = img.getHeight();
            if (w == s && h == s) {
                return img;
            }
            int nw = w <= h ? s : (int) ((long) s * w / h);
            int nh = w <= h ? (int) ((long) s * h / w) : s;
            int type =
                    img.getRaster().getNumBands() == 1
                            ? BufferedImage.TYPE_BYTE_GRAY
                            : BufferedImage.TYPE_INT_RGB;
            BufferedImage out = new BufferedImage(s, s, type);
            Graphics2D g = out.createGraphics();
            g.setRenderingHint(
                    RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(
                    img,
                    (int) Math.rint((s - nw) / 2.0),
                    (int) Math.rint((s - nh) / 2.0),
                    nw,
                    nh,
                    null);
            g.dispose();
            return out;
        }
    }
}
