package org.npid.spark;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.npid.eval.Embeddings;
import org.npid.index.Matrix;
import org.npid.index.Npy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embeddings table as the single-machine tools read it: a {@code .npy} matrix in path order and
 * the same {@code .tsv} sidecar {@code npid embed} writes, for {@code npid search}, {@code npid
 * serve} and NumPy.
 */
public final class NpyExport {
    private static final Logger LOG = LoggerFactory.getLogger(NpyExport.class);

    /** When to write the {@code .npy}. */
    public enum Mode {
        /** When the output is on this machine's disk and the matrix fits a quarter of the heap. */
        AUTO,
        ALWAYS,
        NEVER
    }

    private NpyExport() {}

    /** Where the {@code .npy} of table {@code out} goes: beside it, {@code .parquet} dropped. */
    static Path npyOf(Path out) {
        String name = out.getFileName().toString();
        String stem = name.endsWith(".parquet") ? name.substring(0, name.length() - 8) : name;
        return out.resolveSibling(stem + ".npy");
    }

    /** Writes the {@code .npy} and sidecar of {@code table} (written at {@code out}), or null. */
    static Path write(
            SparkSession spark, Dataset<Row> table, String out, long rows, int dim, Mode mode) {
        URI uri = new org.apache.hadoop.fs.Path(out).toUri();
        boolean local = uri.getScheme() == null || "file".equals(uri.getScheme());
        long bytes = rows * dim * 4L;
        boolean fits = rows <= Integer.MAX_VALUE && bytes <= Runtime.getRuntime().maxMemory() / 4;
        if (mode == Mode.NEVER || (mode == Mode.AUTO && !(local && fits))) {
            if (mode == Mode.AUTO) {
                LOG.info(
                        "no .npy written: {}",
                        local
                                ? bytes + " bytes is over a quarter of the heap"
                                : out + " is not on this machine");
            }
            return null;
        }
        if (!local) {
            throw new IllegalArgumentException(
                    "--npy always: "
                            + out
                            + " is not on this machine's disk; write the table locally or use --npy never");
        }
        SparkRuntime.step(spark, "gather the rows for the .npy");
        Path npy = npyOf(Path.of(uri.getPath()));
        float[] data = new float[Math.toIntExact(bytes / 4)];
        Path sidecar = Embeddings.sidecarOf(npy);
        Path tmp = null;
        try {
            tmp =
                    Files.createTempFile(
                            sidecar.toAbsolutePath().getParent(),
                            sidecar.getFileName().toString(),
                            ".tmp");
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write("row\tlabel\tclass\tsource\n");
                Iterator<Row> it = table.orderBy("path").toLocalIterator();
                int r = 0;
                while (it.hasNext()) {
                    Row row = it.next();
                    List<Float> v = row.getList(row.fieldIndex("vector"));
                    for (int j = 0; j < dim; j++) {
                        data[r * dim + j] = v.get(j);
                    }
                    w.write(
                            r
                                    + "\t"
                                    + row.getInt(row.fieldIndex("label"))
                                    + "\t"
                                    + row.getString(row.fieldIndex("class"))
                                    + "\t"
                                    + localPath(row.getString(row.fieldIndex("path")))
                                    + "\n");
                    r++;
                }
            }
            Npy.write(npy, new Matrix((int) rows, dim, data), false);
            Npy.moveIntoPlace(tmp, sidecar);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + sidecar + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // The write already failed; that error is the one to report.
                }
            }
        }
        LOG.info("wrote {} and {}", npy, sidecar);
        return npy;
    }

    /** A {@code file:} path as this machine names the file. */
    static String localPath(String sparkPath) {
        URI uri = new org.apache.hadoop.fs.Path(sparkPath).toUri();
        return "file".equals(uri.getScheme()) ? uri.getPath() : sparkPath;
    }
}
