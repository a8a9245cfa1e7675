package org.npid.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.checkpoint.Checkpoint;
import org.npid.config.TrainConfig;
import org.npid.eval.KnnEvaluation;
import org.npid.eval.KnnResult;
import org.npid.eval.LabelledSplits;
import org.npid.eval.TrainedModel;
import org.npid.fixtures.SyntheticIdx;

class NpidTrainingTest {
    @TempDir static Path tmp;
    static Path data;

    @BeforeAll
    static void makeData() throws Exception {
        data = SyntheticIdx.write(tmp.resolve("synthetic"), 48, 16, 16, 1);
    }

    /** A whole run, started afresh in {@code tmp/dir}, with nothing listening. */
    private static TrainResult train(String dir, Map<String, String> extra) {
        return NpidTraining.run(config(tmp.resolve(dir), extra), false, TrainListener.NONE);
    }

    private static TrainConfig config(Path runDir, Map<String, String> extra) {
        Map<String, String> o = new HashMap<>();
        o.put("data", data.toString());
        o.put("run_dir", runDir.toString());
        o.put("width", "0.125");
        o.put("embedding_dim", "32");
        o.put("epochs", "3");
        o.put("batch_size", "32");
        o.put("lr", "0.05");
        o.put("knn_k", "20");
        o.put("workers", "1");
        o.put("objective", "softmax");
        o.put("temperature", "0.1");
        o.putAll(extra);
        return TrainConfig.resolve((java.io.InputStream) null, o);
    }

    /**
     * The run's record: an epoch-0 row, one per epoch, its files. Whether it learns is {@link
     * LearningGateTest}'s question: on these textures the untrained network already scores well.
     */
    @Test
    void aRunRecordsEveryEpochAndWritesItsFiles() {
        TrainResult r = train("e2e", Map.of("epochs", "4", "knn_at_start", "true"));
        List<EpochMetrics> h = r.history();
        assertThat(h).hasSize(5);
        assertThat(h.get(0).epoch()).isZero();
        assertThat(h).extracting(EpochMetrics::epoch).containsExactly(0, 1, 2, 3, 4);
        // Epoch 0 scores the untrained network; each epoch the bank (knn_every 1); the end the
        // recomputed features.
        assertThat(h.get(0).recomputedTop1()).isNotNaN();
        assertThat(h.get(0).bankTop1()).isNaN();
        assertThat(h.subList(1, 5)).allSatisfy(e -> assertThat(e.bankTop1()).isNotNaN());
        assertThat(r.last().recomputedTop1()).isNotNaN();
        assertThat(Files.exists(r.checkpoint())).isTrue();
        assertThat(r.runDir().resolve("config.yaml")).exists();
        assertThat(r.runDir().resolve(NpidTraining.METRICS)).content().contains("\"epoch\":4");
    }

    @Test
    void neighbourhoodLossStartsAtItsEpochAndLowersTheLoss() {
        Map<String, String> two = Map.of("epochs", "2", "knn_every", "0");
        TrainResult plain = train("plain", two);
        Map<String, String> withNeighbours = new HashMap<>(two);
        withNeighbours.put("neighbours", "5");
        withNeighbours.put("neighbours_from_epoch", "2");
        TrainResult nb =
                NpidTraining.run(
                        config(tmp.resolve("nb"), withNeighbours), false, TrainListener.NONE);
        // Epoch 1 is the paper's loss in both runs, step for step.
        assertThat(nb.history().get(0).loss()).isEqualTo(plain.history().get(0).loss());
        // From epoch 2 five more rows count as positives, so less of the softmax is wrong.
        assertThat(nb.history().get(1).loss()).isLessThan(plain.history().get(1).loss() - 0.5);
    }

