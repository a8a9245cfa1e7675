package org.npid.config;

import static org.npid.config.Checks.require;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.npid.model.Stem;

/**
 * Every setting of a training run, in named sections ({@code model}, {@code objective}, {@code
 * bank}, {@code optimiser}, {@code augmentation}, {@code evaluation}) beside the run-wide ones.
 * Each section's {@code defaults()} gives its defaults with the reason for each. Written beside
 * every checkpoint as {@code config.yaml}, so a model always carries the recipe that made it.
 *
 * <p>The flat keys of earlier versions ({@code lr}, {@code knn_k}, {@code bank_momentum}, …) are
 * still accepted in files and in {@code --set}, as are dotted ones ({@code optimiser.lr}).
 *
 * @param data training images
 * @param testData labelled images for kNN; empty = the test split next to {@code data}
 * @param runDir checkpoints, metrics.jsonl, config.yaml
 * @param epochs passes over the training set
 * @param batchSize images per step
 * @param seed every random choice derives from it
 * @param threads native threads for the step; 0 = all cores
 * @param workers augmentation threads
 * @param maxStepsPerEpoch a cap for smoke tests; 0 = whole epochs
 * @param trainImages train on a seeded random subset of this many images; 0 = all
 * @param testImages evaluate kNN on a seeded random subset of this many test images; 0 = all
 * @param timeBudget wall time for the whole run ("10m", "1h30m", "90s"); when set, {@code epochs}
 *     is chosen from a timed probe of the step; empty = none
 * @param stepBudget SGD steps for the whole run; when set, {@code epochs} is chosen to fit; 0 =
 *     none
 */
