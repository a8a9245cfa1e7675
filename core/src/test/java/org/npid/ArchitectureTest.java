package org.npid;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * docs/ARCHITECTURE.md's package layers hold in the bytecode: each package depends only on the
 * packages of the lines below its own. The layers are read from the document, so the drawing and
 * the code cannot drift apart.
 */
class ArchitectureTest {
    private static final Path DOC = Path.of("..", "docs", "ARCHITECTURE.md");

    private static final JavaClasses CORE =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importPackages("org.npid");

    /** The {@code layers} block of the document: one list of packages per line, top first. */
    static List<List<String>> layers(String doc) {
        int start = doc.indexOf("```layers\n");
        assertThat(start).as("docs/ARCHITECTURE.md has a ```layers block").isNotNegative();
        int end = doc.indexOf("```", start + 10);
        List<List<String>> out = new ArrayList<>();
        for (String line : doc.substring(start + 10, end).split("\n", -1)) {
            if (!line.isBlank()) {
                out.add(Arrays.asList(line.trim().split("\\s+", -1)));
            }
        }
        return out;
    }

    @Test
    void everyPackageDependsOnlyOnTheLayersBelowIt() throws Exception {
        List<List<String>> layers = layers(Files.readString(DOC, StandardCharsets.UTF_8));
        Set<String> drawn = new TreeSet<>();
        layers.forEach(drawn::addAll);
        Set<String> real = new TreeSet<>();
        CORE.forEach(
                c -> {
                    String rest = c.getPackageName().substring("org.npid".length());
                    if (rest.startsWith(".")) {
                        real.add(rest.substring(1).split("\\.", -1)[0]);
                    }
                });
        assertThat(drawn).as("the packages the document draws").isEqualTo(real);
        for (int i = 0; i < layers.size(); i++) {
            for (String pkg : layers.get(i)) {
                List<String> forbidden = new ArrayList<>();
                for (int j = 0; j <= i; j++) {
                    for (String other : layers.get(j)) {
                        if (!other.equals(pkg)) {
                            forbidden.add("org.npid." + other + "..");
                        }
                    }
                }
                if (forbidden.isEmpty()) {
                    continue;
                }
                noClasses()
                        .that()
                        .resideInAPackage("org.npid." + pkg + "..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage(forbidden.toArray(new String[0]))
                        .because("docs/ARCHITECTURE.md draws " + pkg + " below them")
                        .check(CORE);
            }
        }
    }

    @Test
    void theLayersBlockIsReadLineByLine() {
        assertThat(layers("x\n```layers\na\nb c\n\n```\ny"))
                .containsExactly(List.of("a"), List.of("b", "c"));
    }
}
