package org.npid.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.npid.data.ImageFiles;
import org.npid.eval.Embeddings;
import org.npid.eval.ImageEmbedder;
import org.npid.index.ExactIndex;
import org.npid.index.Hit;
import org.npid.index.HnswIndex;
import org.npid.index.HnswParams;
import org.npid.index.Matrix;
import org.npid.index.Npy;
import org.npid.index.VectorIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code npid search}: the k nearest images of query rows or query images. */
@Command(
        name = "search",
        mixinStandardHelpOptions = true,
        description = {
            "Find the k most similar images (cosine) in embeddings written by `npid embed`, for"
                    + " query rows of that file or for new image files embedded with --checkpoint."
                    + " Backends: exact (one pass over all rows) or hnsw (Lucene HNSW, built once"
                    + " into --index-dir; --storage and --dims choose how its vectors are stored)."
        })
final class SearchCommand implements Callable<Integer> {
    enum Backend {
        exact,
        hnsw
    }

    @Spec CommandSpec spec;

    @Option(names = "--embeddings", required = true, paramLabel = "FILE.npy")
    Path embeddings;

    @Option(
            names = "--row",
            paramLabel = "N",
            description = "Query by row id of the embeddings (repeatable).")
    List<Integer> rows = new ArrayList<>();

    @Option(
            names = "--image",
            paramLabel = "FILE",
            description = "Query image file (repeatable; needs --checkpoint).")
    List<Path> images = new ArrayList<>();

    @Option(
            names = "--checkpoint",
            paramLabel = "FILE",
            description =
                    "Model that made the embeddings: a checkpoint, its run directory, or the .onnx"
                            + " model npid exported from it.")
    Path checkpoint;

    @Mixin InferenceEngine engine;

    @Option(
            names = "--k",
            defaultValue = "10",
            description = "Neighbours (default ${DEFAULT-VALUE}).")
    int k;

    @Option(
            names = "--backend",
            defaultValue = "exact",
            description = "exact or hnsw (default ${DEFAULT-VALUE}).")
    Backend backend;

    @Option(
            names = "--index-dir",
            paramLabel = "DIR",
            description = "HNSW index (built on first use; default FILE.hnsw).")
    Path indexDir;

    @Option(
            names = "--storage",
            paramLabel = "MODE",
            description =
                    "hnsw vectors: int8 (own int8 codes of the rows, centred and PCA-projected"
                            + " to --dims, compared by distance; no float copy: 100 to 125 bytes a"
                            + " row at 64 dims, graph included) or quantized_float (Lucene int7"
                            + " codes plus the float32 rows for re-ranking: about 680 bytes a row)."
                            + " An existing index must have been built with the same --storage and"
                            + " --dims (default ${DEFAULT-VALUE}; see docs/SEARCH.md).")
    HnswParams.Storage storage = HnswParams.defaults().storage();

    @Option(
            names = "--dims",
            paramLabel = "N",
            description =
                    "int8 only: keep the N leading principal axes (0 = all dims; default "
                            + HnswParams.DEFAULT_DIMS
                            + " for int8, 0 for quantized_float).")
    Integer dims;

    @Override
    public Integer call() throws IOException {
        if (rows.isEmpty() && images.isEmpty()) {
            throw new IllegalArgumentException("give at least one --row N or --image FILE");
        }
        Matrix base = Npy.read(embeddings);
        List<Embeddings.SidecarRow> sidecar = Embeddings.readSidecar(embeddings);
        List<float[]> queries = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int r : rows) {
            if (r < 0 || r >= base.rows()) {
                throw new IllegalArgumentException(
                        "--row " + r + " is outside 0.." + (base.rows() - 1));
            }
            queries.add(base.row(r));
            names.add("row " + r + describe(sidecar, r));
        }
        if (!images.isEmpty()) {
            if (checkpoint == null) {
                throw new IllegalArgumentException(
                        "--image needs --checkpoint (the model that made the embeddings)");
            }
            // The images take the channel count the model was trained with.
            try (ImageEmbedder model = engine.open(checkpoint, 0)) {
                // Another model's vectors live in another space: its neighbours would mean nothing.
                if (!Embeddings.madeBy(embeddings, model).orElse(true)) {
                    throw new IllegalArgumentException(
                            embeddings
                                    + " was embedded by another model than "
                                    + checkpoint
                                    + " (see "
                                    + Embeddings.modelOf(embeddings)
                                    + "): pass the --checkpoint that made it, or embed the images"
                                    + " again with this one");
                }
                if (model.embeddingDim() != base.cols()) {
                    throw new IllegalArgumentException(
                            checkpoint
                                    + " embeds in "
                                    + model.embeddingDim()
                                    + " dimensions but "
                                    + embeddings
                                    + " has "
                                    + base.cols()
                                    + ": pass the --checkpoint that made it");
                }
                ImageFiles files = ImageFiles.open(images, model.channels());
                float[] v = model.embed(files, 64, 0);
                for (int i = 0; i < files.size(); i++) {
                    float[] q = new float[base.cols()];
                    System.arraycopy(v, i * base.cols(), q, 0, base.cols());
                    queries.add(q);
                    names.add(files.source(i));
                }
            }
        }
        var out = spec.commandLine().getOut();
        try (VectorIndex index = open(base)) {
            for (int q = 0; q < queries.size(); q++) {
                out.println("query " + names.get(q));
                List<Hit> hits = index.search(queries.get(q), k);
                for (int i = 0; i < hits.size(); i++) {
                    Hit h = hits.get(i);
                    out.printf(
                            "  %2d  row %-7d score %.4f%s%n",
                            i + 1, h.id(), h.score(), describe(sidecar, h.id()));
                }
            }
        }
        return 0;
    }

    private VectorIndex open(Matrix base) {
        if (backend == Backend.exact) {
            return new ExactIndex(base);
        }
        Path dir =
                indexDir != null
                        ? indexDir
                        : embeddings.resolveSibling(embeddings.getFileName() + ".hnsw");
        HnswParams p = HnswParams.defaults().withStorage(storage);
        if (dims != null) {
            p = p.withDims(dims);
        }
        return HnswIndex.openOrBuild(dir, base, p, embeddings);
    }

    private static String describe(List<Embeddings.SidecarRow> sidecar, int row) {
        if (row >= sidecar.size() || sidecar.get(row) == null) {
            return "";
        }
        Embeddings.SidecarRow r = sidecar.get(row);
        return "  " + (r.className().isEmpty() ? "" : r.className() + "  ") + r.source();
    }
}
