package org.npid.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.npid.checkpoint.Checkpoint;
import org.npid.checkpoint.Position;
import org.npid.config.TrainConfig;
import org.npid.model.NpidNet;

/**
 * Checkpoints of untrained networks whose batch norms have random affine parameters and running
 * statistics: with PyTorch's defaults (1, 0, 0, 1) a swapped mean and variance, or weight and bias,
 * would go unnoticed by a comparison of outputs.
 */
final class ExportFixture {
    private ExportFixture() {}

    /** Writes {@code dir/last.ckpt} for the network of the given config keys and returns it. */
    static Path checkpoint(Path dir, int channels, int imageSize, String... keyValues) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("data", dir.toString());
        o.put("run_dir", dir.toString());
        for (int i = 0; i < keyValues.length; i += 2) {
            o.put(keyValues[i], keyValues[i + 1]);
        }
        TrainConfig config = TrainConfig.resolve((InputStream) null, o);
        Random random = new Random(11);
        try (NDManager m = NDManager.newBaseManager()) {
            NpidNet net = NpidNet.create(config.model().forChannels(channels));
            net.initialize(m, DataType.FLOAT32, new Shape(1, channels, imageSize, imageSize));
            for (var p : net.getParameters()) {
                randomise(p.getValue(), random);
            }
            float[] mean = new float[channels];
            float[] std = new float[channels];
            Arrays.fill(mean, 0.5f);
            Arrays.fill(std, 0.25f);
            Map<String, Checkpoint.EntryWriter> entries = new LinkedHashMap<>();
            entries.put(Checkpoint.CONFIG, Checkpoint.configWriter(config));
            entries.put(
                    Checkpoint.STATE,
                    Checkpoint.stateWriter(
                            new Checkpoint.State(
                                    Position.startOf(1),
                                    0,
                                    new Checkpoint.Inputs(mean, std, imageSize))));
            entries.put(Checkpoint.MODEL, out -> net.saveParameters(new DataOutputStream(out)));
            Path file = dir.resolve(Checkpoint.FILE);
            Checkpoint.write(file, entries);
            return file;
        }
    }

    private static void randomise(Parameter p, Random random) {
        NDArray a = p.getArray();
        float[] v = a.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            v[i] =
                    switch (p.getType()) {
                        case GAMMA, RUNNING_VAR -> 0.5f + random.nextFloat();
                        case BETA, RUNNING_MEAN -> (float) (0.1 * random.nextGaussian());
                        default -> v[i];
                    };
        }
        a.set(v);
    }
}
