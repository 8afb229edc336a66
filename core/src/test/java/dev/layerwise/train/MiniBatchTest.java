package dev.layerwise.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.data.DataSet;
import dev.layerwise.kernel.Parallel;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Gathering rows into the reused batch buffers: the right rows, whatever the thread count; bad indices named. */
class MiniBatchTest {
    private static DataSet data(DType dtype, int rows, int cols) {
        Tensor x = Tensor.zeros(dtype, rows, cols);
        int[] t = new int[rows];
        for (int r = 0; r < rows; r++) {
            t[r] = r % 10;
            for (int c = 0; c < cols; c++) {
                x.setDouble(r * cols + c, r * 1000 + c);
            }
        }
        return new DataSet(x, Labels.of(t));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void copiesTheRowsAndLabelsAskedFor(DType dtype) {
        DataSet d = data(dtype, 500, 784);
        int[] indices = new int[100];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = (i * 37 + 11) % 500;
        }
        int before = Parallel.threads();
        try {
            for (int threads = 1; threads <= 3; threads++) {
                Parallel.setThreads(threads);
                MiniBatch batch = new MiniBatch(d, 100);
                batch.gather(indices);
                for (int i = 0; i < indices.length; i++) {
                    assertEquals(indices[i] % 10, batch.t().indices()[i]);
                    for (int c = 0; c < 784; c += 97) {
                        assertEquals(indices[i] * 1000 + c, batch.x().getDouble(i * 784 + c), threads + " threads");
                    }
                }
                assertArrayEquals(new int[] {100, 784}, batch.x().shape());
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void tooFewIndicesOrOneOutOfRangeAreNamed() {
        MiniBatch batch = new MiniBatch(data(DType.FLOAT32, 50, 4), 10);
        String few = assertThrows(IllegalArgumentException.class, () -> batch.gather(new int[9])).getMessage();
        assertTrue(few.contains("a batch of 10 needs as many indices, got 9"), few);
        int[] indices = new int[10];
        indices[3] = 50;
        String range = assertThrows(IllegalArgumentException.class, () -> batch.gather(indices)).getMessage();
        assertTrue(range.contains("index 50 is outside the data set of 50"), range);
    }
}
