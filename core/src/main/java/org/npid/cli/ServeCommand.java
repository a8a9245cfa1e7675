package org.npid.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.npid.data.Datasets;
import org.npid.data.ImageDataset;
import org.npid.data.Split;
import org.npid.eval.ImageEmbedder;
import org.npid.serve.NeighbourServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code npid serve}: a local page and JSON API for nearest-image search. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve a local web page and JSON API: pick a test image or upload one and see its"
                    + " nearest training images with scores. Binds to 127.0.0.1 by default.",
            "--checkpoint may also be an .onnx model npid exported, run by ONNX Runtime."
        })
final class ServeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin RequiredCheckpoint checkpoint;

    @Mixin InferenceEngine engine;

    @Option(
            names = "--host",
            defaultValue = "127.0.0.1",
            description = "Bind address (default ${DEFAULT-VALUE}).")
    String host;

    @Option(
            names = "--port",
            defaultValue = "7070",
            description = "Port (default ${DEFAULT-VALUE}; 0 = any free one).")
    int port;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "PATH",
            description = "Training images (gallery) and test images (queries).")
    Path data;

    @Override
    public Integer call() throws InterruptedException {
        ImageDataset gallery = Datasets.open(data, Split.TRAIN);
        ImageDataset queries = Datasets.open(data, Split.TEST);
        try (ImageEmbedder model = engine.open(checkpoint.file, gallery.channels(), 0);
                NeighbourServer server =
                        NeighbourServer.start(model, gallery, queries, host, port)) {
            spec.commandLine()
                    .getOut()
                    .printf("npid serve: http://%s:%d/ (Ctrl-C to stop)%n", host, server.port());
            spec.commandLine().getOut().flush();
            new CountDownLatch(1).await();
        }
        return 0;
    }
}
