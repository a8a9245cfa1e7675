package org.npid.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.fixtures.SyntheticIdx;
import org.npid.fixtures.TinyRun;

class RunReportTest {
    @TempDir Path tmp;

    @Test
    void rendersASelfContainedPage() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("d"), 24, 8, 16, 9);
        Path run = tmp.resolve("run");
        TinyRun.run(data, run, 2);
        Path html = RunReport.write(run, data, tmp.resolve("r.html"));
        String page = Files.readString(html);
        assertThat(page).startsWith("<!doctype html>").endsWith("</html>\n");
        // Curves, two retrieval grids, the map and the per-class bars: six inlined PNGs.
        assertThat(page.split("src=\"data:image/png;base64,", -1)).hasSize(7);
        assertThat(page)
                .contains("Confusion matrix")
                .contains("2-D map of the test embeddings (t-SNE)")
                .contains("batch_size: 32")
                .contains("trainImages");
        assertThat(page).doesNotContain("src=\"http");
    }

    @Test
    void escapesHtml() {
        assertThat(RunReport.escape("<a href=\"x\">&"))
                .isEqualTo("&lt;a href=&quot;x&quot;&gt;&amp;");
    }
}
