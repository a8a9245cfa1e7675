package org.npid.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.npid.data.Datasets;
import org.npid.data.ImageDataset;
import org.npid.data.Split;
import org.npid.fixtures.SyntheticIdx;

/** Image folders for the Spark jobs' tests, written as PNG (lossless) from IDX data sets. */
final class ImageFolders {
    static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    private ImageFolders() {}

    /**
     * {@code root/train/<class>/*.png} and {@code root/test/<class>/*.png} from the synthetic
     * four-class textures.
     */
    static Path synthetic(Path root, int trainPerClass, int testPerClass) throws IOException {
        Path idx =
                SyntheticIdx.write(
                        root.resolveSibling(root.getFileName() + "-idx"),
                        trainPerClass,
                        testPerClass,
                        16,
                        3);
        return fromIdx(idx, root, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /** The first {@code train} and {@code test} images of an IDX set as an image folder. */
    static Path fromIdx(Path idx, Path root, int train, int test) throws IOException {
        write(Datasets.open(idx, Split.TRAIN), root.resolve("train"), train);
        write(Datasets.open(idx, Split.TEST), root.resolve("test"), test);
        return root;
    }

    /** Class folders sort in label order: "03-Dress" holds label 3. */
    static String folderOf(ImageDataset ds, int label) {
        String name = ds.classNames().get(label).replaceAll("[^A-Za-z0-9_-]", "_");
        return String.format(Locale.ROOT, "%02d-%s", label, name);
    }

    private static void write(ImageDataset ds, Path dir, int limit) throws IOException {
        for (int i = 0; i < Math.min(limit, ds.size()); i++) {
            Path folder = dir.resolve(folderOf(ds, ds.label(i)));
            Files.createDirectories(folder);
            ImageIO.write(
                    ds.image(i).toBufferedImage(),
                    "png",
                    folder.resolve(String.format(Locale.ROOT, "%05d.png", i)).toFile());
        }
    }
}
