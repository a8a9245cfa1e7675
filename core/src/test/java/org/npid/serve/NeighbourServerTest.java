package org.npid.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.data.Datasets;
import org.npid.data.Split;
import org.npid.eval.TrainedModel;
import org.npid.fixtures.Dependency;
import org.npid.fixtures.SyntheticIdx;
import org.npid.fixtures.TinyRun;

class NeighbourServerTest {
    @TempDir static Path tmp;
    static TrainedModel model;
    static NeighbourServer server;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("d"), 16, 4, 16, 2);
        Path run = tmp.resolve("run");
        TinyRun.run(data, run, 1, "batch_size", "16", "knn_k", "5");
        model = TrainedModel.load(run, 1);
        server =
                NeighbourServer.start(
                        model,
                        Datasets.open(data, Split.TRAIN),
                        Datasets.open(data, Split.TEST),
                        "127.0.0.1",
                        0);
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> upload(byte[] bytes) throws Exception {
        String boundary = "npidtestboundary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(
                ("--"
                                + boundary
                                + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"q.png\"\r\n"
                                + "Content-Type: application/octet-stream\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        body.write(bytes);
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return HTTP.send(
                HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + server.port() + "/api/search?k=3"))
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void pageAndNeighboursOfATestImage() throws Exception {
        assertThat(get("/").body()).contains("npid: nearest training images");
        HttpResponse<String> r = get("/api/test/3/neighbours?k=4");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body().split("\"score\"", -1)).hasSize(5);
        assertThat(get("/image/train/0").headers().firstValue("content-type"))
                .hasValue("image/png");
    }

    @Test
    void uploadOfARealImageFindsNeighbours() throws Exception {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        HttpResponse<String> r = upload(png.toByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body().split("\"score\"", -1)).hasSize(4);
    }

    @Test
    void rejectsBadInputWithClearErrors() throws Exception {
        assertThat(get("/image/..%2F..%2Fetc/passwd").statusCode()).isIn(400, 404);
        assertThat(get("/image/../../etc/passwd").statusCode()).isIn(400, 404);
        assertThat(get("/image/secret/1").statusCode()).isEqualTo(400);
        assertThat(get("/image/train/abc").body()).contains("id must be a number");
        assertThat(get("/image/train/99999").statusCode()).isEqualTo(404);
        assertThat(get("/api/test/1/neighbours?k=5000").body()).contains("k must be between");
        HttpResponse<String> notImage =
                upload("hello, not an image".getBytes(StandardCharsets.UTF_8));
        assertThat(notImage.statusCode()).isEqualTo(415);
        assertThat(notImage.body()).contains("not an image npid reads");
        HttpResponse<String> big = upload(new byte[NeighbourServer.MAX_UPLOAD_BYTES + 1024]);
        assertThat(big.statusCode()).isEqualTo(413);
    }

    @Test
    void aSmallFileDeclaringHugeDimensionsIsRefusedBeforeDecoding() throws Exception {
        HttpResponse<String> r = upload(pngHeader(30000, 30000));
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).contains("30000 × 30000", "at most 50 megapixels");
    }

    /** The first bytes of a PNG: signature and header chunk, no pixels. */
    private static byte[] pngHeader(int width, int height) {
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width).putInt(height);
        ihdr.put(new byte[] {8, 2, 0, 0, 0});
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(ihdr.array());
        java.nio.ByteBuffer png = java.nio.ByteBuffer.allocate(8 + 4 + 17 + 4);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        png.putInt(13).put(ihdr.array()).putInt((int) crc.getValue());
        return png.array();
    }

    /**
     * End to end in a real browser: Debian's chromium, installed by .ci/run; skipped without it,
     * failed without it where NPID_REQUIRE names it.
     */
    @Test
    void headlessChromiumShowsTheNeighbours() throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        Dependency.CHROMIUM.assume(
                java.nio.file.Files.isExecutable(chromium), "no executable " + chromium);
        Process p =
                new ProcessBuilder(
                                chromium.toString(),
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-quic",
                                "--no-first-run",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--user-data-dir=" + tmp.resolve("chromium-profile"),
                                "--virtual-time-budget=10000",
                                "--dump-dom",
                                "http://127.0.0.1:" + server.port() + "/?id=2")
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        // Rendered results, not the script's template: captions start with a real row id.
        assertThat(dom).containsPattern("<figcaption>query<br>\\w");
        assertThat(
                        java.util.regex.Pattern.compile("<figcaption>#\\d+ ")
                                .matcher(dom)
                                .results()
                                .count())
                .isEqualTo(10);
    }
}
