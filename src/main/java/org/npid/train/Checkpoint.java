package org.npid.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.npid.memory.MemoryBank;

/**
 * A training run's complete state in one zip file: the resolved config, the network's parameters
 * (with batch-norm statistics), the memory bank, the optimiser's momentum buffers, the weight
 * average when the run keeps one, and the loop's position. Written to a temporary file, synced,
 * then renamed over the old one, so a crash or a full disk never leaves a half-written checkpoint
 * in place of a good one.
 */
public final class Checkpoint {
    static final String CONFIG = "config.yaml";
    static final String STATE = "state.json";
    static final String MODEL = "model.params";
    static final String BANK = "bank.ndlist";
    static final String OPTIMIZER = "optimizer.ndlist";
    static final String AVERAGE = "average.ndlist";
    static final String NEIGHBOURS = "neighbours.bin";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Where the loop stands: the next epoch and step to run, the objective's state (NCE's log Z),
     * the running loss of a part-done epoch, and the input normalisation, which evaluation must
     * reuse.
     */
    public record State(
            int epoch,
            int step,
            double objectiveState,
            double lossSum,
            long lossCount,
            float[] mean,
            float[] std,
            int imageSize) {}

    private Checkpoint() {}

    /**
     * Writes the checkpoint atomically to {@code file}. {@code average} may be null, and so may
     * {@code neighbours}, the epoch's neighbourhood table, kept so a run resumed mid-epoch scores
     * the same positives as the run it continues.
     */
    public static void write(
            Path file,
            TrainConfig config,
            State state,
            Block network,
            MemoryBank bank,
            PyTorchSgd optimizer,
            WeightAverage average,
            int[] neighbours) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(dir);
            try (FileChannel channel =
                            FileChannel.open(
                                    tmp,
                                    StandardOpenOption.CREATE,
                                    StandardOpenOption.TRUNCATE_EXISTING,
                                    StandardOpenOption.WRITE);
                    ZipOutputStream zip =
                            new ZipOutputStream(
                                    new java.io.BufferedOutputStream(
                                            java.nio.channels.Channels.newOutputStream(channel),
                                            1 << 20))) {
                zip.setLevel(1);
                put(
                        zip,
                        CONFIG,
                        out -> out.write(config.toYaml().getBytes(StandardCharsets.UTF_8)));
                put(zip, STATE, out -> out.write(JSON.writeValueAsBytes(state)));
                put(zip, MODEL, out -> network.saveParameters(new DataOutputStream(out)));
                put(zip, BANK, bank::save);
                put(zip, OPTIMIZER, out -> optimizer.save(network.getParameters(), out));
                if (average != null) {
                    put(zip, AVERAGE, average::save);
                }
                if (neighbours != null) {
                    put(
                            zip,
                            NEIGHBOURS,
                            out -> {
                                DataOutputStream data = new DataOutputStream(out);
                                data.writeInt(neighbours.length);
                                for (int id : neighbours) {
                                    data.writeInt(id);
                                }
                                data.flush();
                            });
                }
                zip.finish();
                zip.flush();
                channel.force(true);
            }
            try {
                Files.move(
                        tmp,
                        file,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // The original failure is the one worth reporting.
            }
            throw new TrainingException(
                    "could not write checkpoint "
                            + file
                            + " ("
                            + e
                            + "). The previous checkpoint, if any, is intact. Free disk space or"
                            + " choose another --run-dir, then run again with --resume.",
                    e);
        }
    }

    /**
     * The checkpoint file a user named: the file itself, or the last.ckpt of a run directory.
     *
     * @param fileOrRunDir a checkpoint or a run directory
     * @return the checkpoint file
     */
    public static Path file(Path fileOrRunDir) {
        return Files.isDirectory(fileOrRunDir)
                ? fileOrRunDir.resolve(NpidTraining.CHECKPOINT)
                : fileOrRunDir;
    }

    /** The config stored in a checkpoint. */
    public static TrainConfig readConfig(Path file) {
        return TrainConfig.fromYaml(new String(readEntry(file, CONFIG), StandardCharsets.UTF_8));
    }

    /** The loop state stored in a checkpoint. */
    public static State readState(Path file) {
        try {
            return JSON.readValue(readEntry(file, STATE), State.class);
        } catch (IOException e) {
            throw corrupt(file, e);
        }
    }

    /** Loads the network's parameters from a checkpoint into {@code network}. */
    public static void loadNetwork(Path file, Block network, NDManager manager) {
        try (DataInputStream in = new DataInputStream(open(file, MODEL))) {
            network.loadParameters(manager, in);
        } catch (IOException | MalformedModelException e) {
            throw corrupt(file, e);
        }
    }

    /**
     * Loads the weights a checkpoint hands out for inference into {@code network}: the weight
     * average when the run kept one ({@code ema_decay > 0}), else the last SGD weights.
     */
    public static void loadInferenceWeights(Path file, Block network, NDManager manager) {
        loadNetwork(file, network, manager);
        if (hasEntry(file, AVERAGE)) {
            try (InputStream in = open(file, AVERAGE)) {
                WeightAverage.loadInto(network, in, manager);
            } catch (IOException e) {
                throw corrupt(file, e);
            }
        }
    }

    /** Restores a run's weight average, which {@link #write} saved beside the network. */
    public static void loadAverage(Path file, WeightAverage average) {
        if (!hasEntry(file, AVERAGE)) {
            throw new TrainingException(
                    "checkpoint "
                            + file
                            + " has no weight average: it was written with ema_decay 0. Resume"
                            + " with the same ema_decay, or start a new run.");
        }
        try (InputStream in = open(file, AVERAGE)) {
            average.load(in);
        } catch (IOException e) {
            throw corrupt(file, e);
        }
    }

    private static boolean hasEntry(Path file, String name) {
        try (ZipInputStream zip =
                new ZipInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                if (e.getName().equals(name)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw corrupt(file, e);
        }
    }

    /** The neighbourhood table {@link #write} saved, or null when it saved none. */
    public static int[] loadNeighbours(Path file) {
        if (!hasEntry(file, NEIGHBOURS)) {
            return null;
        }
        try (java.io.DataInputStream in =
                new java.io.DataInputStream(
                        new java.io.BufferedInputStream(open(file, NEIGHBOURS)))) {
            int[] table = new int[in.readInt()];
            for (int i = 0; i < table.length; i++) {
                table[i] = in.readInt();
            }
            return table;
        } catch (IOException e) {
            throw corrupt(file, e);
        }
    }

    /** Restores the bank and the optimiser (the network is loaded by {@link #loadNetwork}). */
    public static void loadTrainingState(
            Path file, Block network, MemoryBank bank, PyTorchSgd optimizer, NDManager manager) {
        try (InputStream in = open(file, BANK)) {
            bank.load(in);
        } catch (IOException e) {
            throw corrupt(file, e);
        }
        try (InputStream in = open(file, OPTIMIZER)) {
            optimizer.load(network.getParameters(), manager, in);
        } catch (IOException e) {
            throw corrupt(file, e);
        }
    }

    private static TrainingException corrupt(Path file, Exception e) {
        return new TrainingException(
                "checkpoint "
                        + file
                        + " is unreadable or does not match this model ("
                        + e.getMessage()
                        + "). Check that it was written by npid with the same arch/width/data.",
                e);
    }

    private static byte[] readEntry(Path file, String name) {
        try (InputStream in = open(file, name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw corrupt(file, e);
        }
    }

    /** A stream over one entry of the zip; closing it closes the file. */
    private static InputStream open(Path file, String name) {
        try {
            ZipInputStream zip =
                    new ZipInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)));
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                if (e.getName().equals(name)) {
                    return new FilterInputStream(zip) {};
                }
            }
            zip.close();
            throw new TrainingException(
                    "checkpoint " + file + " has no " + name + ": it is not an npid checkpoint");
        } catch (NoSuchFileException e) {
            throw new TrainingException(
                    "checkpoint " + file + " does not exist: pass the last.ckpt of a run directory",
                    e);
        } catch (IOException e) {
            throw corrupt(file, e);
        }
    }

    private interface EntryWriter {
        void write(OutputStream out) throws IOException;
    }

    private static void put(ZipOutputStream zip, String name, EntryWriter writer)
            throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        // The entry writers may close their stream; the zip must stay open for the next entry.
        writer.write(
                new FilterOutputStream(zip) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        flush();
                    }
                });
        zip.closeEntry();
    }
}
