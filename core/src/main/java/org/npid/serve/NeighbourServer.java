package org.npid.serve;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.UploadedFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.npid.data.DataException;
import org.npid.data.ImageDataset;
import org.npid.data.ImageFiles;
import org.npid.eval.ImageEmbedder;
import org.npid.index.ExactIndex;
import org.npid.index.Hit;
import org.npid.index.Matrix;
import org.npid.index.VectorIndex;

/**
 * A small local web page and JSON API over a trained model: pick a test image or upload one, and
 * see its nearest training images with their cosine scores. Binds to 127.0.0.1 unless told
 * otherwise; every path parameter is validated (split names from a fixed set, numeric ids in
 * range), so no request reaches the file system, and uploads are size-limited and must decode as an
 * image.
 */
public final class NeighbourServer implements AutoCloseable {
    private static final String NOT_AN_IMAGE =
            "not an image npid reads (JPEG, PNG, BMP, GIF, WebP or TIFF)";

    /** Uploads above this are refused with 413. */
    public static final int MAX_UPLOAD_BYTES = 4 << 20;

    /**
     * Uploads whose header claims more pixels than this are refused with 413 before decoding: a
     * small file can declare 30000 × 30000 pixels, and four such decodes at once exhaust the heap.
     */
    public static final long MAX_PIXELS = 50_000_000L;

    private static final int MAX_K = 100;
    private final ImageEmbedder model;
    private final ImageDataset gallery;
    private final ImageDataset queries;
    private final VectorIndex index;
    private final Javalin app;

    private NeighbourServer(
            ImageEmbedder model, ImageDataset gallery, ImageDataset queries, float[] features) {
        this.model = model;
        this.gallery = gallery;
        this.queries = queries;
        int d = features.length / gallery.size();
        this.index = new ExactIndex(new Matrix(gallery.size(), d, features));
        this.app =
                Javalin.create(
                        c -> {
                            c.showJavalinBanner = false;
                            c.http.maxRequestSize = MAX_UPLOAD_BYTES + 64 * 1024L;
                        });
        app.get("/", this::page);
        app.get("/api/info", this::info);
        app.get("/api/test/{id}/neighbours", this::testNeighbours);
        app.post("/api/search", this::upload);
        app.get("/image/{split}/{id}", this::image);
        app.exception(BadRequest.class, (e, ctx) -> error(ctx, e.status, e.getMessage()));
        app.exception(
                Exception.class,
                (e, ctx) ->
                        error(
                                ctx,
                                HttpStatus.INTERNAL_SERVER_ERROR,
                                "internal error: " + e.getMessage()));
        app.error(
                404,
                ctx -> {
                    if (ctx.result() == null) {
                        error(ctx, HttpStatus.NOT_FOUND, "no such page: " + ctx.path());
                    }
                });
    }

    /**
     * Embeds {@code gallery} with the model and starts serving on {@code host:port} (port 0 picks a
     * free one).
     */
    public static NeighbourServer start(
            ImageEmbedder model,
            ImageDataset gallery,
            ImageDataset queries,
            String host,
            int port) {
        float[] features = model.embed(gallery, 256, 2);
        NeighbourServer s = new NeighbourServer(model, gallery, queries, features);
        s.app.start(host, port);
        return s;
    }

    public int port() {
        return app.port();
    }

