package org.npid.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a training run's config comes from: a bundled recipe, a YAML file, the config stored in the
 * checkpoint of a run being resumed, or (for data given without any of those) the {@value
 * #DEFAULT_RECIPE} recipe; then {@code key=value} overrides on top.
 */
public final class RunConfigs {
    /** The recipe for data given without a recipe, a config file or a stored config. */
    public static final String DEFAULT_RECIPE = "auto";

    /** The resolved config, and whether the {@value #DEFAULT_RECIPE} recipe was chosen for it. */
    public record Resolved(TrainConfig config, boolean defaultRecipe) {}

    private RunConfigs() {}

    /**
     * Resolves a run's config, first match wins: {@code recipe} (a bundled recipes/NAME.yaml),
     * {@code configFile}, {@code stored} (the config of the run being resumed, read from its
     * checkpoint by the caller), the {@value #DEFAULT_RECIPE} recipe when {@code overrides} name
     * {@code data}, else the defaults; {@code overrides} apply on top of each.
     *
     * @param recipe a bundled recipe's name, or null
     * @param configFile a YAML config, or null
     * @param stored a resumed run's config, or null
     * @throws IllegalArgumentException for both a recipe and a config file, an unknown recipe, or
     *     an invalid config
     */
    public static Resolved resolve(
            String recipe, Path configFile, TrainConfig stored, Map<String, String> overrides) {
        if (recipe != null && configFile != null) {
            throw new IllegalArgumentException("give --recipe or --config, not both");
        }
        if (recipe != null) {
            return new Resolved(recipe(recipe, overrides), false);
        }
        if (configFile != null) {
            return new Resolved(TrainConfig.resolve(configFile, overrides), false);
        }
        if (stored != null) {
            return new Resolved(withOverrides(stored, overrides), false);
        }
        if (overrides.containsKey("data")) {
            return new Resolved(recipe(DEFAULT_RECIPE, overrides), true);
        }
        return new Resolved(TrainConfig.resolve((Path) null, overrides), false);
    }

    /** The bundled recipe {@code name} (recipes/NAME.yaml in the jar) with {@code overrides}. */
    public static TrainConfig recipe(String name, Map<String, String> overrides) {
        try (InputStream in = RunConfigs.class.getResourceAsStream("/recipes/" + name + ".yaml")) {
            if (in == null) {
                throw new IllegalArgumentException("no bundled recipe " + name);
            }
            return TrainConfig.resolve(in, overrides);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code base} with {@code overrides} applied and validated, as a YAML file would be. */
    private static TrainConfig withOverrides(TrainConfig base, Map<String, String> overrides) {
        try (InputStream in =
                new ByteArrayInputStream(base.toYaml().getBytes(StandardCharsets.UTF_8))) {
            return TrainConfig.resolve(in, overrides);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
