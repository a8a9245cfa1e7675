package org.npid.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.config.TrainConfig;
import org.npid.data.Datasets;
import org.npid.data.ImageDataset;
import org.npid.data.ImageFiles;
import org.npid.data.Split;
import org.npid.eval.Embeddings;
import org.npid.eval.TrainedModel;
import org.npid.fixtures.SyntheticIdx;
import org.npid.index.ExactIndex;
import org.npid.index.Hit;
import org.npid.index.HnswIndex;
import org.npid.index.HnswParams;
import org.npid.index.Matrix;
import org.npid.index.Npy;
import org.npid.index.VectorIndex;
import org.npid.train.NpidTraining;
import org.npid.train.TrainListener;
import org.npid.train.TrainResult;

/**
 * The code of docs/API.md, step by step, on a tiny data set: each block here is a block there, so
 * the page cannot describe an API that no longer exists.
 */
class ApiTourTest {
    @TempDir Path tmp;

    @Test
    void theDocumentedEntryPointsWork() throws IOException {
        Path data = SyntheticIdx.write(tmp.resolve("data"), 16, 8, 16, 1);
        Path runDir = tmp.resolve("run");

        // Train with a config.
        TrainConfig config =
                TrainConfig.resolve(
                        (Path) null,
                        Map.of(
                                "data", data.toString(),
                                "run_dir", runDir.toString(),
                                "epochs", "1",
                                "width", "0.125",
                                "embedding_dim", "16",
                                "batch_size", "32",
                                "workers", "1"));
        TrainResult result = NpidTraining.run(config, false, TrainListener.NONE);
        Path checkpoint = result.checkpoint();

        // Load a trained model and embed images.
        ImageDataset images = Datasets.open(data, Split.TEST);
        float[] rows;
        try (TrainedModel model = TrainedModel.load(checkpoint, images.channels())) {
            rows = model.embed(images, 256, 2); // [n, d] row-major, unit rows
            assertThat(rows).hasSize(images.size() * model.embeddingDim());
        }

        // Or as `npid embed` does: the .npy, its .tsv sidecar and the model's fingerprint.
        Path npy = tmp.resolve("test.npy");
        Embeddings.export(checkpoint, data, Split.TEST, npy, false, 2);
        Matrix bank = Npy.read(npy);
        assertThat(bank.data()).containsExactly(rows);

        // Build (or reopen) an index and search it.
        try (VectorIndex index =
                HnswIndex.openOrBuild(tmp.resolve("test.hnsw"), bank, HnswParams.defaults(), npy)) {
            List<Hit> hits = index.search(bank.row(0), 5);
            assertThat(hits).hasSize(5);
            assertThat(hits.get(0).id()).isZero();
        }
        try (VectorIndex exact = new ExactIndex(bank)) {
            assertThat(exact.search(bank.row(0), 5).get(0).id()).isZero();
        }

        // Search by an image file.
        Path png = tmp.resolve("query.png");
        javax.imageio.ImageIO.write(
                new java.awt.image.BufferedImage(
                        16, 16, java.awt.image.BufferedImage.TYPE_BYTE_GRAY),
                "png",
                png.toFile());
        try (TrainedModel model = TrainedModel.load(checkpoint);
                VectorIndex index = new ExactIndex(bank)) {
            float[] query = model.embed(ImageFiles.open(List.of(png), model.channels()), 1, 1);
            assertThat(index.search(query, 3)).hasSize(3);
        }
    }
}
