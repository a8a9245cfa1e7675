package org.npid.checkpoint;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.npid.config.TrainConfig;
import org.npid.storage.AtomicFile;

/**
 * The checkpoint file: named entries in one zip (the resolved config, the loop state, the network's
 * parameters, the memory bank, the optimiser's momentum buffers, the weight average and the
 * neighbour table when the run keeps them). Written to a temporary file, synced, then renamed over
 * the old one, so a crash or a full disk never leaves a half-written checkpoint in place of a good
 * one. Read in one pass; what each entry means belongs to its owner (the training state, or the
 * inference loader).
 */
public final class Checkpoint {
    /** The checkpoint file inside a run directory. */
    public static final String FILE = "last.ckpt";

    public static final String CONFIG = "config.yaml";
    public static final String STATE = "state.json";
    public static final String MODEL = "model.params";
    public static final String BANK = "bank.ndlist";
    public static final String OPTIMIZER = "optimizer.ndlist";
    public static final String AVERAGE = "average.ndlist";
    public static final String NEIGHBOURS = "neighbours.bin";
    public static final String DATA = "data.json";

    /**
     * The run's metrics rows up to this checkpoint, so that the row of a saved epoch is committed
     * with it and a run directory's metrics.jsonl can be rebuilt from it.
     */
    public static final String METRICS = "metrics.jsonl";

