package dev.layerwise.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.net.MultiLayerNetExtend;
import dev.layerwise.net.Network;
import dev.layerwise.optim.SGD;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Ops;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.testing.Fixtures;
import dev.layerwise.util.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Dropout and batch normalisation on two workers, against a simulation of the two replicas in one process: dropout
 * masks seeded by (seed, rank, step), so the workers drop different units and a run repeats exactly; batch-norm
 * running statistics kept per replica during an epoch and averaged at its end.
 */
class DropoutAndBatchNormTest {
    private static final int WORKERS = 2;
    private static final int BATCH = 5;
    private static final int STEPS = 8;
    private static final int EPOCHS = 2;
    private static final int FEATURES = 6;
    private static final int CLASSES = 3;
    private static final long SEED = 9;

    private static MultiLayerNetExtend network() {
        return new MultiLayerNetExtend(FEATURES, List.of(8, 8), CLASSES, MultiLayerNetExtend.Options.defaults()
                .withBatchnorm(true).withDropout(0.3), DType.FLOAT64, new Rng(4));
    }

    @Test
    void twoWorkersAreTwoSimulatedReplicasWithTheirOwnMasksAndAveragedRunningStatistics() {
        int rows = WORKERS * BATCH * STEPS;
        Rng data = new Rng(21);
        double[][] x = new double[rows][FEATURES];
        int[] t = new int[rows];
        List<Row> list = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            t[i] = data.nextInt(CLASSES);
            for (int j = 0; j < FEATURES; j++) {
                x[i][j] = data.nextGaussian() + (j == t[i] ? 2 : 0);
            }
            list.add(RowFactory.create(x[i], t[i]));
        }
        StructType schema = new StructType()
                .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
                .add("label", DataTypes.IntegerType, false);
        Dataset<Row> df = LocalSpark.session().createDataFrame(list, schema);
        SparkTrainer.Result result = SparkTrainer.builder(network()).optimizer("sgd", Map.of("lr", 0.1))
                .workers(WORKERS).batchSize(BATCH).epochs(EPOCHS).seed(SEED).recordDigests(true).build()
                .fit(df, "features", "label");
        assertEquals(STEPS, result.stepsPerEpoch());

        // The simulation: replica r holds rows r, r + 2, …; both apply the mean of their gradients.
        MultiLayerNetExtend[] replicas = {network(), network()};
        SGD[] sgd = {new SGD(0.1), new SGD(0.1)};
        int shard = rows / WORKERS;
        boolean masksDiffered = false;
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            int[][] orders = new int[WORKERS][];
            for (int r = 0; r < WORKERS; r++) {
                orders[r] = SparkTrainer.shardOrder(SEED, r, epoch, shard);
            }
            for (int s = 0; s < STEPS; s++) {
                for (int r = 0; r < WORKERS; r++) {
                    double[] xb = new double[BATCH * FEATURES];
                    int[] tb = new int[BATCH];
                    for (int k = 0; k < BATCH; k++) {
                        int global = orders[r][s * BATCH + k] * WORKERS + r;
                        System.arraycopy(x[global], 0, xb, k * FEATURES, FEATURES);
                        tb[k] = t[global];
                    }
                    Network net = replicas[r];
                    net.restoreRandomState(SparkTrainer.dropoutState(SEED, r, (long) epoch * STEPS + s,
                            net.randomState().keySet()));
                    net.gradient(Tensor.of(DType.FLOAT64, xb, BATCH, FEATURES), Labels.of(tb));
                }
                boolean[] m0 = replicas[0].dropoutLayers().get(0).mask();
                boolean[] m1 = replicas[1].dropoutLayers().get(0).mask();
                masksDiffered |= !Arrays.equals(m0, m1);
                Tensor sum = replicas[0].parameters().flatGrads();
                Ops.axpy(1.0, replicas[1].parameters().flatGrads(), sum);
                Ops.scale(1.0 / WORKERS, sum);
                replicas[1].parameters().flatGrads().copyFrom(sum);
                for (int r = 0; r < WORKERS; r++) {
                    sgd[r].update(replicas[r].parameters());
                }
            }
            for (String b : replicas[0].buffers().keySet()) {
                Tensor mean = replicas[0].buffers().get(b);
                Ops.axpy(1.0, replicas[1].buffers().get(b), mean);
                Ops.scale(1.0 / WORKERS, mean);
                replicas[1].buffers().get(b).copyFrom(mean);
            }
        }
        assertTrue(masksDiffered, "the two workers drew the same dropout masks");

        Network trained = result.model().network();
        for (String name : replicas[0].parameters().names()) {
            Fixtures.assertClose(replicas[0].parameters().get(name).value(), trained.parameters().get(name).value(),
                    1e-12, name + " after " + EPOCHS + " epochs");
        }
        assertEquals(replicas[0].buffers().keySet(), trained.buffers().keySet());
        for (String b : replicas[0].buffers().keySet()) {
            Fixtures.assertClose(replicas[0].buffers().get(b), trained.buffers().get(b), 1e-12,
                    b + ", averaged over the workers");
        }
        SparkTrainer.Report w0 = result.workers().get(0);
        SparkTrainer.Report w1 = result.workers().get(1);
        for (int s = 0; s < EPOCHS * STEPS; s++) {
            assertArrayEquals(w0.digests().get(s), w1.digests().get(s), "the replicas differ after step " + (s + 1));
        }
        assertArrayEquals(ModelBytes.load(w0.model()).network().buffers().get("running_mean1").doubles(),
                ModelBytes.load(w1.model()).network().buffers().get("running_mean1").doubles(),
                "the running means differ between the workers");
    }

    @Test
    void dropoutStatesDependOnSeedRankAndStepAlone() {
        List<String> layers = List.of("Dropout1", "Dropout2");
        Map<String, long[]> a = SparkTrainer.dropoutState(1, 0, 7, layers);
        assertArrayEquals(a.get("Dropout1"), SparkTrainer.dropoutState(1, 0, 7, layers).get("Dropout1"));
        assertFalse(Arrays.equals(a.get("Dropout1"), a.get("Dropout2")), "two layers share a generator");
        for (Map<String, long[]> other : List.of(SparkTrainer.dropoutState(1, 1, 7, layers),
                SparkTrainer.dropoutState(1, 0, 8, layers), SparkTrainer.dropoutState(2, 0, 7, layers))) {
            assertFalse(Arrays.equals(a.get("Dropout1"), other.get("Dropout1")), "the same state for other inputs");
        }
    }
}
