package org.npid.spark;

import org.apache.spark.sql.SparkSession;

/** The embedded Spark of the tests: two task slots, no web UI. */
final class SparkTests {
    private SparkTests() {}

    static SparkSession local() {
        System.setProperty("spark.ui.enabled", "false");
        return SparkRuntime.open("test", "local[2]", 0);
    }
}
