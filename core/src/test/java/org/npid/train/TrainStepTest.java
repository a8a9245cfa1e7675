package org.npid.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.npid.data.Batch;
import org.npid.loss.InstanceObjective;
import org.npid.loss.NceLoss;
import org.npid.loss.NceScoring;
import org.npid.loss.NonParametricSoftmax;
import org.npid.loss.ParametricSoftmax;
import org.npid.loss.ProximalTerm;
import org.npid.loss.TwoViewSoftmax;
import org.npid.memory.MemoryBank;
import org.npid.model.Arch;
import org.npid.model.NetworkShape;
import org.npid.model.NpidNet;
import org.npid.model.Stem;

class TrainStepTest {

    @Test
    void nativeMemoryStaysFlatAndBankRowsStayUnit() {
        withSmallStep(
                new NceLoss(8, 0.07f, 0.9, NceScoring.MATMUL),
                0.1f,
                (model, trainer, bank, step) -> {
                    SplittableRandom rng = new SplittableRandom(1);
                    step.run(batch(rng), rng);
                    int afterFirst = trainer.getManager().getManagedArrays().size();
                    int modelArrays = model.getNDManager().getManagedArrays().size();
                    for (int i = 0; i < 30; i++) {
                        assertThat(step.run(batch(rng), rng)).isFinite();
                    }
                    assertThat(trainer.getManager().getManagedArrays()).hasSize(afterFirst);
                    assertThat(model.getNDManager().getManagedArrays()).hasSize(modelArrays);
                    float[] rows = bank.toFloatArray();
                    for (int r = 0; r < 64; r++) {
                        double s = 0;
                        for (int c = 0; c < 16; c++) {
                            s += rows[r * 16 + c] * rows[r * 16 + c];
                        }
                        assertThat(Math.sqrt(s)).isBetween(0.99999, 1.00001);
                    }
                });
    }

    /**
     * A non-finite batch-norm running statistic (what one non-finite forward pass leaves) is reset
     * entry by entry to its starting value, the finite entries kept, and the next step is finite;
     * the learnable weights are not touched.
     */
    @Test
    void nonFiniteRunningStatisticsAreResetAndTrainingGoesOn() {
        withSmallStep(
                new NceLoss(8, 0.07f, 0.9, NceScoring.MATMUL),
                0.1f,
                (model, trainer, bank, step) -> {
                    SplittableRandom rng = new SplittableRandom(4);
                    assertThat(step.run(batch(rng), rng)).isFinite();
                    var block = model.getBlock();
                    String varName = null;
                    for (var p : block.getParameters()) {
                        if (varName == null && p.getKey().endsWith("runningVar")) {
                            varName = p.getKey();
                        }
                    }
                    assertThat(varName).isNotNull();
                    var runningVar = block.getParameters().get(varName).getArray();
                    float[] before = runningVar.toFloatArray();
                    float[] broken = before.clone();
                    broken[0] = Float.NaN;
                    broken[1] = Float.POSITIVE_INFINITY;
                    runningVar.set(java.nio.FloatBuffer.wrap(broken));
                    assertThat(TrainStep.firstNonFinite(block)).isEqualTo(varName);

                    assertThat(TrainStep.resetRunningStatistics(block)).containsExactly(varName);
                    float[] after = runningVar.toFloatArray();
                    assertThat(after[0]).isEqualTo(1f);
                    assertThat(after[1]).isEqualTo(1f);
                    for (int i = 2; i < after.length; i++) {
                        assertThat(after[i]).isEqualTo(before[i]);
                    }
                    assertThat(TrainStep.firstNonFinite(block)).isNull();
                    assertThat(TrainStep.resetRunningStatistics(block)).isEmpty();
                    assertThat(step.run(batch(rng), rng)).isFinite();
                });
    }

