package org.npid.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.npid.checkpoint.Checkpoint;
import org.npid.checkpoint.Position;
import org.npid.config.TrainConfig;
import org.npid.loss.InstanceObjective;
import org.npid.loss.NceLoss;
import org.npid.loss.NonParametricSoftmax;
import org.npid.loss.ParametricSoftmax;
import org.npid.loss.TwoViewSoftmax;
import org.npid.memory.MemoryBank;
import org.npid.model.Devices;
import org.npid.model.NpidNet;

/**
 * Everything a run changes as it trains, in one place: the network (inside its trainer), the
 * optimiser's momentum, the memory bank, the weight average, the objective's state (NCE's Z), the
 * loop position and the epoch's neighbour table. {@link #save} writes it as one checkpoint, {@link
 * #restore} reads it back from one read of the file, so a resumed run continues bit for bit.
 */
public final class TrainingState implements AutoCloseable {
    private TrainConfig config;
    private final RunData data;
    private final Model model;
    private final Trainer trainer;
    private final NpidNet net;
    private final PyTorchSgd sgd;
    private final MemoryBank bank;
    private final WeightAverage average;
    private final InstanceObjective objective;
    private final Checkpoint.DataIdentity identity;
    private Position position = Position.startOf(0);
    private int[] neighbourTable;
    private String metrics;

    private TrainingState(
            TrainConfig config,
            RunData data,
            Model model,
            Trainer trainer,
            PyTorchSgd sgd,
            MemoryBank bank,
            WeightAverage average,
            Checkpoint.DataIdentity identity) {
        this.config = config;
        this.identity = identity;
        this.data = data;
        this.model = model;
        this.trainer = trainer;
        this.net = (NpidNet) model.getBlock();
        this.sgd = sgd;
        this.bank = bank;
        this.average = average;
        this.objective =
                switch (config.objective().loss()) {
                    case SOFTMAX ->
                            config.objective().views() == 2
                                    ? new TwoViewSoftmax(config.objective().temperature())
                                    : new NonParametricSoftmax(config.objective().temperature());
                    case PARAMETRIC -> new ParametricSoftmax(config.objective().temperature());
                    case NCE ->
                            new NceLoss(
                                    config.objective().nceNoise(),
                                    config.objective().temperature(),
                                    config.objective().nceZMomentum(),
                                    config.objective().nceScoring());
                };
    }

    /**
     * A fresh run: initialised network, random unit bank, zero momentum; {@code identity} is what
     * its checkpoints will say it trained on.
     */
    static TrainingState create(
            TrainConfig config, RunData data, Checkpoint.DataIdentity identity) {
        Model model = Model.newInstance("npid", Devices.best());
        Trainer trainer = null;
        MemoryBank bank = null;
        try {
            model.setBlock(NpidNet.create(config.model().forChannels(data.train().channels())));
            PyTorchSgd sgd =
                    new PyTorchSgd(
                            (float) config.optimiser().lr(),
                            (float) config.optimiser().momentum(),
                            (float) config.optimiser().weightDecay());
            trainer =
                    model.newTrainer(
                            new DefaultTrainingConfig(Loss.l2Loss())
                                    .optOptimizer(sgd)
                                    .optDevices(new Device[] {model.getNDManager().getDevice()}));
            trainer.initialize(data.inputShape());
            bank =
                    MemoryBank.random(
                            trainer.getManager(),
                            data.train().size(),
                            config.model().embeddingDim(),
                            config.bank().momentum(),
                            config.bank().fp16(),
                            config.seed() ^ 0x5DEECE66DL);
            WeightAverage average =
                    config.optimiser().emaDecay() > 0
                            ? new WeightAverage(
                                    model.getBlock(),
                                    trainer.getManager(),
                                    config.optimiser().emaDecay())
                            : null;
            return new TrainingState(config, data, model, trainer, sgd, bank, average, identity);
        } catch (RuntimeException e) {
            if (bank != null) {
                bank.close();
            }
            if (trainer != null) {
                trainer.close();
            }
            model.close();
            throw e;
        }
    }

    /** The run's config with the number of epochs a time budget re-planned; saved from now on. */
    void setEpochs(int epochs) {
        config = config.withEpochs(epochs);
    }

    public NpidNet net() {
        return net;
    }

    public Trainer trainer() {
        return trainer;
    }