    private void page(Context ctx) {
        try (InputStream in = NeighbourServer.class.getResourceAsStream("/serve/index.html")) {
            ctx.html(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void info(Context ctx) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("gallery", gallery.size());
        m.put("queries", queries.size());
        m.put("classes", gallery.classNames());
        ctx.json(m);
    }

    private void testNeighbours(Context ctx) {
        int id = id(ctx, queries);
        int k = k(ctx);
        float[] v = model.embed(new One(queries, id), 1, 0);
        ctx.json(result("/image/test/" + id, queries.label(id), index.search(v, k)));
    }

    private void upload(Context ctx) throws IOException {
        if (ctx.contentLength() > MAX_UPLOAD_BYTES) {
            throw new BadRequest(
                    HttpStatus.CONTENT_TOO_LARGE,
                    "upload is larger than " + MAX_UPLOAD_BYTES / (1 << 20) + " MB");
        }
        UploadedFile file = ctx.uploadedFile("image");
        if (file == null) {
            throw new BadRequest(
                    HttpStatus.BAD_REQUEST, "send the image as multipart field 'image'");
        }
        if (file.size() > MAX_UPLOAD_BYTES) {
            throw new BadRequest(
                    HttpStatus.CONTENT_TOO_LARGE,
                    "upload is larger than " + MAX_UPLOAD_BYTES / (1 << 20) + " MB");
        }
        Path tmp = Files.createTempFile("npid-upload", ".img");
        try {
            try (InputStream in = file.content()) {
                Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            checkPixels(tmp);
            ImageFiles images;
            try {
                images = ImageFiles.open(List.of(tmp), gallery.channels());
            } catch (DataException e) {
                BadRequest bad = new BadRequest(HttpStatus.UNSUPPORTED_MEDIA_TYPE, NOT_AN_IMAGE);
                bad.initCause(e);
                throw bad;
            }
            float[] v = model.embed(images, 1, 0);
            ctx.json(result(null, -1, index.search(v, k(ctx))));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads only the image header and refuses an image too large to decode safely. */
    private static void checkPixels(Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new BadRequest(HttpStatus.UNSUPPORTED_MEDIA_TYPE, NOT_AN_IMAGE);
            }
            ImageReader reader = readers.next();
            long width;
            long height;
            try {
                reader.setInput(in, true, true);
                width = reader.getWidth(0);
                height = reader.getHeight(0);
            } catch (IOException | RuntimeException e) {
                BadRequest bad = new BadRequest(HttpStatus.UNSUPPORTED_MEDIA_TYPE, NOT_AN_IMAGE);
                bad.initCause(e);
                throw bad;
            } finally {
                reader.dispose();
            }
            if (width * height > MAX_PIXELS) {
                throw new BadRequest(
                        HttpStatus.CONTENT_TOO_LARGE,
                        String.format(
                                Locale.ROOT,
                                "the image is %d × %d pixels (%.0f megapixels); the server decodes"
                                        + " at most %d megapixels: send a smaller copy",
                                width,
                                height,
                                width * height / 1e6,
                                MAX_PIXELS / 1_000_000));
            }
        }
    }

    private void image(Context ctx) throws IOException {
        String split = ctx.pathParam("split");
        ImageDataset ds =
                switch (split) {
                    case "train" -> gallery;
                    case "test" -> queries;
                    default ->
                            throw new BadRequest(
                                    HttpStatus.BAD_REQUEST, "split must be train or test");
                };
        int id = id(ctx, ds);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(ds.image(id).toBufferedImage(), "png", out);
        ctx.contentType("image/png").result(out.toByteArray());
    }

    private Map<String, Object> result(String queryImage, int queryLabel, List<Hit> hits) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (queryImage != null) {
            m.put("query", Map.of("image", queryImage, "label", className(queryLabel)));
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Hit h : hits) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", h.id());
            r.put("score", h.score());
            r.put("label", className(gallery.label(h.id())));
            r.put("image", "/image/train/" + h.id());
            rows.add(r);
        }
        m.put("neighbours", rows);
        return m;
    }

    private String className(int label) {
        return label >= 0 && label < gallery.classNames().size()
                ? gallery.classNames().get(label)
                : "";
    }

    private static int id(Context ctx, ImageDataset ds) {
        String raw = ctx.pathParam("id");
        if (!raw.matches("\\d{1,9}")) {
            throw new BadRequest(HttpStatus.BAD_REQUEST, "id must be a number");
        }
        int id = Integer.parseInt(raw);
        if (id >= ds.size()) {
            throw new BadRequest(
                    HttpStatus.NOT_FOUND, "id " + id + " is outside 0.." + (ds.size() - 1));
        }
        return id;
    }

    private static int k(Context ctx) {
        String raw = ctx.queryParam("k");
        if (raw == null) {
            return 10;
        }
        if (!raw.matches("\\d{1,3}")
                || Integer.parseInt(raw) < 1
                || Integer.parseInt(raw) > MAX_K) {
            throw new BadRequest(HttpStatus.BAD_REQUEST, "k must be between 1 and " + MAX_K);
        }
        return Integer.parseInt(raw);
    }

    private static void error(Context ctx, HttpStatus status, String message) {
        ctx.status(status).json(Map.of("error", message));
    }

    @Override
    public void close() {
        app.stop();
        index.close();
    }

    /** A request error with the status to send. */
    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient HttpStatus status;

        BadRequest(HttpStatus status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** One image of a data set, as a data set. */
    private record One(ImageDataset base, int id) implements ImageDataset {
        @Override
        public int size() {
            return 1;
        }

        @Override
        public int channels() {
            return base.channels();
        }

        @Override
        public int label(int index) {
            return base.label(id);
        }

        @Override
        public List<String> classNames() {
            return base.classNames();
        }

        @Override
        public org.npid.data.Image image(int index) {
            return base.image(id);
        }

        @Override
        public String source(int index) {
            return base.source(id);
        }
    }
}