    /**
     * One real SGD step at every width and depth the README offers, on both stems, with colour
     * input: no setting a user can choose may crash the native code (on AMD Zen 5, 8-channel layers
     * once did; channel counts are now multiples of 16).
     */
    @ParameterizedTest
    @CsvSource({
        "RESNET18, CIFAR, 0.125", "RESNET18, CIFAR, 0.25", "RESNET18, CIFAR, 0.5",
        "RESNET18, CIFAR, 1.0", "RESNET18, IMAGENET, 0.125", "RESNET18, IMAGENET, 1.0",
        "RESNET50, CIFAR, 0.125", "RESNET50, IMAGENET, 0.25", "RESNET50, CIFAR, 1.0"
    })
    void oneStepTrainsAtEveryWidthOnBothStems(Arch arch, Stem stem, double width) {
        NetworkShape config = new NetworkShape(arch, stem, width, 16, 3);
        for (int stage = 0; stage < 4; stage++) {
            assertThat(config.stageWidth(stage) % NetworkShape.CHANNEL_MULTIPLE).isZero();
        }
        withStep(
                config,
                new Shape(1, 3, 32, 32),
                16,
                new NceLoss(4, 0.07f, 0.9, NceScoring.GATHER),
                0,
                (model, trainer, bank, step) -> {
                    SplittableRandom rng = new SplittableRandom(2);
                    int b = 4;
                    float[] px = gaussian(rng, b * 3 * 32 * 32);
                    Batch batch = new Batch(px, b, 3, 32, 32, new long[] {0, 5, 9, 15}, new int[b]);
                    assertThat(step.run(batch, rng)).isFinite();
                });
    }

    /**
     * With two views, the bank keeps one row per image: with momentum 0 it is the unit mean of the
     * image's two embeddings, taken by the step's own forward pass; rows of other images stay.
     */
    @Test
    void twoViewsWriteOneRowPerImageFromTheMeanOfItsViews() {
        withStep(
                new NetworkShape(Arch.RESNET18, Stem.CIFAR, 0.125, 16, 1),
                new Shape(1, 1, 8, 8),
                16,
                new TwoViewSoftmax(0.1f),
                0,
                (model, trainer, bank, step) -> {
                    SplittableRandom rng = new SplittableRandom(3);
                    int k = 3;
                    float[] px = gaussian(rng, 2 * k * 64);
                    long[] idx = {2, 9, 14, 2, 9, 14};
                    Batch batch = new Batch(px, 2 * k, 1, 8, 8, idx, new int[2 * k]);
                    float[] before = bank.toFloatArray();
                    float[] v;
                    try (NDManager m = trainer.getManager().newSubManager()) {
                        NDArray x = m.create(px, new Shape(2L * k, 1, 8, 8));
                        v = trainer.forward(new NDList(x)).singletonOrThrow().toFloatArray();
                    }
                    step.setBankMomentum(0);
                    assertThat(step.run(batch, rng)).isFinite();
                    float[] after = bank.toFloatArray();
                    for (int row = 0; row < 16; row++) {
                        int r = row == 2 ? 0 : row == 9 ? 1 : row == 14 ? 2 : -1;
                        for (int c = 0; c < 16; c++) {
                            if (r < 0) {
                                assertThat(after[row * 16 + c]).isEqualTo(before[row * 16 + c]);
                            }
                        }
                        if (r >= 0) {
                            double norm = 0;
                            for (int c = 0; c < 16; c++) {
                                double sum = v[r * 16 + c] + v[(k + r) * 16 + c];
                                norm += sum * sum;
                            }
                            for (int c = 0; c < 16; c++) {
                                double mean =
                                        (v[r * 16 + c] + v[(k + r) * 16 + c]) / Math.sqrt(norm);
                                assertThat((double) after[row * 16 + c])
                                        .isCloseTo(mean, within(1e-5));
                            }
                        }
                    }
                });
    }