    public NDManager manager() {
        return trainer.getManager();
    }

    public PyTorchSgd optimiser() {
        return sgd;
    }

    public MemoryBank bank() {
        return bank;
    }

    /** The weight average, or null when the run keeps none. */
    public WeightAverage average() {
        return average;
    }

    /** The paper's objective (the neighbourhood loss, when on, is chosen per epoch beside it). */
    public InstanceObjective objective() {
        return objective;
    }

    public Position position() {
        return position;
    }

    public void moveTo(Position next) {
        this.position = next;
    }

    /** The neighbour table of the epoch in progress, or null; saved for a mid-epoch resume. */
    public int[] neighbourTable() {
        return neighbourTable;
    }

    public void setNeighbourTable(int[] table) {
        this.neighbourTable = table;
    }

    /** The run's metrics rows so far (JSON lines), saved with every checkpoint from now on. */
    public void setMetrics(String rows) {
        this.metrics = rows;
    }

    /** Writes the whole state atomically to {@code file}. */
    public void save(Path file) {
        Map<String, Checkpoint.EntryWriter> entries = new LinkedHashMap<>();
        entries.put(Checkpoint.CONFIG, Checkpoint.configWriter(config));
        entries.put(
                Checkpoint.STATE,
                Checkpoint.stateWriter(
                        new Checkpoint.State(position, objective.state(), data.inputs())));
        entries.put(Checkpoint.DATA, Checkpoint.dataWriter(identity));
        entries.put(Checkpoint.MODEL, out -> net.saveParameters(new DataOutputStream(out)));
        entries.put(Checkpoint.BANK, bank::save);
        entries.put(Checkpoint.OPTIMIZER, out -> sgd.save(net.getParameters(), out));
        if (average != null) {
            entries.put(Checkpoint.AVERAGE, average::save);
        }
        // Only a part-done epoch needs its table back: a new epoch finds its own.
        if (neighbourTable != null && position.step() > 0) {
            entries.put(Checkpoint.NEIGHBOURS, Checkpoint.neighbourWriter(neighbourTable));
        }
        if (metrics != null) {
            entries.put(
                    Checkpoint.METRICS,
                    out -> out.write(metrics.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        Checkpoint.write(file, entries);
    }

    /** Puts the state of {@code saved} (read once by the caller) into this run. */
    public void restore(Checkpoint saved) {
        Checkpoint.State s = saved.state();
        restoreWeights(saved);
        try (InputStream in = saved.stream(Checkpoint.BANK)) {
            bank.load(in);
        } catch (IOException | RuntimeException e) {
            throw saved.corrupt(e);
        }
        try (InputStream in = saved.stream(Checkpoint.OPTIMIZER)) {
            sgd.load(net.getParameters(), manager(), in);
        } catch (IOException | RuntimeException e) {
            throw saved.corrupt(e);
        }
        if (average != null) {
            if (!saved.has(Checkpoint.AVERAGE)) {
                throw new TrainingException(
                        "checkpoint "
                                + saved.path()
                                + " has no weight average: it was written with ema_decay 0."
                                + " Resume with the same ema_decay, or start a new run.");
            }
            try (InputStream in = saved.stream(Checkpoint.AVERAGE)) {
                average.load(in);
            } catch (IOException e) {
                throw saved.corrupt(e);
            }
        }
        objective.restore(s.objectiveState());
        position = s.position();
        neighbourTable = saved.neighbours();
    }

    /**
     * Copies the checkpoint's parameters into the live network's own arrays. The trainer already
     * holds those arrays (gradients, parameter store), so replacing them would leave it training
     * the old ones.
     */
    private void restoreWeights(Checkpoint saved) {
        try (NDManager scope = manager().newSubManager()) {
            NpidNet stored = NpidNet.create(net.config());
            stored.initialize(scope, DataType.FLOAT32, data.inputShape());
            saved.loadNetwork(stored, scope);
            var from = stored.getParameters();
            var to = net.getParameters();
            for (int i = 0; i < to.size(); i++) {
                NDArray source = from.get(i).getValue().getArray();
                to.get(i).getValue().getArray().set(source.toByteBuffer());
            }
        }
    }

    @Override
    public void close() {
        if (average != null) {
            average.close();
        }
        bank.close();
        trainer.close();
        model.close();
    }
}
