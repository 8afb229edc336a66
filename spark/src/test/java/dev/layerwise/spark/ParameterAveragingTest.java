package dev.layerwise.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.net.Network;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
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
 * Periodic parameter averaging ({@code averageEvery(k)}): with k = 1 and SGD, the mean of the replicas' steps is the
 * step on the mean gradient; with k > 1 the replicas drift apart between averagings and agree after each one.
 */
class ParameterAveragingTest {
    private static final int WORKERS = 2;
    private static final int BATCH = 8;
    private static final int STEPS = 30;
    private static final int FEATURES = 10;
    private static final int CLASSES = 3;

    private static double[][] x;
    private static int[] t;

    private static Dataset<Row> data() {
        int rows = WORKERS * BATCH * STEPS;
        Rng rng = new Rng(17);
        x = new double[rows][FEATURES];
        t = new int[rows];
        List<Row> list = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            t[i] = rng.nextInt(CLASSES);
            for (int j = 0; j < FEATURES; j++) {
                x[i][j] = rng.nextGaussian() + (j == t[i] ? 3 : 0);
            }
            list.add(RowFactory.create(x[i], t[i]));
        }
        StructType schema = new StructType()
                .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
                .add("label", DataTypes.IntegerType, false);
        return LocalSpark.session().createDataFrame(list, schema);
    }

    private static Network net() {
        return new TwoLayerNet(FEATURES, 12, CLASSES, 0.3, DType.FLOAT64, new Rng(5));
    }

    @Test
    void averagingEveryStepWithSgdIsGradientAveraging() {
        Dataset<Row> df = data();
        SparkTrainer.Result grads = SparkTrainer.builder(net()).optimizer("sgd", Map.of("lr", 0.2)).workers(WORKERS)
                .batchSize(BATCH).epochs(1).seed(2).build().fit(df, "features", "label");
        SparkTrainer.Result averaged = SparkTrainer.builder(net()).optimizer("sgd", Map.of("lr", 0.2))
                .workers(WORKERS).batchSize(BATCH).epochs(1).seed(2).averageEvery(1).recordDigests(true).build()
                .fit(df, "features", "label");
        Network a = grads.model().network();
        Network b = averaged.model().network();
        for (String name : a.parameters().names()) {
            // mean(W − lr·g_i) and W − lr·mean(g_i) differ by the rounding of a few operations a step
            Fixtures.assertClose(a.parameters().get(name).value(), b.parameters().get(name).value(), 1e-9,
                    name + " after " + STEPS + " steps");
        }
        for (int s = 0; s < STEPS; s++) {
            assertArrayEquals(averaged.workers().get(0).digests().get(s), averaged.workers().get(1).digests().get(s),
                    "the replicas differ after the averaging of step " + (s + 1));
        }
    }

    @Test
    void averagingEveryFewStepsWithAdamTrainsAndLeavesIdenticalReplicasAfterEachAveraging() {
        int k = 4;
        Dataset<Row> df = data();
        Network start = net();
        double before = accuracy(start);
        SparkTrainer.Result r = SparkTrainer.builder(start).optimizer("adam", Map.of("lr", 0.01)).workers(WORKERS)
                .batchSize(BATCH).epochs(3).seed(2).averageEvery(k).recordDigests(true).build()
                .fit(df, "features", "label");
        List<byte[]> d0 = r.workers().get(0).digests();
        List<byte[]> d1 = r.workers().get(1).digests();
        assertEquals(3 * STEPS, d0.size());
        for (int s = 0; s < d0.size(); s++) {
            int inEpoch = s % STEPS;
            boolean averagedHere = (inEpoch + 1) % k == 0 || inEpoch == STEPS - 1;
            if (averagedHere) {
                assertArrayEquals(d0.get(s), d1.get(s), "the replicas differ after the averaging at step " + (s + 1));
            } else {
                assertFalse(Arrays.equals(d0.get(s), d1.get(s)),
                        "the replicas agree at step " + (s + 1) + ", between averagings: they did not step alone");
            }
        }
        double after = accuracy(r.model().network());
        assertTrue(after > 0.9 && after > before + 0.3, "training accuracy " + before + " -> " + after);
        // A worker sends 2(N-1)/N of the parameters and Adam's two moments once every k steps.
        int size = start.parameters().totalSize();
        long perAveraging = 3L * size * Double.BYTES;
        int averagings = 3 * (STEPS / k + (STEPS % k == 0 ? 0 : 1));
        assertEquals(perAveraging * averagings / (3 * STEPS), r.workers().get(0).bytesSentPerStep(), 1.0);
    }

    private static double accuracy(Network net) {
        double[] flat = new double[x.length * FEATURES];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(x[i], 0, flat, i * FEATURES, FEATURES);
        }
        return net.accuracy(Tensor.of(DType.FLOAT64, flat, x.length, FEATURES), Labels.of(t));
    }
}