    /**
     * The parametric baseline's rows take the network's own step, torch's momentum SGD: two steps,
     * at lr 0.1 then 0.05 (momentum 0.9, weight decay 5e-4), against the update worked out in
     * double from the softmax gradient {@code dL/dw_j = mean_b (p_bj − [j = i_b]) v_b/τ}.
     */
    @Test
    void parametricBaselineStepsTheBankRowsByTorchsMomentumSgd() {
        PyTorchSgd sgd = new PyTorchSgd(0.1f, 0.9f, 5e-4f);
        double tau = 0.5;
        withStep(
                new NetworkShape(Arch.RESNET18, Stem.CIFAR, 0.125, 16, 1),
                new Shape(1, 1, 8, 8),
                16,
                new ParametricSoftmax((float) tau),
                sgd,
                (model, trainer, bank, step) -> {
                    step.learnBankWith(sgd);
                    SplittableRandom rng = new SplittableRandom(11);
                    int b = 4;
                    float[] px = gaussian(rng, b * 64);
                    long[] idx = {3, 7, 12, 0};
                    Batch batch = new Batch(px, b, 1, 8, 8, idx, new int[b]);
                    float[] start = bank.toFloatArray();
                    double[] w = new double[start.length];
                    for (int i = 0; i < w.length; i++) {
                        w[i] = start[i];
                    }
                    double[] buf = null;
                    for (float lr : new float[] {0.1f, 0.05f}) {
                        sgd.setLearningRate(lr);
                        float[] v;
                        try (NDManager m = trainer.getManager().newSubManager()) {
                            NDArray x = m.create(px, new Shape(b, 1, 8, 8));
                            v = trainer.forward(new NDList(x)).singletonOrThrow().toFloatArray();
                        }
                        double[] g = softmaxGradient(w, v, idx, tau);
                        for (int i = 0; i < g.length; i++) {
                            g[i] += 5e-4 * w[i];
                        }
                        // torch: buf = g on the first step, then buf = μ·buf + g; w −= lr·buf.
                        if (buf == null) {
                            buf = g;
                        } else {
                            for (int i = 0; i < g.length; i++) {
                                buf[i] = 0.9 * buf[i] + g[i];
                            }
                        }
                        for (int i = 0; i < w.length; i++) {
                            w[i] -= lr * buf[i];
                        }
                        assertThat(step.run(batch, rng)).isFinite();
                        float[] rows = bank.toFloatArray();
                        for (int i = 0; i < w.length; i++) {
                            assertThat((double) rows[i])
                                    .as("lr " + lr + ", bank value " + i)
                                    .isCloseTo(w[i], within(1e-5));
                        }
                    }
                    assertThat(bank.toFloatArray()).isNotEqualTo(start);
                });
    }

