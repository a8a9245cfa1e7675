package org.npid.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.PairList;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * An exponential moving average of the network's weights (Polyak averaging), updated after every
 * SGD step: {@code w̄ ← d·w̄ + (1−d)·w}. Batch-norm running statistics are parameters in DJL and
 * are averaged with the rest.
 *
 * <p>Why: a short NPID run keeps its learning rate high to the end (decaying it early costs more
 * than it gains, docs/log/EXPERIMENTS.md), so the last weights carry the noise of the last steps.
 * The average removes that noise without slowing the learning; training itself never reads it.
 */
public final class WeightAverage implements AutoCloseable {
    private final float decay;
    private final PairList<String, Parameter> parameters;
    private final NDManager manager;
    private final List<NDArray> average = new ArrayList<>();

    /** Starts the average at the network's current weights. */
    public WeightAverage(Block network, NDManager parent, double decay) {
        if (!(decay > 0 && decay < 1)) {
            throw new IllegalArgumentException("ema_decay must be in (0, 1), got " + decay);
        }
        this.decay = (float) decay;
        this.parameters = network.getParameters();
        this.manager = parent.newSubManager();
        for (var p : parameters) {
            NDArray copy = p.getValue().getArray().duplicate();
            copy.attach(manager);
            average.add(copy);
        }
    }

    /** Folds the current weights into the average; call after each optimiser step. */
    public void update() {
        for (int i = 0; i < average.size(); i++) {
            NDArray w = parameters.get(i).getValue().getArray();
            // d·w̄ + (1−d)·w written as w + d·(w̄ − w): three in-place ops, no temporaries.
            average.get(i).subi(w).muli(decay).addi(w);
        }
    }

    /**
     * Runs {@code task} with the averaged weights in the network, then puts the trained weights
     * back, even if the task throws.
     */
    public <T> T apply(Supplier<T> task) {
        try (NDManager scope = manager.newSubManager()) {
            List<NDArray> live = new ArrayList<>(average.size());
            for (int i = 0; i < average.size(); i++) {
                NDArray w = parameters.get(i).getValue().getArray();
                NDArray saved = w.duplicate();
                saved.attach(scope);
                live.add(saved);
                w.set(average.get(i).toByteBuffer());
            }
            try {
                return task.get();
            } finally {
                for (int i = 0; i < live.size(); i++) {
                    parameters.get(i).getValue().getArray().set(live.get(i).toByteBuffer());
                }
            }
        }
    }

    /** Writes the average keyed by the parameters' structural names. */
    public void save(OutputStream out) throws IOException {
        try (NDManager scope = manager.newSubManager()) {
            NDList list = new NDList();
            for (int i = 0; i < average.size(); i++) {
                NDArray named = average.get(i).duplicate();
                named.attach(scope);
                named.setName(parameters.get(i).getKey());
                list.add(named);
            }
            list.encode(out);
        }
    }

    /** Restores an average written by {@link #save}. */
    public void load(InputStream in) throws IOException {
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> byName = byName(NDList.decode(scope, in));
            for (int i = 0; i < average.size(); i++) {
                String name = parameters.get(i).getKey();
                NDArray saved = byName.get(name);
                if (saved == null) {
                    throw new IOException("no averaged weights for parameter " + name);
                }
                average.get(i).set(saved.toByteBuffer());
            }
        }
    }

    private static Map<String, NDArray> byName(NDList list) {
        Map<String, NDArray> map = new HashMap<>();
        for (NDArray a : list) {
            map.put(a.getName(), a);
        }
        return map;
    }

    @Override
    public void close() {
        manager.close();
    }
}