public record TrainConfig(
        String data,
        String testData,
        String runDir,
        int epochs,
        int batchSize,
        long seed,
        int threads,
        int workers,
        int maxStepsPerEpoch,
        int trainImages,
        int testImages,
        String timeBudget,
        int stepBudget,
        NetworkConfig model,
        ObjectiveConfig objective,
        BankConfig bank,
        OptimiserConfig optimiser,
        AugmentationConfig augmentation,
        EvaluationConfig evaluation) {

    public TrainConfig {
        require(epochs > 0, "epochs", "must be positive, got " + epochs);
        require(batchSize > 0, "batch_size", "must be positive, got " + batchSize);
        require(threads >= 0, "threads", "must be >= 0 (0 = all cores), got " + threads);
        require(workers >= 0, "workers", "must be >= 0, got " + workers);
        require(maxStepsPerEpoch >= 0, "max_steps_per_epoch", "must be >= 0 (0 = all)");
        require(trainImages >= 0, "train_images", "must be >= 0 (0 = all), got " + trainImages);
        require(testImages >= 0, "test_images", "must be >= 0 (0 = all), got " + testImages);
        timeBudget = timeBudget == null ? "" : timeBudget.trim();
        require(stepBudget >= 0, "step_budget", "must be >= 0 (0 = none), got " + stepBudget);
        require(
                timeBudget.isEmpty() || stepBudget == 0,
                "time_budget",
                "give a time budget or a step budget, not both (time_budget "
                        + timeBudget
                        + ", step_budget "
                        + stepBudget
                        + ")");
        parseDuration(timeBudget);
        require(model != null, "model", "section missing");
        require(objective != null, "objective", "section missing");
        require(bank != null, "bank", "section missing");
        require(optimiser != null, "optimiser", "section missing");
        require(augmentation != null, "augmentation", "section missing");
        require(evaluation != null, "evaluation", "section missing");
        require(
                objective.loss() != ObjectiveConfig.Loss.PARAMETRIC || !bank.fp16(),
                "bank.fp16",
                "must be false with objective.loss: parametric, whose learned weights are the"
                        + " bank's rows");
    }

    /**
     * The defaults: the paper's and the official script's values, with the changes any data needs
     * (a moving-average Z, so NCE learns from the first epoch). What learned best on small images
     * within a short CPU budget is in the bundled recipes (docs/RESULTS.md).
     */
    public static TrainConfig defaults() {
        return new TrainConfig(
                "", // data: no default, every run names its images
                "", // test_data: the test split next to `data` (CIFAR, IDX, train/test folders)
                "runs/npid", // run_dir
                10, // epochs: a short run; the paper trains 200
                128, // batch_size: the official script
                42, // seed
                0, // threads: all cores for the step
                2, // workers: augmentation threads; they mostly wait, the step needs the cores
                0, // max_steps_per_epoch: whole epochs
                0, // train_images: all of them
                0, // test_images: all of them
                "", // time_budget: none; `epochs` says how long
                0, // step_budget: none
                NetworkConfig.defaults(),
                ObjectiveConfig.defaults(),
                BankConfig.defaults(),
                OptimiserConfig.defaults(),
                AugmentationConfig.defaults(),
                EvaluationConfig.defaults());
    }

    /** The time budget, or null when the run has none. */
    public java.time.Duration timeBudgetDuration() {
        return parseDuration(timeBudget);
    }

    private static final int MAX_BUDGET_HOURS = 8784;

    /**
     * "90s", "10m", "1h30m", "1.5h" or plain seconds; null for an empty text.
     *
     * @throws IllegalArgumentException naming {@code time_budget} for anything else
     */
    private static java.time.Duration parseDuration(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        var m =
                java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([hms]?)")
                        .matcher(text.trim().toLowerCase(java.util.Locale.ROOT));
        double seconds = 0;
        int end = 0;
        while (m.find() && m.start() == end) {
            double value = Double.parseDouble(m.group(1));
            seconds +=
                    switch (m.group(2)) {
                        case "h" -> value * 3600;
                        case "m" -> value * 60;
                        default -> value;
                    };
            end = m.end();
        }
        require(
                end == text.trim().length() && seconds >= 1,
                "time_budget",
                "expected a duration such as 90s, 10m or 1h30m, got '" + text + "'");
        // Far beyond any run, and far enough below the long and int ranges that the epochs
        // computed from it cannot wrap around.
        require(
                seconds <= MAX_BUDGET_HOURS * 3600.0,
                "time_budget",
                "at most " + MAX_BUDGET_HOURS + "h (a year), got '" + text + "'");
        return java.time.Duration.ofMillis(Math.round(seconds * 1000));
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

    /** Flat keys of earlier versions whose name differs from the section's key. */
    private static final Map<String, String> RENAMED = renamed();

    private static Map<String, String> renamed() {
        Map<String, String> m = new LinkedHashMap<>();
        ObjectNode tree = JSON.valueToTree(defaults());
        tree.fields()
                .forEachRemaining(
                        section -> {
                            if (!section.getValue().isObject()) {
                                return;
                            }
                            String prefix =
                                    switch (section.getKey()) {
                                        case "bank" -> "bank_";
                                        case "evaluation" -> "knn_";
                                        default -> "";
                                    };
                            section.getValue()
                                    .fieldNames()
                                    .forEachRemaining(
                                            k -> m.put(prefix + k, section.getKey() + "." + k));
                        });
        m.put("objective", "objective.loss");
        return m;
    }

    /**
     * The defaults, overlaid with a YAML file (may be null), overlaid with {@code key=value}
     * overrides. Unknown keys are errors naming the key.
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
                JsonNode file = YAML.readTree(yaml);
                if (file != null && file.isObject()) {
                    file.fields().forEachRemaining(e -> set(tree, e.getKey(), e.getValue()));
                } else if (file != null && !file.isMissingNode() && !file.isNull()) {
                    throw new IllegalArgumentException(
                            "config must be a YAML mapping of key: value");
                }
            }
            for (var e : overrides.entrySet()) {
                JsonNode value = YAML.readTree(e.getValue().isEmpty() ? "''" : e.getValue());
                set(tree, e.getKey().replace('-', '_'), value);
            }
            return JSON.treeToValue(tree, TrainConfig.class);
        } catch (IOException e) {
            throw invalid(e);
        }
    }

    /** Sets a run-wide, dotted, section or earlier flat key; anything else is an error. */
    private static void set(ObjectNode tree, String key, JsonNode value) {
        int dot = key.indexOf('.');
        if (dot > 0) {
            JsonNode section = tree.get(key.substring(0, dot));
            String field = key.substring(dot + 1);
            if (section instanceof ObjectNode s && s.has(field)) {
                s.set(field, typed(key, s.get(field), value));
                return;
            }
        } else if (tree.get(key) instanceof ObjectNode && value.isObject()) {
            value.fields().forEachRemaining(e -> set(tree, key + "." + e.getKey(), e.getValue()));
            return;
        } else if (tree.has(key) && !tree.get(key).isObject()) {
            tree.set(key, typed(key, tree.get(key), value));
            return;
        } else if (tree.get(key) instanceof ObjectNode section && !RENAMED.containsKey(key)) {
            List<String> inside = new ArrayList<>();
            section.fieldNames().forEachRemaining(k -> inside.add(key + "." + k));
            // The first key of the section that takes a value of this kind: model: 0.25 is
            // most likely model.width.
            String guess = inside.get(0);
            for (var it = section.fields(); it.hasNext(); ) {
                var e = it.next();
                if (e.getValue().isNumber() == value.isNumber()
                        && e.getValue().isBoolean() == value.isBoolean()) {
                    guess = key + "." + e.getKey();
                    break;
                }
            }
            throw new IllegalArgumentException(
                    "'"
                            + key
                            + "' is a section, not a value: did you mean "
                            + guess
                            + ": "
                            + value.asText()
                            + "? ("
                            + key
                            + " holds "
                            + String.join(", ", inside)
                            + ")");
        } else if (RENAMED.containsKey(key)) {
            set(tree, RENAMED.get(key), value);
            return;
        } else if (key.equals("bank_init")) {
            // Earlier checkpoints record bank_init: random, the paper's and the only choice left.
            if (!value.asText().equalsIgnoreCase("random")) {
                throw new IllegalArgumentException(
                        "bank_init: "
                                + value.asText()
                                + " was removed (the untrained network's embeddings are nearly one"
                                + " vector, so the bank collapsed); remove the key: the bank starts"
                                + " from random unit vectors, as in the paper");
            }
            return;
        }
        throw new IllegalArgumentException(
                "unknown config key '" + key + "'; known keys: " + String.join(", ", keys(tree)));
    }

    /**
     * {@code value} for a key whose default is {@code old}: a whole-number key takes a number
     * without a fraction (1.5 epochs would otherwise become 1 without a word).
     */
    private static JsonNode typed(String key, JsonNode old, JsonNode value) {
        if (old.isIntegralNumber() && value.isFloatingPointNumber()) {
            double v = value.asDouble();
            if (v != Math.rint(v) || Math.abs(v) > Long.MAX_VALUE) {
                throw new IllegalArgumentException(
                        key + ": must be a whole number, got " + value.asText());
            }
            return JSON.getNodeFactory().numberNode((long) v);
        }
        return value;
    }

    private static List<String> keys(ObjectNode tree) {
        List<String> keys = new ArrayList<>();
        tree.fields()
                .forEachRemaining(
                        e -> {
                            if (e.getValue().isObject()) {
                                e.getValue()
                                        .fieldNames()
                                        .forEachRemaining(k -> keys.add(e.getKey() + "." + k));
                            } else {
                                keys.add(e.getKey());
                            }
                        });
        return keys;
    }

    /** The validation message of a section when there is one, else Jackson's, naming the key. */
    private static IllegalArgumentException invalid(IOException e) {
        if (e.getCause() instanceof IllegalArgumentException cause) {
            return cause;
        }
        String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        if (e instanceof JsonMappingException j && !j.getPath().isEmpty()) {
            String key =
                    j.getPath().stream()
                            .map(JsonMappingException.Reference::getFieldName)
                            .collect(Collectors.joining("."));
            return new IllegalArgumentException(key + ": invalid value (" + m + ")", e);
        }
        return new IllegalArgumentException("invalid config: " + m, e);
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
     * Reads a config written by {@link #toYaml()}, or by an earlier version with flat keys. Keys
     * added since it was written take their defaults, so earlier checkpoints still load.
     */
    public static TrainConfig fromYaml(String yaml) {
        return resolve(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), Map.of());
    }

    /** The same config with {@code epochs} passes: a typed copy, for the budget's plans. */
    public TrainConfig withEpochs(int epochs) {
        return copy(epochs, maxStepsPerEpoch, model, objective, augmentation);
    }

    /** The same config with at most {@code steps} steps an epoch: a budget shorter than one. */
    public TrainConfig withMaxStepsPerEpoch(int steps) {
        return copy(epochs, steps, model, objective, augmentation);
    }

    /** The same config at {@code size}-pixel training images: the plan's chosen resolution. */
    public TrainConfig withImageSize(int size) {
        AugmentationConfig a = augmentation;
        return copy(
                epochs,
                maxStepsPerEpoch,
                model,
                objective,
                new AugmentationConfig(
                        size,
                        a.cropFraction(),
                        a.cropScaleMin(),
                        a.jitter(),
                        a.hue(),
                        a.grayscaleP(),
                        a.flip()));
    }

    /** The same config with the network's first layers {@code stem}: the plan's chosen stem. */
    public TrainConfig withStem(Stem stem) {
        NetworkConfig m = model;
        return copy(
                epochs,
                maxStepsPerEpoch,
                new NetworkConfig(m.arch(), stem, m.width(), m.embeddingDim(), m.head()),
                objective,
                augmentation);
    }

    /** The same config with the objective {@code objective}: the {@code auto} source's choice. */
    public TrainConfig withObjective(ObjectiveConfig objective) {
        return copy(epochs, maxStepsPerEpoch, model, objective, augmentation);
    }

    /** The typed copies' one constructor call; validation runs again, as for any config. */
    private TrainConfig copy(
            int epochs,
            int maxStepsPerEpoch,
            NetworkConfig model,
            ObjectiveConfig objective,
            AugmentationConfig augmentation) {
        return new TrainConfig(
                data,
                testData,
                runDir,
                epochs,
                batchSize,
                seed,
                threads,
                workers,
                maxStepsPerEpoch,
                trainImages,
                testImages,
                timeBudget,
                stepBudget,
                model,
                objective,
                bank,
                optimiser,
                augmentation,
                evaluation);
    }

    /** The same config with one key (any form {@link #resolve} accepts) set from text. */
    public TrainConfig with(String key, String value) {
        return resolve(
                new ByteArrayInputStream(toYaml().getBytes(StandardCharsets.UTF_8)),
                Map.of(key, value));
    }

    /** The keys whose values differ from {@code before}'s, as "key old → new", in key order. */
    public List<String> changesFrom(TrainConfig before) {
        Map<String, String> now = flat(JSON.valueToTree(this), "");
        Map<String, String> then = flat(JSON.valueToTree(before), "");
        List<String> out = new ArrayList<>();
        for (var e : now.entrySet()) {
            String old = then.get(e.getKey());
            if (!e.getValue().equals(old)) {
                out.add(e.getKey() + " " + old + " → " + e.getValue());
            }
        }
        return out;
    }

    private static Map<String, String> flat(JsonNode tree, String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        tree.fields()
                .forEachRemaining(
                        e -> {
                            if (e.getValue().isObject()) {
                                out.putAll(flat(e.getValue(), prefix + e.getKey() + "."));
                            } else {
                                out.put(prefix + e.getKey(), e.getValue().asText());
                            }
                        });
        return out;
    }

    /** What this run does beyond the paper's recipe, for the log; null when nothing. */
    public String beyondPaper() {
        List<String> parts = new ArrayList<>();
        if (objective.beyondPaper() != null) {
            parts.add(objective.beyondPaper());
        }
        if (optimiser.emaDecay() > 0) {
            parts.add("weight averaging (ema_decay " + optimiser.emaDecay() + ")");
        }
        if (model.head() != org.npid.model.Head.LINEAR) {
            parts.add("an MLP head");
        }
        if (augmentation.cropFraction() < 1) {
            parts.add(
                    "training crops of "
                            + augmentation.cropFraction()
                            + " of the image side (augmentation.crop_fraction)");
        }
        if (bank.fillFirstEpoch()) {
            parts.add("bank rows overwritten in epoch 1 (bank.fill_first_epoch)");
        }
        if (evaluation.features() == EvaluationConfig.Features.BACKBONE) {
            parts.add(
                    "kNN judged on the backbone's pooled features, below the 128-d embedding"
                            + " (evaluation.features backbone)");
        }
        return parts.isEmpty() ? null : String.join("; ", parts);
    }
}