    /** What inference needs: everything but the bank and the optimiser's buffers. */
    private static final Set<String> INFERENCE = Set.of(CONFIG, STATE, MODEL, AVERAGE, DATA);

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The loop's place, the objective's state (NCE's log Z) and the input normalisation, which
     * evaluation must reuse. Stored as {@code state.json}.
     */
    public record State(Position position, double objectiveState, Inputs inputs) {
        /** Reads the nested form, or the flat one that earlier versions wrote. */
        @JsonCreator
        static State fromJson(JsonNode n) throws IOException {
            if (n.has("position")) {
                return new State(
                        JSON.treeToValue(n.get("position"), Position.class),
                        n.get("objectiveState").asDouble(),
                        JSON.treeToValue(n.get("inputs"), Inputs.class));
            }
            return new State(
                    new Position(
                            n.get("epoch").asInt(),
                            n.get("step").asInt(),
                            n.get("lossSum").asDouble(),
                            n.get("lossCount").asLong()),
                    n.get("objectiveState").asDouble(),
                    new Inputs(
                            JSON.treeToValue(n.get("mean"), float[].class),
                            JSON.treeToValue(n.get("std"), float[].class),
                            n.get("imageSize").asInt()));
        }
    }

    /**
     * What the network's input was: per-channel mean and std of the training images, and the side
     * of the (square) input in pixels.
     */
    @SuppressWarnings("ArrayRecordComponent") // Written and read whole, never compared.
    public record Inputs(float[] mean, float[] std, int imageSize) {
        public int channels() {
            return mean.length;
        }
    }

    /**
     * What a run trained on: the training images' count, channels and input size, and a fingerprint
     * of their pixels, so that a resume on other images is refused. Stored as {@code data.json};
     * checkpoints of earlier versions have none.
     */
    public record DataIdentity(
            String path, int images, int channels, int imageSize, String fingerprint) {
        /** Why {@code other} is not the data of this run, or null when it is. */
        public String mismatch(DataIdentity other) {
            if (images != other.images) {
                return other.images + " training images where the run had " + images;
            }
            if (channels != other.channels) {
                return other.channels + "-channel images where the run had " + channels;
            }
            if (!fingerprint.equals(other.fingerprint)) {
                return "other images than the run's (" + path + "), by their pixels";
            }
            return null;
        }
    }

    /** Writes one entry's bytes. */
    public interface EntryWriter {
        void write(OutputStream out) throws IOException;
    }

    private final Path file;
    private final Map<String, byte[]> entries;

    private Checkpoint(Path file, Map<String, byte[]> entries) {
        this.file = file;
        this.entries = entries;
    }

    /**
     * The checkpoint file a user named: the file itself, or the last.ckpt of a run directory.
     *
     * @param fileOrRunDir a checkpoint or a run directory
     * @return the checkpoint file
     */
    public static Path file(Path fileOrRunDir) {
        return Files.isDirectory(fileOrRunDir) ? fileOrRunDir.resolve(FILE) : fileOrRunDir;
    }

    /** Reads every entry of a checkpoint (or of a run directory's last.ckpt) in one pass. */
    public static Checkpoint read(Path fileOrRunDir) {
        return read(file(fileOrRunDir), null);
    }

    /** Reads what inference needs (config, state, weights), skipping the bank and optimiser. */
    public static Checkpoint readForInference(Path fileOrRunDir) {
        return read(file(fileOrRunDir), INFERENCE);
    }

    /**
     * The config a checkpoint was trained with, reading only its small entries (the zip's directory
     * lets the weights and the bank be skipped, not scanned).
     */
    public static TrainConfig readConfig(Path fileOrRunDir) {
        return read(file(fileOrRunDir), Set.of(CONFIG, STATE)).config();
    }

    private static Checkpoint read(Path file, Set<String> wanted) {
        Map<String, byte[]> entries = new HashMap<>();
        if (!Files.exists(file)) {
            throw new CheckpointException(
                    "checkpoint "
                            + file
                            + " does not exist: pass the last.ckpt of a run directory");
        }
        // ZipFile reads the central directory at the end of the file, so a file cut short (a
        // copy that stopped, a disk that filled) is recognised as such instead of read in part.
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                if (wanted == null || wanted.contains(e.getName())) {
                    byte[] bytes;
                    try (InputStream in = zip.getInputStream(e)) {
                        bytes = in.readAllBytes();
                    } catch (IOException damaged) {
                        // Past the directory, a bad entry is damage inside, not a file cut short.
                        throw new CheckpointException(
                                "checkpoint "
                                        + file
                                        + " is corrupt: entry "
                                        + e.getName()
                                        + " cannot be decompressed ("
                                        + damaged.getMessage()
                                        + "); restore it from a copy or retrain",
                                damaged);
                    }
                    verifyCrc(file, e, bytes);
                    entries.put(e.getName(), bytes);
                }
            }
        } catch (ZipException e) {
            throw new CheckpointException(
                    "checkpoint "
                            + file
                            + " is damaged or not a checkpoint ("
                            + e.getMessage()
                            + "): it was not written completely. npid writes checkpoints"
                            + " atomically, so this file was cut short after it was written;"
                            + " restore a copy, or start a new run",
                    e);
        } catch (IOException e) {
            throw corrupt(file, e);
        }
        Checkpoint c = new Checkpoint(file, entries);
        c.bytes(CONFIG);
        c.bytes(STATE);
        return c;
    }

    /**
     * Checks an entry against the CRC-32 its zip header records. ZipFile does not: a flipped bit in
     * the weights would otherwise load and run, a little worse, without a word.
     */
    private static void verifyCrc(Path file, ZipEntry e, byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        if (e.getCrc() != -1 && crc.getValue() != e.getCrc()) {
            throw new CheckpointException(
                    "checkpoint "
                            + file
                            + " is corrupt: entry "
                            + e.getName()
                            + " fails its CRC-32; restore it from a copy or retrain");
        }
    }

    /** Where it was read from. */
    public Path path() {
        return file;
    }

    /** Whether the checkpoint holds {@code name}. */
    public boolean has(String name) {
        return entries.containsKey(name);
    }

    /** One entry's bytes; an error naming the file when it is missing. */
    public byte[] bytes(String name) {
        byte[] b = entries.get(name);
        if (b == null) {
            throw new CheckpointException(
                    "checkpoint " + file + " has no " + name + ": it is not an npid checkpoint");
        }
        return b;
    }

    /** One entry as a stream. */
    public InputStream stream(String name) {
        return new ByteArrayInputStream(bytes(name));
    }

    /** The config the run was trained with. */
    public TrainConfig config() {
        return TrainConfig.fromYaml(new String(bytes(CONFIG), StandardCharsets.UTF_8));
    }

    /** The loop state. */
    public State state() {
        try {
            return JSON.readValue(bytes(STATE), State.class);
        } catch (IOException e) {
            throw corrupt(file, e);
        }
    }

    /** Loads the network's parameters into {@code network}. */
    public void loadNetwork(Block network, NDManager manager) {
        try (DataInputStream in = new DataInputStream(stream(MODEL))) {
            network.loadParameters(manager, in);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            throw corrupt(file, e);
        }
    }

    /**
     * Loads the weights a checkpoint hands out for inference into {@code network}: the weight
     * average when the run kept one, else the last SGD weights.
     */
    public void loadInferenceWeights(Block network, NDManager manager) {
        loadNetwork(network, manager);
        if (has(AVERAGE)) {
            try {
                loadNamedInto(network, stream(AVERAGE), manager);
            } catch (IOException e) {
                throw corrupt(file, e);
            }
        }
    }

    /**
     * Copies arrays written as a named NDList (the weight average's form) into {@code network}'s
     * parameters of the same structural names, replacing its own.
     */
    public static void loadNamedInto(Block network, InputStream in, NDManager parent)
            throws IOException {
        try (NDManager scope = parent.newSubManager()) {
            Map<String, NDArray> byName = new HashMap<>();
            for (NDArray a : NDList.decode(scope, in)) {
                byName.put(a.getName(), a);
            }
            for (var p : network.getParameters()) {
                NDArray saved = byName.get(p.getKey());
                if (saved == null) {
                    throw new IOException("no averaged weights for parameter " + p.getKey());
                }
                p.getValue().getArray().set(saved.toByteBuffer());
            }
        }
    }

    /** The neighbour table, or null when none was saved. */
    public int[] neighbours() {
        if (!has(NEIGHBOURS)) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(stream(NEIGHBOURS))) {
            int[] table = new int[in.readInt()];
            for (int i = 0; i < table.length; i++) {
                table[i] = in.readInt();
            }
            return table;
        } catch (IOException e) {
            throw corrupt(file, e);
        }
    }

    /** The writer of a neighbour table entry. */
    public static EntryWriter neighbourWriter(int[] table) {
        return out -> {
            DataOutputStream data = new DataOutputStream(out);
            data.writeInt(table.length);
            for (int id : table) {
                data.writeInt(id);
            }
            data.flush();
        };
    }

    /** The writer of the loop state. */
    public static EntryWriter stateWriter(State state) {
        return out -> out.write(JSON.writeValueAsBytes(state));
    }

    /** The metrics rows (JSON lines), or null for a checkpoint of an earlier version. */
    public String metrics() {
        return has(METRICS) ? new String(bytes(METRICS), StandardCharsets.UTF_8) : null;
    }

    /** The data identity, or null for a checkpoint of an earlier version. */
    public DataIdentity data() {
        if (!has(DATA)) {
            return null;
        }
        try {
            return JSON.readValue(bytes(DATA), DataIdentity.class);
        } catch (IOException e) {
            throw corrupt(file, e);
        }
    }

    /** The writer of the data identity. */
    public static EntryWriter dataWriter(DataIdentity data) {
        return out -> out.write(JSON.writeValueAsBytes(data));
    }

    /** The writer of the config. */
    public static EntryWriter configWriter(TrainConfig config) {
        return out -> out.write(config.toYaml().getBytes(StandardCharsets.UTF_8));
    }

    /** An error for an entry that does not parse or does not fit the model. */
    public CheckpointException corrupt(Exception e) {
        return corrupt(file, e);
    }

    private static CheckpointException corrupt(Path file, Exception e) {
        return new CheckpointException(
                "checkpoint "
                        + file
                        + " is unreadable or does not match this model ("
                        + e.getMessage()
                        + "). Check that it was written by npid with the same arch/width/data.",
                e);
    }

    /**
     * Writes {@code entries}, in order, atomically to {@code file}: a temporary file is written,
     * synced and renamed over the old one.
     */
    public static void write(Path file, Map<String, EntryWriter> entries) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            AtomicFile.writeStream(
                    file,
                    out -> {
                        try (ZipOutputStream zip =
                                new ZipOutputStream(new BufferedOutputStream(out, 1 << 20))) {
                            zip.setLevel(1);
                            for (var e : new LinkedHashMap<>(entries).entrySet()) {
                                put(zip, e.getKey(), e.getValue());
                            }
                            zip.finish();
                        }
                    });
        } catch (IOException e) {
            throw new CheckpointException(
                    "could not write checkpoint "
                            + file
                            + " ("
                            + e
                            + "). The previous checkpoint, if any, is intact. Free disk space or"
                            + " choose another run directory (run_dir), then resume the run"
                            + " (resume).",
                    e);
        }
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
