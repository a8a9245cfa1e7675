package org.npid.spark;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the Spark session every npid job runs in: Spark embedded in this process ({@code local[*]})
 * unless a master was given here or by {@code spark-submit}, with the web UI on a local port and a
 * log line per finished stage.
 */
public final class SparkRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(SparkRuntime.class);

    /** The embedded default: every core of this machine, nothing to set up. */
    public static final String EMBEDDED = "local[*]";

    /**
     * Spark charges each file this many bytes when packing files into tasks (4 MB by default, sized
     * for large Parquet files): at that price a folder of 60,000 small JPEGs makes about 1,900
     * tasks. At 8 KB, about the size of one such image, it makes a few per core.
     */
    static final String FILE_OPEN_COST = "8192";

    private SparkRuntime() {}

    /**
     * The session for job {@code app}: on {@code master} when not null, else on the master {@code
     * spark-submit} set, else {@link #EMBEDDED}. {@code uiPort} 0 keeps Spark's default (4040, or
     * the next free port).
     */
    public static SparkSession open(String app, String master, int uiPort) {
        return open(app, master, uiPort, Map.of());
    }

    /**
     * As above, with Spark {@code settings} (spark-submit's {@code --conf}) over those of the
     * system properties.
     */
    public static SparkSession open(
            String app, String master, int uiPort, Map<String, String> settings) {
        SparkConf conf = new SparkConf(true);
        String chosen = master != null ? master : conf.get("spark.master", EMBEDDED);
        SparkSession.Builder builder =
                SparkSession.builder()
                        .appName("npid " + app)
                        .master(chosen)
                        .config("spark.ui.showConsoleProgress", "false")
                        .config("spark.sql.files.openCostInBytes", FILE_OPEN_COST);
        settings.forEach(builder::config);
        if (uiPort > 0) {
            builder.config("spark.ui.port", Integer.toString(uiPort));
        }
        SparkSession spark = builder.getOrCreate();
        // spark-submit's session was built before this one: its settings win, so set these again.
        spark.conf().set("spark.sql.files.openCostInBytes", FILE_OPEN_COST);
        spark.sparkContext().addSparkListener(new StageLog());
        String ui =
                spark.sparkContext().uiWebUrl().isDefined()
                        ? spark.sparkContext().uiWebUrl().get()
                        : "off (spark.ui.enabled=false)";
        LOG.info(
                "Spark {} on {} ({} task slots); progress in the Spark UI at {}",
                spark.version(),
                spark.sparkContext().master(),
                spark.sparkContext().defaultParallelism(),
                ui);
        return spark;
    }

    /** Names the Spark jobs that follow, in the UI and in the stage log, by what they do. */
    static void step(SparkSession spark, String what) {
        spark.sparkContext().setCallSite(what);
    }

    /**
     * Native threads for each task's network so that the tasks running at once share the cores
     * instead of each taking all of them.
     */
    static int threadsPerTask(SparkSession spark) {
        int cores = Runtime.getRuntime().availableProcessors();
        int slots =
                spark.sparkContext().isLocal()
                        ? spark.sparkContext().defaultParallelism()
                        : spark.sparkContext().conf().getInt("spark.executor.cores", 1);
        return Math.max(1, cores / Math.max(1, slots));
    }
}
