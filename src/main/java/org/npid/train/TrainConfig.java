package org.npid.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.npid.loss.NceLoss;
import org.npid.model.Arch;
import org.npid.model.Head;
import org.npid.model.ModelConfig;
import org.npid.model.Stem;

/**
 * Every setting of a training run, with its default and the reason for it in {@link #defaults()}.
 * Written beside every checkpoint as {@code config.yaml} (snake_case keys), so a model always
 * carries the recipe that made it.
 */
public record TrainConfig(
        String data,
        String testData,
        String runDir,
        Arch arch,
        Stem stem,
        double width,
        int embeddingDim,
        Head head,
        Objective objective,
        float temperature,
        int nceNoise,
        @JsonProperty("nce_z_momentum") double nceZMomentum,
        NceLoss.Scoring nceScoring,
        float proximalLambda,
        int neighbours,
        int neighboursFromEpoch,
        NeighbourSource neighbourSource,
        float bankMomentum,
        boolean bankFp16,
        boolean bankFillFirstEpoch,
        BankInit bankInit,
        int epochs,
        int batchSize,
        double lr,
        double momentum,
        double weightDecay,
        double emaDecay,
        LrSchedule.Kind schedule,
        double warmupEpochs,
        int imageSize,
        double cropScaleMin,
        double jitter,
        double hue,
        double grayscaleP,
        boolean flip,
        int knnK,
        float knnTemperature,
        Evaluation.Features knnFeatures,
        int knnProbes,
        int knnLists,
        int knnEvery,
        int knnRecomputeEvery,
        boolean knnAtStart,
        boolean knnRecomputeAtEnd,
        long seed,
        int threads,
        int workers,
        int maxStepsPerEpoch) {

    /** The instance-discrimination objective. */
    public enum Objective {
        /** Exact non-parametric softmax over all n (Eq. 2). */
        SOFTMAX,
        /** Noise-contrastive estimation with m uniform noise samples (Sec. 3.2). */
        NCE
    }

    /** Where the neighbourhood loss ({@code neighbours > 0}) finds each image's neighbours. */
    public enum NeighbourSource {
        /**
         * The network's embeddings of the un-augmented training images, recomputed at the start of
         * each epoch (one forward pass over the training set and one n × n search).
         */
        FEATURES,
        /**
         * The memory bank's rows, searched each step: free, but the rows mix stale, cropped views.
         */
        BANK,
        /**
         * The images' own pixels (cosine of the raw 0–1 values, as the raw-pixel kNN baseline),
         * searched once per run: no network needed, so usable from epoch 1. On Fashion-MNIST 80 %
         * of each image's 20 nearest share its class, as many as after 10 epochs of training.
         */
        PIXELS,
        /**
         * Half the neighbours from {@link #PIXELS}, half from {@link #FEATURES}: the two sets
         * barely overlap (10 % of the top 20 after 10 epochs on Fashion-MNIST).
         */
        PIXELS_AND_FEATURES
    }

    /** What the memory bank holds before the first step. */
    public enum BankInit {
        /** Random unit vectors, as in the paper (Sec. 3.1). */
        RANDOM,
        /**
         * The untrained network's embeddings of the training images (test transform). Measured to
         * collapse on Fashion-MNIST: those embeddings are nearly one vector, so no row is distinct
         * (docs/EXPERIMENTS.md). Kept to reproduce that result.
         */
        NETWORK
    }

    public TrainConfig {
        require(
                neighbourSource != null,
                "neighbour_source",
                "must be features, bank, pixels or pixels_and_features");
        require(bankInit != null, "bank_init", "must be random or network");
        require(head != null, "head", "must be linear or mlp");
        require(knnFeatures != null, "knn_features", "must be embedding or backbone");
        require(width > 0, "width", "must be positive, got " + width);
        require(embeddingDim > 0, "embedding_dim", "must be positive, got " + embeddingDim);
        require(temperature > 0, "temperature", "must be positive, got " + temperature);
        require(nceNoise > 0, "nce_noise", "must be positive, got " + nceNoise);
        require(
                nceZMomentum >= 0 && nceZMomentum < 1,
                "nce_z_momentum",
                "must be in [0, 1) (0 = the paper's one-shot Z), got " + nceZMomentum);
        require(proximalLambda >= 0, "proximal_lambda", "must be >= 0, got " + proximalLambda);
        require(neighbours >= 0, "neighbours", "must be >= 0 (0 = off), got " + neighbours);
        require(
                neighbours == 0 || objective == Objective.SOFTMAX,
                "neighbours",
                "needs objective: softmax (the neighbourhood is scored exactly), got objective: "
                        + objective);
        require(
                neighboursFromEpoch >= 1,
                "neighbours_from_epoch",
                "must be >= 1 (the first epoch is 1), got " + neighboursFromEpoch);
        require(
                bankMomentum >= 0 && bankMomentum < 1,
                "bank_momentum",
                "must be in [0, 1), got " + bankMomentum);
        require(epochs > 0, "epochs", "must be positive, got " + epochs);
        require(batchSize > 0, "batch_size", "must be positive, got " + batchSize);
        require(lr > 0, "lr", "must be positive, got " + lr);
        require(momentum >= 0 && momentum < 1, "momentum", "must be in [0, 1), got " + momentum);
        require(weightDecay >= 0, "weight_decay", "must be >= 0, got " + weightDecay);
        require(
                emaDecay >= 0 && emaDecay < 1,
                "ema_decay",
                "must be in [0, 1) (0 = no weight averaging), got " + emaDecay);
        require(warmupEpochs >= 0, "warmup_epochs", "must be >= 0, got " + warmupEpochs);
        require(imageSize >= 0, "image_size", "must be >= 0 (0 = native size), got " + imageSize);
        require(
                cropScaleMin > 0 && cropScaleMin <= 1,
                "crop_scale_min",
                "must be in (0, 1], got " + cropScaleMin);
        require(jitter >= 0, "jitter", "must be >= 0, got " + jitter);
        require(hue >= 0 && hue <= 0.5, "hue", "must be in [0, 0.5], got " + hue);
        require(grayscaleP >= 0 && grayscaleP <= 1, "grayscale_p", "must be in [0, 1]");
        require(knnK > 0, "knn_k", "must be positive, got " + knnK);
        require(knnTemperature > 0, "knn_temperature", "must be positive");
        require(knnLists > 0, "knn_lists", "must be positive, got " + knnLists);
        require(
                knnProbes >= 0 && knnProbes <= knnLists,
                "knn_probes",
                "must be in [0, knn_lists = " + knnLists + "] (0 = exact kNN), got " + knnProbes);
        require(knnEvery >= 0, "knn_every", "must be >= 0 (0 = never), got " + knnEvery);
        require(knnRecomputeEvery >= 0, "knn_recompute_every", "must be >= 0");
        require(threads >= 0, "threads", "must be >= 0 (0 = all cores), got " + threads);
        require(workers >= 0, "workers", "must be >= 0, got " + workers);
        require(maxStepsPerEpoch >= 0, "max_steps_per_epoch", "must be >= 0 (0 = all)");
    }

    private static void require(boolean ok, String field, String message) {
        if (!ok) {
            throw new IllegalArgumentException(field + ": " + message);
        }
    }

    /**
     * The defaults, one line each with why: mostly the paper's and the official script's values,
     * with the changes that any data needs (a moving-average Z, so NCE learns from the first
     * epoch). What learned best on small images within a short CPU budget is in the bundled recipes
     * (fmnist-short, cifar-short; docs/EXPERIMENTS.md), which {@code npid train} uses for IDX and
     * CIFAR-10 binary data given without a recipe or config.
     */
    public static TrainConfig defaults() {
        return new TrainConfig(
                "", // data: no default, every run names its images
                "", // test_data: empty = the test split next to `data` (CIFAR, IDX, train/test
                // dirs)
                "runs/npid", // run_dir: checkpoints, metrics.jsonl, config.yaml
                Arch.RESNET18, // arch: the paper's CIFAR backbone
                Stem.CIFAR, // stem: 3x3 conv, no max-pool; the ImageNet stem throws away 32-px
                // detail
                0.25, // width: 16-32-64-128 channels, what 2 CPU cores train in minutes
                128, // embedding_dim: the paper's d
                Head.LINEAR, // head: the paper's; mlp = SimCLR's projector (knn_features: backbone)
                Objective.NCE, // objective: the paper's scalable choice
                0.07f, // temperature: the paper's τ (the official CIFAR command uses 0.1)
                4096, // nce_noise: the paper's m
                0.99, // nce_z_momentum: moving-average Z; 0 = the paper's one-shot Z, which stalls
                NceLoss.Scoring.SHARED, // nce_scoring: one noise set per batch: 1.8x the official
                // step, same kNN as MATMUL after 10 epochs (docs/EXPERIMENTS.md)
                0f, // proximal_lambda: off, as in the paper's main results
                0, // neighbours: 0 = the paper's loss; k > 0 also counts each image's k nearest
                // (from neighbour_source) as positives (AND's neighbourhood loss, softmax only)
                2, // neighbours_from_epoch: the untrained network's (and bank's) neighbours are
                // mostly of other classes; pixel neighbours need no training (recipes set 1)
                NeighbourSource.FEATURES, // neighbour_source: clean views, fresh each epoch; works
                // on any data, where pixels need images of one size whose pixels are informative
                0.5f, // bank_momentum: the paper's m
                false, // bank_fp16: fp32 unless the bank must be small (1M x 128 = 256 MB in fp16)
                false, // bank_fill_first_epoch: epoch 1 writes v_i over the random row (momentum
                // 0);
                // the paper mixes it in, so half of each row stays random noise until epoch 2
                BankInit.RANDOM, // bank_init: the paper's random unit vectors
                10, // epochs: a short run; the paper trains 200
                128, // batch_size: the official script
                0.03, // lr: the official script
                0.9, // momentum: the official script
                5e-4, // weight_decay: the official script
                0, // ema_decay: 0 = evaluate and save the last SGD weights, as the paper does
                LrSchedule.Kind.STEP, // schedule: official (x0.1 at 120 and 160)
                0, // warmup_epochs
                0, // image_size: 0 = the data's own size (28 for Fashion-MNIST, 32 for CIFAR)
                0.2, // crop_scale_min: RandomResizedCrop(scale=(0.2, 1))
                0.4, // jitter: ColorJitter brightness, contrast and saturation
                0.4, // hue: ColorJitter hue (the recipe; torchvision caps it at 0.5)
                0.2, // grayscale_p: RandomGrayscale
                false, // flip: the paper lists it, the official CIFAR script comments it out
                200, // knn_k: the paper's k
                0.07f, // knn_temperature: the official kNN σ
                Evaluation.Features.EMBEDDING, // knn_features: the paper's; backbone = below the
                // head, for the recomputed kNN (the bank kNN always uses the embedding)
                0, // knn_probes: 0 = exact neighbours; > 0 = inverted lists, this many cells
                128, // knn_lists: cells of the inverted lists; probing 20 of 128 found 99.9 % of
                // the exact neighbours of trained features, same top-1 (docs/BENCHMARKS.md)
                1, // knn_every: bank kNN each epoch (cheap: one pass over the test set)
                0, // knn_recompute_every: also recompute after epoch 1 and every N; 0 = only at the
                // end
                false, // knn_at_start: also evaluate the untrained network (epoch 0)
                true, // knn_recompute_at_end: the honest final figure; off only for timing epochs
                42, // seed
                0, // threads: 0 = all cores for the step
                2, // workers: augmentation threads; they mostly wait, the step needs the cores
                0); // max_steps_per_epoch: 0 = whole epochs; a cap for smoke tests
    }

    private static final ObjectMapper JSON =
            JsonMapper.builder()
                    .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                    .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .build();

    private static final ObjectMapper YAML =
            JsonMapper.builder(
                            new YAMLFactory()
                                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
                    .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                    .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                    .build();

    /**
     * The defaults, overlaid with a YAML file (may be null), overlaid with {@code key=value}
     * overrides (snake_case keys, as in the file). Unknown keys are errors naming the key.
     */
    public static TrainConfig resolve(Path yaml, Map<String, String> overrides) {
        try (InputStream in = yaml == null ? null : Files.newInputStream(yaml)) {
            return resolve(in, overrides);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot read config " + yaml + ": " + e.getMessage(), e);
        }
    }

    /** As {@link #resolve(Path, Map)}, reading the YAML from a stream (e.g. a bundled recipe). */
    public static TrainConfig resolve(InputStream yaml, Map<String, String> overrides) {
        ObjectNode tree = JSON.valueToTree(defaults());
        try {
            if (yaml != null) {
                var file = YAML.readTree(yaml);
                if (file != null && file.isObject()) {
                    overlay(tree, (ObjectNode) file);
                } else if (file != null && !file.isMissingNode() && !file.isNull()) {
                    throw new IllegalArgumentException(
                            "config must be a YAML mapping of key: value");
                }
            }
            for (var e : overrides.entrySet()) {
                String key = e.getKey().replace('-', '_');
                if (!tree.has(key)) {
                    throw new IllegalArgumentException(
                            "unknown config key '" + e.getKey() + "'; known keys: " + keys(tree));
                }
                tree.set(key, YAML.readTree(e.getValue().isEmpty() ? "''" : e.getValue()));
            }
            return JSON.treeToValue(tree, TrainConfig.class);
        } catch (IOException e) {
            throw invalid(e);
        }
    }

    /** The validation message of the record when there is one, else Jackson's own. */
    private static IllegalArgumentException invalid(IOException e) {
        if (e.getCause() instanceof IllegalArgumentException cause) {
            return cause;
        }
        String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        return new IllegalArgumentException("invalid config: " + m, e);
    }

    private static void overlay(ObjectNode tree, ObjectNode file) {
        Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it = file.fields();
        while (it.hasNext()) {
            var e = it.next();
            if (!tree.has(e.getKey())) {
                throw new IllegalArgumentException(
                        "unknown config key '" + e.getKey() + "'; known keys: " + keys(tree));
            }
            tree.set(e.getKey(), e.getValue());
        }
    }

    private static String keys(ObjectNode tree) {
        StringBuilder sb = new StringBuilder();
        tree.fieldNames().forEachRemaining(k -> sb.append(sb.length() == 0 ? "" : ", ").append(k));
        return sb.toString();
    }

    /** This config as YAML, the form written beside checkpoints and printed by `npid train`. */
    public String toYaml() {
        try {
            return YAML.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads a config written by {@link #toYaml()}. Keys added since it was written take their
     * defaults, so checkpoints of earlier versions still load.
     */
    public static TrainConfig fromYaml(String yaml) {
        return resolve(
                new java.io.ByteArrayInputStream(
                        yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                Map.of());
    }

    /**
     * The network this config trains.
     *
     * @param channels 1 for grey-scale or 3 for RGB data
     * @return the model shape
     */
    public ModelConfig model(int channels) {
        return new ModelConfig(arch, stem, width, embeddingDim, channels, head);
    }

    /** A copy with another data path. */
    public TrainConfig withData(String path) {
        ObjectNode tree = JSON.valueToTree(this);
        tree.put("data", path);
        return JSON.convertValue(tree, TrainConfig.class);
    }
}
