package dev.layerwise.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.layerwise.data.DataContract;
import dev.layerwise.net.ConvParam;
import dev.layerwise.model.Model;
import dev.layerwise.net.SimpleConvNet;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import org.junit.jupiter.api.Test;

/** A batch run in chunks answers as the whole model answers the whole batch. */
class ReplicaTest {
    @Test
    void everyBatchSizeAnswersAsTheModel() {
        Model model = Model.of(new SimpleConvNet(new int[] {1, 28, 28}, ConvParam.of(4, 5, 0, 1), 20, 10, 0.3,
                DType.FLOAT32, new Rng(5))).withContract(DataContract.mnist());
        Replica replica = new Replica(model);
        double[] x = ServerTest.inputs(71, 9);
        // 1 to 71 examples: every mix of the chunk sizes, each chunk network reused at its own size.
        for (int rows = 1; rows <= 71; rows++) {
            double[] f = new double[rows * 784];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) x[i];
            }
            Tensor batch = Tensor.of(DType.FLOAT32, f, rows, 1, 28, 28);
            Replica.Answer a = replica.predict(java.util.Arrays.copyOf(x, rows * 784), rows);
            assertArrayEquals(model.classify(batch), a.classes(), "rows " + rows);
            assertEquals(10, a.classCount());
            assertArrayEquals(model.probabilities(batch).toDoubleArray(), a.probabilities(), 1e-6, "rows " + rows);
        }
    }

    /** A batch given as the requests' own arrays, of one or several examples each, answers as the same rows in one. */
    @Test
    void aBatchGivenInPartsAnswersAsTheSameRowsInOne() {
        Model model = Model.of(new SimpleConvNet(new int[] {1, 28, 28}, ConvParam.of(4, 5, 0, 1), 20, 10, 0.3,
                DType.FLOAT32, new Rng(5))).withContract(DataContract.mnist());
        Replica replica = new Replica(model);
        double[] x = ServerTest.inputs(23, 9);
        // Requests of 1, 3, 1, 7, 2, 9 examples: parts that end inside every chunk size and straddle chunks.
        int[] sizes = {1, 3, 1, 7, 2, 9};
        java.util.List<double[]> parts = new java.util.ArrayList<>();
        int row = 0;
        for (int size : sizes) {
            parts.add(java.util.Arrays.copyOfRange(x, row * 784, (row + size) * 784));
            row += size;
        }
        Replica.Answer whole = replica.predict(java.util.Arrays.copyOf(x, row * 784), row);
        Replica.Answer inParts = replica.predict(parts, row);
        assertArrayEquals(whole.classes(), inParts.classes());
        assertArrayEquals(whole.probabilities(), inParts.probabilities(), 0.0);
    }
}
