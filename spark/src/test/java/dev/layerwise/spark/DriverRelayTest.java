package dev.layerwise.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.layerwise.net.Network;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.tensor.DType;
import dev.layerwise.util.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The driver-relayed exchange gives the ring's result: with two workers each sum is the same two additions, so the
 * trained parameters agree bit for bit; each worker sends its whole gradient, as Base64, every step.
 */
class DriverRelayTest {
    private static final int FEATURES = 7;
    private static final int BATCH = 5;
    private static final int STEPS = 6; // few: each sum through the driver waits for Spark's barrier

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void twoWorkersThroughTheDriverTrainAsTheRingDoes(DType dtype) {
        Rng rng = new Rng(8);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 2 * BATCH * STEPS; i++) {
            double[] x = new double[FEATURES];
            for (int j = 0; j < FEATURES; j++) {
                x[j] = rng.nextGaussian();
            }
            rows.add(RowFactory.create(x, rng.nextInt(3)));
        }
        StructType schema = new StructType()
                .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
                .add("label", DataTypes.IntegerType, false);
        Dataset<Row> df = LocalSpark.session().createDataFrame(rows, schema);
        SparkTrainer.Result[] results = new SparkTrainer.Result[2];
        for (SparkTrainer.Exchange e : SparkTrainer.Exchange.values()) {
            results[e.ordinal()] = SparkTrainer.builder(new TwoLayerNet(FEATURES, 6, 3, 0.3, dtype, new Rng(2)))
                    .optimizer("sgd", Map.of("lr", 0.3)).workers(2).batchSize(BATCH).epochs(1).seed(4)
                    .exchange(e).recordDigests(true).build().fit(df, "features", "label");
        }
        Network ring = results[SparkTrainer.Exchange.RING.ordinal()].model().network();
        SparkTrainer.Result driver = results[SparkTrainer.Exchange.DRIVER.ordinal()];
        assertArrayEquals(Worker.digest(ring.parameters().flatValues()),
                Worker.digest(driver.model().network().parameters().flatValues()),
                "the driver relay's parameters differ from the ring's");
        for (int s = 0; s < STEPS; s++) {
            assertArrayEquals(driver.workers().get(0).digests().get(s), driver.workers().get(1).digests().get(s),
                    "the replicas differ after step " + (s + 1));
        }
        long gradientBytes = (long) ring.parameters().totalSize() * (dtype == DType.FLOAT32 ? 4 : 8);
        assertEquals(4 * ((gradientBytes + 2) / 3), driver.workers().get(0).bytesSentPerStep(),
                "a worker sends its whole gradient as Base64 each step");
    }
}
