package org.npid.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.npid.data.Datasets;
import org.npid.data.ImageDataset;
import org.npid.data.Split;
import org.npid.eval.OnnxModel;
import org.npid.eval.TrainedModel;
import org.npid.fixtures.Dependency;

/**
 * On real photographs of clothing (the first 104 Fashion-MNIST test images, written as PNG files
 * and read as an image folder, as a user's folder would be), {@code npid embed}'s two engines
 * agree: libtorch on the checkpoint and ONNX Runtime (through DJL) on its export give the same
 * L2-normalised embeddings within 1e-5 per component, for each architecture family, through the
 * whole inference path (decoding, the test transform's resize and crop, batching).
 */
class OnnxRealImagesTest {
    private static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
    private static final float TOLERANCE = 1e-5f;
    private static final int IMAGES = 104;

    @TempDir Path dir;

    @ParameterizedTest
    @CsvSource({
        "resnet18, cifar, linear, 0.125, 28, 1",
        "resnet18, imagenet, mlp, 0.25, 64, 3",
        "resnet50, cifar, linear, 0.125, 32, 3",
        "alexnet, cifar, mlp, 0.25, 32, 3",
        "vgg16_bn, cifar, linear, 0.125, 32, 3"
    })
    void bothEnginesEmbedRealImagesAlike(
            String arch, String stem, String head, String width, int side, int channels)
            throws IOException {
        Path idx = FASHION_MNIST.resolve("t10k-images-idx3-ubyte.gz");
        Dependency.FASHION_MNIST.assume(Files.isRegularFile(idx), idx + " not found");
        Path folder = writePngs(idx, dir.resolve("photos"), channels);
        ImageDataset images = Datasets.open(folder, Split.TEST, channels);
        assertThat(images.size()).isEqualTo(IMAGES);

        Path ckpt =
                ExportFixture.checkpoint(
                        dir.resolve("run"),
                        channels,
                        side,
                        "arch",
                        arch,
                        "stem",
                        stem,
                        "head",
                        head,
                        "width",
                        width,
                        "embedding_dim",
                        "32");
        Path onnx = dir.resolve("model.onnx");
        OnnxExport.export(ckpt, onnx);
        float[] torch;
        try (TrainedModel m = TrainedModel.load(ckpt, channels)) {
            torch = m.embed(images, 40, 1);
        }
        float[] ort;
        try (OnnxModel m = OnnxModel.open(onnx, 1)) {
            ort = m.embed(images, 64, 1);
        }
        assertThat(ort).hasSize(IMAGES * 32).hasSameSizeAs(torch);
        float max = 0;
        for (int i = 0; i < torch.length; i++) {
            max = Math.max(max, Math.abs(torch[i] - ort[i]));
        }
        System.out.printf(
                Locale.ROOT,
                "%s %s %s width %s %dpx %dch, %d real images: max |libtorch - onnx| %.3g%n",
                arch,
                stem,
                head,
                width,
                side,
                channels,
                IMAGES,
                max);
        assertThat(max).isLessThanOrEqualTo(TOLERANCE);
        // Unit rows: a wrong output (features, or an unnormalised head) would not be.
        for (int r = 0; r < IMAGES; r++) {
            double norm = 0;
            for (int d = 0; d < 32; d++) {
                norm += ort[r * 32 + d] * ort[r * 32 + d];
            }
            assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    /** The first {@value #IMAGES} images of an IDX file as PNGs, gray or gray in RGB. */
    private static Path writePngs(Path idx, Path folder, int channels) throws IOException {
        Path classDir = Files.createDirectories(folder.resolve("clothes"));
        try (InputStream raw = Files.newInputStream(idx);
                DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
            assertThat(in.readInt()).as("IDX magic of 3-d unsigned bytes").isEqualTo(0x803);
            in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            byte[] px = new byte[rows * cols];
            for (int i = 0; i < IMAGES; i++) {
                in.readFully(px);
                BufferedImage img =
                        new BufferedImage(
                                cols,
                                rows,
                                channels == 1
                                        ? BufferedImage.TYPE_BYTE_GRAY
                                        : BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < rows; y++) {
                    for (int x = 0; x < cols; x++) {
                        int v = px[y * cols + x] & 0xff;
                        if (channels == 1) {
                            img.getRaster().setSample(x, y, 0, v);
                        } else {
                            img.setRGB(x, y, v * 0x010101);
                        }
                    }
                }
                ImageIO.write(
                        img,
                        "png",
                        classDir.resolve(String.format(Locale.ROOT, "%03d.png", i)).toFile());
            }
        }
        return folder;
    }
}
