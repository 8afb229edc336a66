package dev.layerwise.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.layerwise.net.Network;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.optim.SGD;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.testing.Fixtures;
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
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Synchronous data-parallel training on {@code local[2]} is single-process training on the concatenated batches: two
 * workers with batches of b, 50 SGD steps, against one process stepping on the 2b rows the two workers drew.
 */
class DataParallelTrainingTest {
    private static final int WORKERS = 2;
    private static final int BATCH = 6;
    private static final int STEPS = 50;
    private static final int FEATURES = 12;
    private static final int CLASSES = 4;

    @ParameterizedTest
    @CsvSource({"FLOAT64, 1e-12", "FLOAT32, 1e-5"})
    void fiftyStepsOnTwoWorkersAreOneProcessOnTheConcatenatedBatches(DType dtype, double rtol) {
        int rows = WORKERS * BATCH * STEPS; // one epoch of exactly 50 steps
        Rng data = new Rng(3);
        double[][] x = new double[rows][FEATURES];
        int[] t = new int[rows];
        List<Row> list = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < FEATURES; j++) {
                x[i][j] = data.nextGaussian();
            }
            t[i] = data.nextInt(CLASSES);
            list.add(RowFactory.create(x[i], t[i]));
        }
        StructType schema = new StructType()
                .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
                .add("label", DataTypes.IntegerType, false);
        // A local list keeps its order, and row i of the dataset's order goes to worker i mod 2.
        Dataset<Row> df = LocalSpark.session().createDataFrame(list, schema);

        Network start = new TwoLayerNet(FEATURES, 10, CLASSES, 0.5, dtype, new Rng(11));
        SparkTrainer.Result result = SparkTrainer.builder(start).optimizer("sgd", Map.of("lr", 0.2))
                .workers(WORKERS).batchSize(BATCH).epochs(1).seed(5).recordDigests(true).build()
                .fit(df, "features", "label");
        assertEquals(STEPS, result.stepsPerEpoch());

        // The reference: worker r holds rows r, r + 2, r + 4, … and walks its shard in shardOrder.
        Network ref = new TwoLayerNet(FEATURES, 10, CLASSES, 0.5, dtype, new Rng(11));
        SGD sgd = new SGD(0.2);
        int shard = rows / WORKERS;
        int[][] orders = new int[WORKERS][];
        for (int r = 0; r < WORKERS; r++) {
            orders[r] = SparkTrainer.shardOrder(5, r, 0, shard);
        }
        double[] refLosses = new double[STEPS];
        for (int s = 0; s < STEPS; s++) {
            double[] xb = new double[WORKERS * BATCH * FEATURES];
            int[] tb = new int[WORKERS * BATCH];
            for (int r = 0; r < WORKERS; r++) {
                for (int k = 0; k < BATCH; k++) {
                    int global = orders[r][s * BATCH + k] * WORKERS + r;
                    int at = r * BATCH + k;
                    System.arraycopy(x[global], 0, xb, at * FEATURES, FEATURES);
                    tb[at] = t[global];
                }
            }
            refLosses[s] = ref.gradient(Tensor.of(dtype, xb, WORKERS * BATCH, FEATURES), Labels.of(tb));
            sgd.update(ref.parameters());
        }

        Network trained = result.model().network();
        for (String name : ref.parameters().names()) {
            Fixtures.assertClose(ref.parameters().get(name).value(), trained.parameters().get(name).value(), rtol,
                    dtype + " " + name + " after " + STEPS + " steps");
        }
        for (int s = 0; s < STEPS; s++) {
            Fixtures.assertClose(refLosses[s], result.losses()[s], rtol, "loss of step " + (s + 1));
        }
        List<SparkTrainer.Report> reports = result.workers();
        assertEquals(WORKERS, reports.size());
        for (int s = 0; s < STEPS; s++) {
            assertArrayEquals(reports.get(0).digests().get(s), reports.get(1).digests().get(s),
                    "the replicas differ after step " + (s + 1));
        }
        assertEquals(STEPS, reports.get(1).digests().size());
        int item = dtype == DType.FLOAT32 ? 4 : 8;
        int size = ref.parameters().totalSize();
        assertEquals(size * item, reports.get(0).bytesSentPerStep(), item,
                "a worker sends 2(N-1)/N of the gradient per step");
    }
}
