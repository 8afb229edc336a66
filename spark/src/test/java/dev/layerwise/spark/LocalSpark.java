package dev.layerwise.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The one {@code local[2]} session the module's tests share: starting Spark costs far more than any of the tests, and
 * a JVM holds one SparkContext anyway. Spark stops it when the test JVM exits.
 */
final class LocalSpark {
    private LocalSpark() {
    }

    static synchronized SparkSession session() {
        return SparkSession.builder().master("local[2]").appName("layerwise-spark-tests")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.sql.warehouse.dir", System.getProperty("java.io.tmpdir") + "/layerwise-spark-warehouse")
                .getOrCreate();
    }
}