    @Test
    void pixelNeighboursWorkFromTheFirstEpochAndMergeWithTheNetworks() {
        Map<String, String> one = Map.of("epochs", "1", "knn_every", "0");
        TrainResult plain = train("px-plain", one);
        for (String source : new String[] {"pixels", "pixels_and_features"}) {
            Map<String, String> o = new HashMap<>(one);
            o.put("neighbours", "5");
            o.put("neighbours_from_epoch", "1");
            o.put("neighbour_source", source);
            List<String> messages = new java.util.ArrayList<>();
            TrainResult r =
                    NpidTraining.run(
                            config(tmp.resolve(source), o),
                            false,
                            new TrainListener() {
                                @Override
                                public void onMessage(String message) {
                                    messages.add(message);
                                }
                            });
            // Each image's 5 nearest by pixels share its class and phase in this data set, so
            // epoch 1 already scores them as right; the network alone learns nothing so early.
            assertThat(r.last().loss()).as(source).isLessThan(plain.last().loss() - 0.5);
            // The log says how many neighbours share the image's class (labels are for the log).
            assertThat(messages)
                    .as(source)
                    .anyMatch(m -> m.startsWith("neighbours of the image's own class: "));
        }
    }

    /**
     * With a validation share the kNN queries are held-out training images: the run needs no test
     * split at all, trains on the rest, and says so.
     */
    @Test
    void aValidationSplitIsHeldOutOfTrainingAndTheTestSplitIsNotRead() throws Exception {
        Path trainOnly = Files.createDirectories(tmp.resolve("train-only"));
        try (var files = Files.list(data)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (!f.getFileName().toString().startsWith("t10k")) {
                    Files.copy(f, trainOnly.resolve(f.getFileName()));
                }
            }
        }
        Map<String, String> o = new HashMap<>();
        o.put("data", trainOnly.toString());
        o.put("epochs", "1");
        o.put("evaluation.validation", "0.25");
        List<String> messages = new java.util.ArrayList<>();
        TrainResult r =
                NpidTraining.run(
                        config(tmp.resolve("validation"), o),
                        false,
                        new TrainListener() {
                            @Override
                            public void onMessage(String message) {
                                messages.add(message);
                            }
                        });
        // 48 images in each of 4 classes: 12 of each held out.
        assertThat(messages)
                .anyMatch(m -> m.startsWith("kNN queries: a validation split, 48 training images"));
        // Scored (not NaN) on the 48 held-out queries: a whole number of them right.
        double right = r.last().recomputedTop1() * 48;
        assertThat(right).isCloseTo(Math.rint(right), org.assertj.core.data.Offset.offset(1e-6));
        String provenance = Files.readString(r.runDir().resolve("provenance.json"));
        assertThat(provenance).contains("\"trainImages\" : 144").contains("\"testImages\" : 48");
    }

    /** The auto check's pixel table is the run's: the pixels are searched once per run. */
    @Test
    void autoSearchesThePixelsOnce() {
        Map<String, String> auto =
                Map.of(
                        "epochs", "1",
                        "neighbours", "5",
                        "neighbours_from_epoch", "1",
                        "neighbour_source", "auto",
                        "knn_every", "0",
                        "knn_recompute_at_end", "false");
        List<String> messages = new java.util.ArrayList<>();
        TrainResult r =
                NpidTraining.run(
                        config(tmp.resolve("auto-once"), auto),
                        false,
                        new TrainListener() {
                            @Override
                            public void onMessage(String message) {
                                messages.add(message);
                            }
                        });
        assertThat(messages).anyMatch(m -> m.contains("training with them (AND positives"));
        assertThat(messages).noneMatch(m -> m.startsWith("pixel neighbours found"));
        Map<String, String> pixels = new HashMap<>(auto);
        pixels.put("neighbour_source", "pixels");
        TrainResult p = train("pixels-once", pixels);
        // The same table either way, so the same run.
        assertThat(p.last().loss()).isEqualTo(r.last().loss());
    }

    /** What a run announces as its config is config.yaml and what ran, auto and budget resolved. */
    @Test
    void thePlannedConfigIsTheWrittenOneAndTheOneThatRan() throws Exception {
        List<RunPlan> plans = new java.util.ArrayList<>();
        Map<String, String> o =
                Map.of(
                        "step_budget", "12",
                        "neighbours", "5",
                        "neighbours_from_epoch", "1",
                        "neighbour_source", "auto",
                        "views", "2",
                        "knn_every", "0",
                        "knn_recompute_at_end", "false");
        TrainResult r =
                NpidTraining.run(
                        config(tmp.resolve("plan"), o),
                        false,
                        new TrainListener() {
                            @Override
                            public void onPlan(RunPlan p) {
                                plans.add(p);
                            }
                        });
        assertThat(plans).hasSize(1);
        RunPlan resolved = plans.get(0);
        TrainConfig plan = resolved.config();
        // Printed once, with the device and the data's identity, then config.yaml's text.
        assertThat(resolved.describe())
                .startsWith("# device: ")
                .contains("# data: ")
                .contains(resolved.identity().fingerprint().substring(0, 12))
                .endsWith(plan.toYaml());
        assertThat(
                        new com.fasterxml.jackson.databind.ObjectMapper()
                                .readTree(r.runDir().resolve("provenance.json").toFile())
                                .path("dataFingerprint")
                                .asText())
                .isEqualTo(resolved.identity().fingerprint());
        assertThat(plan.objective().neighbourSource())
                .isEqualTo(org.npid.config.ObjectiveConfig.NeighbourSource.PIXELS);
        assertThat(plan.objective().views()).isEqualTo(1);
        assertThat(plan.epochs()).isEqualTo(2);
        assertThat(Files.readString(r.runDir().resolve("config.yaml"))).isEqualTo(plan.toYaml());
        assertThat(r.history()).hasSize(plan.epochs());
    }

    @Test
    void moreNeighboursThanImagesUsesEveryOtherImage() {
        Map<String, String> o =
                Map.of(
                        "epochs", "1",
                        "neighbours", "100000",
                        "neighbours_from_epoch", "1",
                        "max_steps_per_epoch", "2",
                        "knn_every", "0",
                        "knn_recompute_at_end", "false");
        TrainResult r = train("nb-all", o);
        // Every image is a positive of every other: the softmax cannot be wrong.
        assertThat(r.last().loss()).isCloseTo(0.0, within(1e-4));
    }

    @Test
    void nceRunHasFiniteLossAndTracksZ() {
        TrainResult r = train("nce", Map.of("objective", "nce", "nce_noise", "64", "epochs", "2"));
        assertThat(r.last().loss()).isFinite();
        assertThat(r.last().nceZ()).isPositive();
    }

    @Test
    void resumeAfterAnEpochOrMidEpochEndsIdenticalToAnUninterruptedRun() throws Exception {
        TrainConfig full =
                config(tmp.resolve("full"), Map.of("objective", "nce", "nce_noise", "32"));
        TrainResult whole = NpidTraining.run(full, false, TrainListener.NONE);

        for (int stopAtStep : new int[] {6, 3}) {
            // 6 steps per epoch: stop after step 6 = at the end of epoch 1; after 3 = mid-epoch.
            Path dir = tmp.resolve("resumed-" + stopAtStep);
            TrainConfig c = config(dir, Map.of("objective", "nce", "nce_noise", "32"));
            TrainResult first = NpidTraining.run(c, false, stopAfter(stopAtStep));
            assertThat(first.interrupted()).isTrue();
            TrainResult rest = NpidTraining.run(c, true, TrainListener.NONE);
            assertThat(rest.interrupted()).isFalse();
            assertThat(rest.last().loss()).isEqualTo(whole.last().loss());
            assertThat(rest.last().recomputedTop1()).isEqualTo(whole.last().recomputedTop1());
            assertThat(entry(rest.checkpoint(), Checkpoint.BANK))
                    .isEqualTo(entry(whole.checkpoint(), Checkpoint.BANK));
            assertThat(entry(rest.checkpoint(), Checkpoint.MODEL))
                    .isEqualTo(entry(whole.checkpoint(), Checkpoint.MODEL));
        }
    }

    /**
     * The parametric baseline's rows carry a momentum buffer of their own: saved beside the
     * network's, so a run resumed mid-epoch ends bit-identical to an uninterrupted one.
     */
    @Test
    void parametricRunResumedMidEpochEndsIdenticalToAnUninterruptedRun() throws Exception {
        Map<String, String> parametric = Map.of("objective", "parametric", "epochs", "1");
        TrainResult whole =
                NpidTraining.run(
                        config(tmp.resolve("parametric-full"), parametric),
                        false,
                        TrainListener.NONE);
        Path dir = tmp.resolve("parametric-resumed");
        TrainConfig c = config(dir, parametric);
        assertThat(NpidTraining.run(c, false, stopAfter(3)).interrupted()).isTrue();
        byte[] saved = entry(dir.resolve(Checkpoint.FILE), Checkpoint.OPTIMIZER);
        assertThat(new String(saved, java.nio.charset.StandardCharsets.ISO_8859_1))
                .contains(TrainStep.BANK_ROWS);
        TrainResult rest = NpidTraining.run(c, true, TrainListener.NONE);
        assertThat(rest.last().loss()).isEqualTo(whole.last().loss());
        for (String name : new String[] {Checkpoint.BANK, Checkpoint.MODEL, Checkpoint.OPTIMIZER}) {
            assertThat(entry(rest.checkpoint(), name))
                    .as(name)
                    .isEqualTo(entry(whole.checkpoint(), name));
        }
    }

    /**
     * A run stopped on the GPU resumes on the CPU and back, finishing like an uninterrupted run to
     * float tolerance (the devices round differently). Skipped where DJL sees no GPU.
     */
    @Test
    void aRunResumesAcrossDevicesBothWays() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                ai.djl.engine.Engine.getInstance().getGpuCount() > 0, "no GPU visible to DJL");
        try {
            org.npid.model.Devices.choose(org.npid.model.Devices.Choice.CPU);
            TrainResult whole = train("devices-whole", Map.of());
            org.npid.model.Devices.Choice[][] ways = {
                {org.npid.model.Devices.Choice.GPU, org.npid.model.Devices.Choice.CPU},
                {org.npid.model.Devices.Choice.CPU, org.npid.model.Devices.Choice.GPU}
            };
            for (org.npid.model.Devices.Choice[] way : ways) {
                TrainConfig c = config(tmp.resolve("devices-" + way[0] + "-" + way[1]), Map.of());
                org.npid.model.Devices.choose(way[0]);
                assertThat(NpidTraining.run(c, false, stopAfter(3)).interrupted()).isTrue();
                org.npid.model.Devices.choose(way[1]);
                TrainResult rest = NpidTraining.run(c, true, TrainListener.NONE);
                assertThat(rest.last().loss())
                        .isCloseTo(
                                whole.last().loss(),
                                org.assertj.core.api.Assertions.within(
                                        1e-2 * Math.abs(whole.last().loss())));
            }
        } finally {
            org.npid.model.Devices.choose(org.npid.model.Devices.Choice.AUTO);
        }
    }

    @Test
    void neighbourhoodRunResumedMidEpochEndsIdenticalToAnUninterruptedRun() throws Exception {
        Map<String, String> nb =
                Map.of("epochs", "2", "neighbours", "3", "neighbours_from_epoch", "1");
        TrainResult whole = train("nb-full", nb);
        // 6 steps per epoch: step 9 is mid-epoch 2, whose table came from the weights after
        // epoch 1; the resumed run must not find it again from the weights after step 9.
        TrainConfig c = config(tmp.resolve("nb-resumed"), nb);
        assertThat(NpidTraining.run(c, false, stopAfter(9)).interrupted()).isTrue();
        TrainResult rest = NpidTraining.run(c, true, TrainListener.NONE);
        assertThat(rest.last().loss()).isEqualTo(whole.last().loss());
        assertThat(entry(rest.checkpoint(), Checkpoint.MODEL))
                .isEqualTo(entry(whole.checkpoint(), Checkpoint.MODEL));
    }

    @Test
    void weightAverageIsEvaluatedSavedAndResumedExactly() throws Exception {
        Map<String, String> ema = Map.of("ema_decay", "0.9", "epochs", "2");
        TrainResult whole = train("ema", ema);
        EpochMetrics last = whole.last();
        // Both figures exist: the average's (what kNN evaluates) and the last SGD weights'.
        assertThat(last.liveTop1()).isNotNaN();
        assertThat(last.recomputedTop1()).isNotNaN();
        byte[] average = entry(whole.checkpoint(), Checkpoint.AVERAGE);
        assertThat(average).isNotEqualTo(entry(whole.checkpoint(), Checkpoint.MODEL));

        Path dir = tmp.resolve("ema-resumed");
        TrainResult first = NpidTraining.run(config(dir, ema), false, stopAfter(3));
        assertThat(first.interrupted()).isTrue();
        TrainResult rest = NpidTraining.run(config(dir, ema), true, TrainListener.NONE);
        assertThat(entry(rest.checkpoint(), Checkpoint.AVERAGE)).isEqualTo(average);
        assertThat(rest.last().recomputedTop1()).isEqualTo(last.recomputedTop1());
        assertThat(rest.last().liveTop1()).isEqualTo(last.liveTop1());

        // Inference loads the average, not the last SGD weights.
        try (TrainedModel model = TrainedModel.load(whole.checkpoint(), 1);
                NDManager m = NDManager.newBaseManager();
                WeightAverage reference = new WeightAverage(model.network(), m, 0.5)) {
            byte[] expected;
            var out = new java.io.ByteArrayOutputStream();
            reference.save(out);
            expected = out.toByteArray();
            assertThat(expected).isEqualTo(average);
        }
    }

    @Test
    void withoutAverageLiveTop1IsNaN() {
        TrainResult r =
                NpidTraining.run(
                        config(tmp.resolve("no-ema"), Map.of("epochs", "1")),
                        false,
                        TrainListener.NONE);
        assertThat(r.last().liveTop1()).isNaN();
        assertThat(r.last().recomputedTop1()).isNotNaN();
    }

    @Test
    void mlpHeadRunScoresTheBackboneAndItsCheckpointGivesTheSameKnn() {
        TrainConfig c =
                config(
                        tmp.resolve("mlp"),
                        Map.of("head", "mlp", "knn_features", "backbone", "epochs", "2"));
        TrainResult r = NpidTraining.run(c, false, TrainListener.NONE);
        // The monitor's final figure is the backbone kNN that `npid knn --features backbone`
        // computes from the saved checkpoint (same k and τ).
        try (TrainedModel model = TrainedModel.load(r.checkpoint(), 1)) {
            KnnResult again =
                    model.knn(
                            LabelledSplits.open(data, "kNN"), KnnEvaluation.of(c.evaluation(), 1));
            assertThat(again.top1()).isEqualTo(r.last().recomputedTop1());
            assertThat(model.network().head().kind()).isEqualTo(org.npid.model.Head.MLP);
        }
    }

    @Test
    void firstNonFiniteNamesTheParameterWithANan() {
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.nn.core.Linear linear = ai.djl.nn.core.Linear.builder().setUnits(3).build();
            linear.initialize(
                    m, ai.djl.ndarray.types.DataType.FLOAT32, new ai.djl.ndarray.types.Shape(2, 4));
            assertThat(TrainStep.firstNonFinite(linear)).isNull();
            linear.getParameters().get("bias").getArray().set(new float[] {0, Float.NaN, 0});
            assertThat(TrainStep.firstNonFinite(linear)).isEqualTo("bias");
        }
    }

    @Test
    void nonFiniteLossStopsWithEpochAndStep() {
        TrainConfig c = config(tmp.resolve("nan"), Map.of("lr", "1e30", "epochs", "2"));
        assertThatThrownBy(() -> NpidTraining.run(c, false, TrainListener.NONE))
                .isInstanceOf(TrainingException.class)
                .hasMessageContaining("at epoch")
                .hasMessageContaining(", step ")
                .hasMessageContaining("Lower the learning rate (optimiser.lr)");
    }

    @Test
    void resumeWithoutACheckpointSaysWhatToDo() {
        TrainConfig c = config(tmp.resolve("none"), Map.of());
        assertThatThrownBy(() -> NpidTraining.run(c, true, TrainListener.NONE))
                .hasMessageContaining("no checkpoint")
                .hasMessageContaining("nothing to resume (resume)");
    }

    @Test
    void labelsNeverReachTraining() throws Exception {
        // The same images with the training labels shuffled: every byte the run learns is equal.
        Path shuffled = tmp.resolve("shuffled-labels");
        Files.createDirectories(shuffled);
        try (var files = Files.list(data)) {
            for (Path f : files.toList()) {
                Files.copy(f, shuffled.resolve(f.getFileName()));
            }
        }
        Path labels = shuffled.resolve("train-labels-idx1-ubyte");
        byte[] b = Files.readAllBytes(labels);
        for (int i = 8; i < b.length; i++) {
            b[i] = (byte) ((b[i] + i) % SyntheticIdx.CLASSES);
        }
        Files.write(labels, b);
        Map<String, String> one = Map.of("epochs", "1", "knn_recompute_at_end", "false");
        TrainResult a = train("lab-a", one);
        TrainConfig other = config(tmp.resolve("lab-b"), one).with("data", shuffled.toString());
        TrainResult c = NpidTraining.run(other, false, TrainListener.NONE);
        for (String name : new String[] {Checkpoint.MODEL, Checkpoint.BANK, Checkpoint.OPTIMIZER}) {
            assertThat(entry(c.checkpoint(), name)).isEqualTo(entry(a.checkpoint(), name));
        }
    }

    @Test
    void aResumeContinuesWithFewerStepsAndTheSameOptimiserAndZ() throws Exception {
        Map<String, String> nce = Map.of("objective", "nce", "nce_noise", "32");
        TrainResult whole = train("z-full", nce);
        Path dir = tmp.resolve("z-resumed");
        assertThat(NpidTraining.run(config(dir, nce), false, stopAfter(8)).interrupted()).isTrue();
        int[] steps = {0};
        TrainResult rest =
                NpidTraining.run(
                        config(dir, nce),
                        true,
                        new TrainListener() {
                            @Override
                            public void onStep(int e, int s, int of, double l, double ips) {
                                steps[0]++;
                            }
                        });
        // 3 epochs of 6 steps; the first run did 8 of them.
        assertThat(steps[0]).isEqualTo(18 - 8);
        assertThat(entry(rest.checkpoint(), Checkpoint.OPTIMIZER))
                .isEqualTo(entry(whole.checkpoint(), Checkpoint.OPTIMIZER));
        Checkpoint.State resumed = Checkpoint.read(rest.checkpoint()).state();
        Checkpoint.State straight = Checkpoint.read(whole.checkpoint()).state();
        assertThat(resumed.position()).isEqualTo(straight.position());
        assertThat(resumed.objectiveState()).isEqualTo(straight.objectiveState());
        assertThat(resumed.inputs().mean()).isEqualTo(straight.inputs().mean());
        assertThat(rest.last().nceZ()).isEqualTo(whole.last().nceZ());
    }

    @Test
    void aResumeKeepsOnlySavedEpochsAndRefusesAnotherShapeBeforeTouchingAFile() throws Exception {
        Path dir = tmp.resolve("guarded");
        TrainConfig c = config(dir, Map.of("epochs", "2"));
        assertThat(NpidTraining.run(c, false, stopAfter(6)).interrupted()).isTrue();
        // A row for an epoch the checkpoint does not hold, as a crash between the two could leave.
        Files.writeString(
                dir.resolve(NpidTraining.METRICS),
                "{\"epoch\":7,\"loss\":1.0}\n",
                java.nio.file.StandardOpenOption.APPEND);
        byte[] config = Files.readAllBytes(dir.resolve("config.yaml"));
        assertThatThrownBy(() -> NpidTraining.run(c.with("width", "0.5"), true, TrainListener.NONE))
                .hasMessageContaining("cannot change the network");
        assertThat(Files.readAllBytes(dir.resolve("config.yaml"))).isEqualTo(config);

        List<String> messages = new java.util.ArrayList<>();
        TrainResult rest =
                NpidTraining.run(
                        c.with("epochs", "3"),
                        true,
                        new TrainListener() {
                            @Override
                            public void onMessage(String m) {
                                messages.add(m);
                            }
                        });
        assertThat(messages).anyMatch(m -> m.contains("changed on resume: epochs 2 → 3"));
        List<String> rows = Files.readAllLines(rest.runDir().resolve(NpidTraining.METRICS));
        assertThat(rows).hasSize(3).noneMatch(r -> r.contains("\"epoch\":7"));
    }

    private static TrainListener stopAfter(int steps) {
        return new TrainListener() {
            int seen;

            @Override
            public void onStep(int epoch, int step, int of, double loss, double ips) {
                seen++;
            }

            @Override
            public boolean stopRequested() {
                return seen >= steps;
            }
        };
    }

    private static byte[] entry(Path zip, String name) throws Exception {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (e.getName().equals(name)) {
                    return in.readAllBytes();
                }
            }
        }
        throw new AssertionError("no " + name);
    }
}
