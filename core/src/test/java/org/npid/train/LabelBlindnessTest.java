package org.npid.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.npid.checkpoint.Checkpoint;
import org.npid.data.Datasets;
import org.npid.data.ImageDataset;
import org.npid.data.Split;
import org.npid.fixtures.SyntheticIdx;
import org.npid.fixtures.TinyRun;

/**
 * Training never reads a label, whatever the objective and wherever the neighbours come from: the
 * same images under other training labels give a byte-identical checkpoint. Labels are read beside
 * training (the kNN after each epoch, the neighbours' class share in the log), and that is where
 * one could leak in.
 */
class LabelBlindnessTest {
    private static final int NEIGHBOURS = 5;

    @TempDir static Path tmp;
    static Path data;
    static Path relabelled;
    static Path table;

    @BeforeAll
    static void makeData() throws Exception {
        data = SyntheticIdx.write(tmp.resolve("synthetic"), 16, 8, 16, 1);
        relabelled = tmp.resolve("relabelled");
        Files.createDirectories(relabelled);
        try (var files = Files.list(data)) {
            for (Path f : files.toList()) {
                Files.copy(f, relabelled.resolve(f.getFileName()));
            }
        }
        // Every label changes, by 1 to 3 depending on the image, so the classes are not merely
        // renamed: a class share computed from them changes too.
        Path labels = relabelled.resolve("train-labels-idx1-ubyte");
        byte[] b = Files.readAllBytes(labels);
        for (int i = 8; i < b.length; i++) {
            b[i] = (byte) ((b[i] + 1 + i % 3) % SyntheticIdx.CLASSES);
        }
        Files.write(labels, b);
        ImageDataset train = Datasets.open(data, Split.TRAIN);
        ImageDataset other = Datasets.open(relabelled, Split.TRAIN);
        for (int i = 0; i < train.size(); i++) {
            assertThat(other.label(i)).isNotEqualTo(train.label(i));
        }
        table = neighbourTable(train, tmp.resolve("neighbours.tsv"));
    }

    /**
     * A table as {@code npid-spark neighbours} writes it, naming each image's next five by index:
     * the same table for both label sets, as a table made without labels would be.
     */
    private static Path neighbourTable(ImageDataset train, Path file) throws Exception {
        int n = train.size();
        StringBuilder sb = new StringBuilder("id\tsource\tneighbours\n");
        for (int i = 0; i < n; i++) {
            sb.append(i).append('\t').append(train.source(i)).append('\t');
            for (int j = 1; j <= NEIGHBOURS; j++) {
                sb.append(j > 1 ? "," : "").append((i + j) % n);
            }
            sb.append('\n');
        }
        Files.writeString(file, sb, StandardCharsets.UTF_8);
        return file;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "softmax|",
                "nce|objective.loss=nce objective.nce_noise=8",
                "nce, the paper's one-shot Z, gathered noise|objective.loss=nce"
                        + " objective.nce_noise=8 objective.nce_z_momentum=0"
                        + " objective.nce_scoring=gather",
                "parametric|objective.loss=parametric bank.fp16=false",
                "two views|objective.views=2",
                "pixel neighbours|objective.neighbour_source=pixels",
                "feature neighbours|objective.neighbour_source=features",
                "pixel and feature neighbours|objective.neighbour_source=pixels_and_features",
                "bank neighbours|objective.neighbour_source=bank",
                "table neighbours|objective.neighbour_source=table",
                "auto neighbours|objective.neighbour_source=auto",
                "auto neighbours with two views|objective.neighbour_source=auto objective.views=2"
                        + " evaluation.at_start=true evaluation.features=backbone"
            })
    void labelsNeverReachTraining(String name, String settings) throws Exception {
        List<String> keyValues = new ArrayList<>();
        if (settings != null) {
            Pattern.compile("\\s+")
                    .splitAsStream(settings.trim())
                    .forEach(
                            setting -> {
                                int eq = setting.indexOf('=');
                                keyValues.add(setting.substring(0, eq));
                                keyValues.add(setting.substring(eq + 1));
                            });
            if (settings.contains("neighbour_source")) {
                keyValues.addAll(
                        List.of(
                                "objective.neighbours",
                                Integer.toString(NEIGHBOURS),
                                "objective.neighbours_from_epoch",
                                "1"));
            }
            if (settings.contains("neighbour_source=table")) {
                keyValues.addAll(List.of("objective.neighbour_table", table.toString()));
            }
        }
        String dir = name.replaceAll("[^A-Za-z]+", "-");
        Run a = train(data, tmp.resolve(dir + "-a"), keyValues);
        Run b = train(relabelled, tmp.resolve(dir + "-b"), keyValues);

        assertThat(a.entries).containsKeys(Checkpoint.MODEL, Checkpoint.BANK, Checkpoint.OPTIMIZER);
        assertThat(b.entries).isEqualTo(a.entries);
        // The runs did read the labels beside training: the kNN after the epoch, and for the
        // neighbour sources that search a table, the share of neighbours of the image's own class.
        assertThat(a.result.last().bankTop1()).isNotNaN();
        if (settings != null && settings.contains("neighbour_source") && !name.startsWith("bank")) {
            assertThat(a.messages)
                    .anyMatch(m -> m.startsWith("neighbours of the image's own class"));
            assertThat(b.messages)
                    .anyMatch(m -> m.startsWith("neighbours of the image's own class"));
        }
    }

    /**
     * A run's result, what it logged, and the SHA-256 of each of its checkpoint's entries but those
     * that name the data's directory.
     */
    private record Run(TrainResult result, List<String> messages, Map<String, String> entries) {}

    private static Run train(Path images, Path runDir, List<String> keyValues) throws Exception {
        List<String> all = new ArrayList<>(List.of("knn_recompute_at_end", "false"));
        all.addAll(keyValues);
        List<String> messages = new ArrayList<>();
        TrainResult r =
                NpidTraining.run(
                        TinyRun.config(images, runDir, 1, all.toArray(new String[0])),
                        false,
                        new TrainListener() {
                            @Override
                            public void onMessage(String message) {
                                messages.add(message);
                            }
                        });
        Map<String, String> entries = new TreeMap<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(r.checkpoint()))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                // The config and the data's identity name the data's directory, which differs; the
                // metrics rows hold the kNN figures, which are measured with the labels.
                if (!e.getName().equals(Checkpoint.CONFIG)
                        && !e.getName().equals(Checkpoint.DATA)
                        && !e.getName().equals(Checkpoint.METRICS)) {
                    entries.put(
                            e.getName(),
                            HexFormat.of()
                                    .formatHex(
                                            MessageDigest.getInstance("SHA-256")
                                                    .digest(in.readAllBytes())));
                }
            }
        }
        return new Run(r, messages, entries);
    }
}
