package org.npid.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.npid.index.ExactIndex;
import org.npid.index.Neighbours;
import scala.Tuple2;

/**
 * Exact top-k of every query row among the base rows, as a blocked all-pairs join: the queries are
 * cut into blocks of {@value #QUERY_ROWS} rows and the base into a few large blocks of at most
 * {@code blockRows} rows, every (query block, base block) pair is searched exactly on its executor
 * (a matrix product and a top-k scan, through {@link ExactIndex}), and the per-pair lists are
 * merged per query block. Memory per task is one base block, one query block and their candidate
 * lists, whatever the tables' sizes; the merge is exact, so the result equals one search over the
 * whole base.
 *
 * <p>Large base blocks matter: each search has a fixed cost (setting up the native blocks and the
 * per-query buffers) that 4,096 base rows do not repay (4,096 queries: 0.20 s a pair, 21 GFLOP/s on
 * one Zen 3 core) and 61,440 do (1.44 s, 44 GFLOP/s).
 */
final class BlockedTopK {
    /** Query rows per block: 4,096 × 128 floats is 2 MB, and its candidates at k = 200 13 MB. */
    static final int QUERY_ROWS = 4096;

    /** The default cap on a base block: 65,536 × 128 floats is 32 MB. */
    static final int BLOCK_ROWS = 65_536;

    private BlockedTopK() {}

    /**
     * Each query's {@code k} best base rows (dot product, so cosine for unit vectors), keyed by the
     * query block's first id; {@code excludeSelf} leaves out the base row with the query's own id
     * (for a table searched against itself).
     */
    static Search search(
            JavaRDD<VectorRow> queries,
            JavaRDD<VectorRow> base,
            int k,
            boolean excludeSelf,
            int blockRows,
            int threads) {
        if (k < 1) {
            throw new IllegalArgumentException("--k must be >= 1, got " + k);
        }
        if (blockRows < 1) {
            throw new IllegalArgumentException("block rows must be >= 1, got " + blockRows);
        }
        SparkRuntime.step(SparkSession.active(), "cut the tables into blocks");
        int slots = queries.context().defaultParallelism();
        // About √slots base blocks and slots/√slots query partitions: every slot has a task, and
        // each query meets few base blocks, so few partial lists per query cross the shuffle.
        int baseParts = Math.max(1, (int) Math.floor(Math.sqrt(slots)));
        long baseCount = base.count();
        int baseRows =
                (int) Math.max(1, Math.min(blockRows, (baseCount + baseParts - 1) / baseParts));
        JavaRDD<VectorBlock> q =
                blocks(
                        queries,
                        queries.count(),
                        Math.min(QUERY_ROWS, blockRows),
                        Math.max(1, slots / baseParts));
        JavaRDD<VectorBlock> b = blocks(base, baseCount, baseRows, baseParts);
        SparkRuntime.step(SparkSession.active(), "search the block pairs, merge their top k");
        JavaPairRDD<Long, Candidates> lists =
                q.cartesian(b)
                        .mapPartitionsToPair(pairs -> searchPairs(pairs, k, excludeSelf, threads))
                        .reduceByKey(Candidates::merge);
        return new Search(lists, q, b);
    }

    /** The merged lists, and the cached blocks they are computed from until closed. */
    record Search(
            JavaPairRDD<Long, Candidates> lists,
            JavaRDD<VectorBlock> queries,
            JavaRDD<VectorBlock> base)
            implements AutoCloseable {
        @Override
        public void close() {
            queries.unpersist(false);
            base.unpersist(false);
        }
    }

    /** The table cut into blocks of consecutive ids, a few per partition, kept for the join. */
    private static JavaRDD<VectorBlock> blocks(
            JavaRDD<VectorRow> rows, long count, int blockRows, int partitionsWanted) {
        int blocks = (int) Math.max(1, (count + blockRows - 1) / blockRows);
        int partitions = Math.max(1, Math.min(blocks, partitionsWanted));
        return rows.keyBy(r -> r.id() / blockRows)
                .groupByKey(new HashPartitioner(partitions))
                .map(g -> VectorBlock.of(g._2()))
                .persist(StorageLevel.MEMORY_AND_DISK());
    }

    /**
     * Searches every (query block, base block) pair of one task, merging on the spot the lists of a
     * query block that meets several base blocks here, so the shuffle carries one list per query
     * block per task.
     */
    private static Iterator<Tuple2<Long, Candidates>> searchPairs(
            Iterator<Tuple2<VectorBlock, VectorBlock>> pairs,
            int k,
            boolean excludeSelf,
            int threads) {
        ExecutorModels.configureThreads(threads);
        Map<Long, Candidates> merged = new LinkedHashMap<>();
        while (pairs.hasNext()) {
            Tuple2<VectorBlock, VectorBlock> pair = pairs.next();
            VectorBlock qb = pair._1();
            VectorBlock bb = pair._2();
            if (qb.rows() == 0 || bb.rows() == 0) {
                continue;
            }
            int kk = Math.min(bb.rows(), k + (excludeSelf ? 1 : 0));
            Neighbours found;
            try (ExactIndex index = new ExactIndex(bb.matrix(), threads)) {
                found = index.searchAll(qb.matrix(), kk);
            }
            Candidates c = Candidates.of(qb, bb, found, k, excludeSelf);
            merged.merge(qb.ids[0], c, Candidates::merge);
        }
        List<Tuple2<Long, Candidates>> out = new ArrayList<>(merged.size());
        merged.forEach((id, c) -> out.add(new Tuple2<>(id, c)));
        return out.iterator();
    }
}
