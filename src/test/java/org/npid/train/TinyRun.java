package org.npid.train;

import java.nio.file.Path;
import java.util.Map;

/** A one-epoch softmax run of an eighth-width network: a real checkpoint in a few seconds. */
final class TinyRun {
    private TinyRun() {}

    static Path checkpoint(Path data, Path runDir) {
        TrainConfig c =
                TrainConfig.resolve(
                        (java.io.InputStream) null,
                        Map.of(
                                "data", data.toString(),
                                "run_dir", runDir.toString(),
                                "width", "0.125",
                                "embedding_dim", "16",
                                "epochs", "1",
                                "batch_size", "32",
                                "objective", "softmax",
                                "knn_k", "10",
                                "workers", "1"));
        return NpidTraining.run(c, false, TrainListener.NONE).checkpoint();
    }
}