    /**
     * d/dW of {@code −mean_b log softmax(W·v_b/τ)[i_b]} for rows W (n × d, row-major) and
     * embeddings v (B × d).
     */
    private static double[] softmaxGradient(double[] w, float[] v, long[] idx, double tau) {
        int batch = idx.length;
        int d = v.length / batch;
        int n = w.length / d;
        double[] grad = new double[w.length];
        for (int b = 0; b < batch; b++) {
            double[] logits = new double[n];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                for (int c = 0; c < d; c++) {
                    logits[j] += w[j * d + c] * v[b * d + c] / tau;
                }
                max = Math.max(max, logits[j]);
            }
            double sum = 0;
            for (int j = 0; j < n; j++) {
                logits[j] = Math.exp(logits[j] - max);
                sum += logits[j];
            }
            for (int j = 0; j < n; j++) {
                double p = logits[j] / sum - (j == idx[b] ? 1 : 0);
                for (int c = 0; c < d; c++) {
                    grad[j * d + c] += p * v[b * d + c] / tau / batch;
                }
            }
        }
        return grad;
    }

    /**
     * A loss that is finite (the paper's, plus 0) but whose gradient is NaN: sqrt(v − v) is 0, and
     * its derivative at 0 is infinite on both branches of the subtraction.
     */
    private static final class NanGradient implements InstanceObjective {
        private final NonParametricSoftmax paper = new NonParametricSoftmax(0.1f);

        @Override
        public NDArray loss(NDArray v, NDArray indices, MemoryBank bank, SplittableRandom rng) {
            return paper.loss(v, indices, bank, rng).add(v.sub(v).sqrt().sum());
        }
    }

    /**
     * A step whose loss is finite but whose gradient is not returns NaN and changes no trained
     * weight and no bank row, and leaves no NaN behind in the gradients.
     */
    @Test
    void aStepWithANonFiniteGradientUpdatesNothing() {
        withSmallStep(
                new NanGradient(),
                0,
                (model, trainer, bank, step) -> {
                    SplittableRandom rng = new SplittableRandom(4);
                    Batch batch = batch(rng);
                    float[] bankBefore = bank.toFloatArray();
                    float[] weightsBefore = weights(model);
                    assertThat(step.run(batch, new SplittableRandom(5))).isNaN();
                    assertThat(bank.toFloatArray()).containsExactly(bankBefore);
                    assertThat(weights(model)).containsExactly(weightsBefore);
                    assertThat(TrainStep.firstNonFinite(model.getBlock())).isNull();
                    try (NDManager m = trainer.getManager().newSubManager()) {
                        assertThat(TrainStep.gradientsFinite(model.getBlock(), m)).isTrue();
                    }
                });
    }

    /**
     * A batch with a NaN pixel is refused before the forward pass: nothing is updated, batch-norm
     * running statistics included, and the message names the image.
     */
    @Test
    void aBatchWithANonFinitePixelIsRefusedBeforeTheForwardPass() {
        withSmallStep(
                new NonParametricSoftmax(0.1f),
                0,
                (model, trainer, bank, step) -> {
                    SplittableRandom rng = new SplittableRandom(7);
                    Batch batch = batch(rng);
                    batch.pixels()[3 * 64 + 10] = Float.NaN;
                    assertThat(TrainStep.firstNonFiniteImage(batch)).isEqualTo(3);
                    float[] all = allValues(model);
                    Messages listener = new Messages();
                    java.util.List<String> messages = listener.messages;
                    assertThat(
                                    step.runOrStop(
                                            batch,
                                            1,
                                            0,
                                            0,
                                            0.03,
                                            java.nio.file.Path.of("none"),
                                            listener))
                            .isNaN();
                    assertThat(allValues(model)).containsExactly(all);
                    assertThat(messages.get(0))
                            .startsWith(
                                    "the input batch has a non-finite pixel (image "
                                            + batch.indices()[3]
                                            + ") at epoch 1, step 1");
                });
    }

    /**
     * {@code runOrStop} runs a failing step again, then skips its batch with a message, and stops
     * the run at the third batch in a row; a good step in between starts the count again.
     */
    @Test
    void runOrStopSkipsABadBatchAndStopsAtTheThirdInARow() {
        withSmallStep(
                new NanGradient(),
                0,
                (model, trainer, bank, step) -> {
                    SplittableRandom rng = new SplittableRandom(6);
                    Messages listener = new Messages();
                    java.util.List<String> messages = listener.messages;
                    java.nio.file.Path none = java.nio.file.Path.of("no-such-checkpoint");
                    assertThat(step.runOrStop(batch(rng), 1, 0, 0, 0.03, none, listener)).isNaN();
                    assertThat(messages).hasSize(2);
                    assertThat(messages.get(0))
                            .startsWith("a gradient became non-finite (loss ")
                            .endsWith(
                                    ") at epoch 1, step 1 with every weight finite; running the"
                                            + " step again");
                    assertThat(messages.get(1))
                            .endsWith(
                                    "at epoch 1, step 1 again; skipping this batch (weights,"
                                            + " optimiser and bank unchanged)");
                    step.setObjective(new NonParametricSoftmax(0.1f));
                    assertThat(step.runOrStop(batch(rng), 1, 0, 1, 0.03, none, listener))
                            .isFinite();
                    step.setObjective(new NanGradient());
                    assertThat(step.runOrStop(batch(rng), 1, 0, 2, 0.03, none, listener)).isNaN();
                    assertThat(step.runOrStop(batch(rng), 1, 0, 3, 0.03, none, listener)).isNaN();
                    assertThatThrownBy(
                                    () -> step.runOrStop(batch(rng), 1, 0, 4, 0.03, none, listener))
                            .isInstanceOf(TrainingException.class)
                            .isNotInstanceOf(ProcessFaultException.class)
                            .hasMessageContaining("at epoch 1, step 5 (3 batches in a row")
                            .hasMessageContaining("no checkpoint was written yet");
                });
    }

    /**
     * Batches that fail in a row with a finite, moderate network and a checkpoint to resume from
     * are the process's fault: the run stops with {@link ProcessFaultException}, which names the
     * checkpoint. With weights scaled to 1e20 (a diverged network, as after lr 1e30) the same
     * failures stop the run with the learning-rate advice instead.
     */
    @Test
    void failuresWithAModerateNetworkAreTheProcesssFaultAndWithAHugeOneTheNetworks(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path checkpoint = java.nio.file.Files.createFile(tmp.resolve("last.ckpt"));
        withSmallStep(
                new NanGradient(),
                0,
                (model, trainer, bank, step) -> {
                    SplittableRandom rng = new SplittableRandom(7);
                    Messages listener = new Messages();
                    assertThat(step.runOrStop(batch(rng), 1, 0, 0, 0.03, checkpoint, listener))
                            .isNaN();
                    assertThat(step.runOrStop(batch(rng), 1, 0, 1, 0.03, checkpoint, listener))
                            .isNaN();
                    assertThatThrownBy(
                                    () ->
                                            step.runOrStop(
                                                    batch(rng),
                                                    1,
                                                    0,
                                                    2,
                                                    0.03,
                                                    checkpoint,
                                                    listener))
                            .isInstanceOfSatisfying(
                                    ProcessFaultException.class,
                                    e -> assertThat(e.checkpoint()).isEqualTo(checkpoint))
                            .hasMessageContaining("(3 batches in a row) with every weight finite")
                            .hasMessageContaining("in a new process");
                    assertThat(TrainStep.largestWeight(model.getBlock()))
                            .isPositive()
                            .isLessThan(TrainStep.MODERATE_WEIGHT);
                    for (var p : model.getBlock().getParameters()) {
                        if (!p.getKey().endsWith("runningMean")
                                && !p.getKey().endsWith("runningVar")) {
                            p.getValue().getArray().muli(1e20f);
                        }
                    }
                    // The huge network spoils its running statistics at once: stopped there.
                    assertThatThrownBy(
                                    () ->
                                            step.runOrStop(
                                                    batch(rng),
                                                    1,
                                                    0,
                                                    5,
                                                    0.03,
                                                    checkpoint,
                                                    listener))
                            .isInstanceOf(TrainingException.class)
                            .isNotInstanceOf(ProcessFaultException.class)
                            .hasMessageContaining("Lower the learning rate");
                });
    }

    private static float[] weights(Model model) {
        return values(model, true);
    }

    /** Every parameter value, batch-norm running statistics included. */
    private static float[] allValues(Model model) {
        return values(model, false);
    }

    private static float[] values(Model model, boolean trainedOnly) {
        java.util.List<Float> all = new java.util.ArrayList<>();
        for (var p : model.getBlock().getParameters().values()) {
            if (trainedOnly && !p.requiresGradient()) {
                continue;
            }
            for (float f : p.getArray().toFloatArray()) {
                all.add(f);
            }
        }
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    /** Records the messages of a run. */
    private static final class Messages implements TrainListener {
        final java.util.List<String> messages = new java.util.ArrayList<>();

        @Override
        public void onMessage(String message) {
            messages.add(message);
        }
    }

    /** {@link #withStep} on an eighth-width ResNet-18 over 1×8×8 images with a 64-row bank. */
    private static void withSmallStep(
            InstanceObjective objective, float proximalLambda, StepTest test) {
        withStep(
                new NetworkShape(Arch.RESNET18, Stem.CIFAR, 0.125, 16, 1),
                new Shape(1, 1, 8, 8),
                64,
                objective,
                proximalLambda,
                test);
    }

    /** What a test does with a freshly initialised network, its trainer, a 16-d bank and a step. */
    private interface StepTest {
        void run(Model model, Trainer trainer, MemoryBank bank, TrainStep step);
    }

    /**
     * Runs {@code test} on a network of {@code net} initialised for {@code input}, trained by SGD
     * (lr 0.03, momentum 0.9, weight decay 5e-4) against a random bank of {@code bankRows} rows.
     */
    private static void withStep(
            NetworkShape net,
            Shape input,
            int bankRows,
            InstanceObjective objective,
            float proximalLambda,
            StepTest test) {
        withStep(
                net,
                input,
                bankRows,
                objective,
                proximalLambda,
                new PyTorchSgd(0.03f, 0.9f, 5e-4f),
                test);
    }

    /** As above with no proximal term and the given optimiser. */
    private static void withStep(
            NetworkShape net,
            Shape input,
            int bankRows,
            InstanceObjective objective,
            PyTorchSgd sgd,
            StepTest test) {
        withStep(net, input, bankRows, objective, 0, sgd, test);
    }

    private static void withStep(
            NetworkShape net,
            Shape input,
            int bankRows,
            InstanceObjective objective,
            float proximalLambda,
            PyTorchSgd sgd,
            StepTest test) {
        try (Model model = Model.newInstance("t")) {
            model.setBlock(NpidNet.create(net));
            try (Trainer trainer =
                    model.newTrainer(new DefaultTrainingConfig(Loss.l2Loss()).optOptimizer(sgd))) {
                trainer.initialize(input);
                try (MemoryBank bank =
                        MemoryBank.random(trainer.getManager(), bankRows, 16, 0.5f, false, 1)) {
                    test.run(
                            model,
                            trainer,
                            bank,
                            new TrainStep(
                                    trainer, bank, objective, new ProximalTerm(proximalLambda)));
                }
            }
        }
    }

    private static Batch batch(SplittableRandom rng) {
        int b = 8;
        float[] px = gaussian(rng, b * 64);
        long[] idx = new long[b];
        for (int i = 0; i < b; i++) {
            idx[i] = rng.nextInt(64);
        }
        return new Batch(px, b, 1, 8, 8, idx, new int[b]);
    }

    /** {@code n} standard normal pixels from {@code rng}. */
    private static float[] gaussian(SplittableRandom rng, int n) {
        float[] px = new float[n];
        for (int i = 0; i < n; i++) {
            px[i] = (float) rng.nextGaussian();
        }
        return px;
    }
}
