package org.npid.spark;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.npid.eval.Embeddings;
import org.npid.index.Matrix;
import org.npid.index.Npy;

/**
 * The embeddings table as the single-machine tools read it: a {@code .npy} matrix in path order and
 * the same {@code .tsv} sidecar {@code npid embed} writes, for {@code npid search}, {@code npid
 * serve} and NumPy.
 */
public final class NpyExport {

    private NpyExport() {}

    /** Where the {@code .npy} of table {@code out} goes: beside it, {@code .parquet} dropped. */
    static Path npyOf(Path out) {
        String name = out.getFileName().toString();
        String stem = name.endsWith(".parquet") ? name.substring(0, name.length() - 8) : name;
        return out.resolveSibling(stem + ".npy");
    }

    /** The first line of the sidecar. */
    static final String SIDECAR_HEAD = "row\tlabel\tclass\tsource\n";

    /** The files written beside table {@code out} (on this machine), or none. */
    static List<LocalCopy.Beside> beside(String out) {
        Path local = LocalCopy.local(out);
        if (local == null) {
            return List.of();
        }
        Path npy = npyOf(local);
        return List.of(
                new LocalCopy.Beside(npy, new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'}),
                new LocalCopy.Beside(Embeddings.sidecarOf(npy), SIDECAR_HEAD));
    }

    /** Writes the {@code .npy} and sidecar of {@code table} (written at {@code out}), or null. */
    static Path write(
            SparkSession spark,
            Dataset<Row> table,
            String out,
            long rows,
            int dim,
            LocalCopy.Mode mode,
            List<String> inputs,
            boolean overwrite) {
        long bytes = rows * dim * 4L;
        Path local =
                rows > Integer.MAX_VALUE
                        ? null
                        : LocalCopy.target(out, bytes, mode, "OUT.npy", "--npy");
        if (local == null) {
            return null;
        }
        LocalCopy.checkBeside(beside(out), inputs, overwrite, "--npy");
        SparkRuntime.step(spark, "gather the rows for the .npy");
        Path npy = npyOf(local);
        float[] data = new float[Math.toIntExact(bytes / 4)];
        LocalCopy.writeText(
                Embeddings.sidecarOf(npy),
                w -> {
                    w.write(SIDECAR_HEAD);
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
                                        + LocalCopy.localPath(row.getString(row.fieldIndex("path")))
                                        + "\n");
                        r++;
                    }
                });
        Npy.write(npy, new Matrix((int) rows, dim, data), false);
        return npy;
    }
}
