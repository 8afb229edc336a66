package dev.layerwise.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Examples stored as bytes read as the book's {@code x.astype(dtype) / 255.0}, whichever way they are read: the whole
 * tensor, one example into a batch, or a range into a buffer.
 */
class DataSetTest {
    private static final int N = 7;
    private static final int FEATURES = 300;

    /** Every byte value, with offsets that move from example to example. */
    private static byte[] bytes() {
        byte[] b = new byte[N * FEATURES];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 7 + i / 256);
        }
        return b;
    }

    private static DataSet data(DType dtype, double divisor) {
        int[] t = new int[N];
        for (int i = 0; i < N; i++) {
            t[i] = i % 3;
        }
        return DataSet.ofUnsignedBytes(bytes(), new int[] {N, 3, 100}, divisor, dtype, Labels.of(t));
    }

    /** What NumPy gives for byte {@code b}: the division in the dtype's precision. */
    private static double expected(byte b, double divisor, DType dtype) {
        return dtype == DType.FLOAT32 ? (b & 0xFF) / (float) divisor : (b & 0xFF) / divisor;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void theTensorIsTheBytesDivided(DType dtype) {
        for (double divisor : new double[] {255.0, 1.0}) {
            DataSet d = data(dtype, divisor);
            assertFalse(d.hasTensor());
            assertArrayEquals(new int[] {N, 3, 100}, d.shape());
            assertEquals(FEATURES, d.features());
            Tensor x = d.x();
            assertTrue(d.hasTensor());
            assertSame(x, d.x(), "made once");
            assertArrayEquals(new int[] {N, 3, 100}, x.shape());
            assertEquals(dtype, x.dtype());
            byte[] b = bytes();
            for (int i = 0; i < b.length; i++) {
                assertEquals(expected(b[i], divisor, dtype), x.getDouble(i), "element " + i);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void examplesAndRangesReadAsTheTensor(DType dtype) {
        DataSet d = data(dtype, 255.0);
        Tensor batch = Tensor.zeros(dtype, 4, 3, 100);
        d.copyExample(5, batch, 2);
        Tensor buffer = Tensor.zeros(dtype, 4, 3, 100);
        Tensor range = d.rows(2, 5, buffer);
        assertArrayEquals(new int[] {3, 3, 100}, range.shape());
        Tensor x = data(dtype, 255.0).x();
        for (int j = 0; j < FEATURES; j++) {
            assertEquals(x.getDouble(5 * FEATURES + j), batch.getDouble(2 * FEATURES + j));
            assertEquals(x.getDouble(2 * FEATURES + j), range.getDouble(j));
            assertEquals(x.getDouble(4 * FEATURES + j), range.getDouble(2 * FEATURES + j));
        }
        assertEquals(0.0, batch.getDouble(0), "other rows untouched");
        DataSet head = d.head(3);
        assertEquals(3, head.size());
        assertEquals(x.getDouble(2 * FEATURES + 9), head.x().getDouble(2 * FEATURES + 9));
        assertSame(d, d.head(N));
        d.x();
        assertEquals(x.getDouble(3 * FEATURES), d.rows(3, 4, null).getDouble(0), "a view once the tensor exists");
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void aTensorDataSetCopiesAsBefore(DType dtype) {
        DataSet bytes = data(dtype, 255.0);
        DataSet tensor = new DataSet(bytes.x().copy(), bytes.t());
        assertTrue(tensor.hasTensor());
        Tensor batch = Tensor.zeros(dtype, 2, 3, 100);
        tensor.copyExample(6, batch, 1);
        for (int j = 0; j < FEATURES; j++) {
            assertEquals(bytes.x().getDouble(6 * FEATURES + j), batch.getDouble(FEATURES + j));
        }
        assertEquals(bytes.x().getDouble(FEATURES), tensor.rows(1, 3, null).getDouble(0));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void examplesCopiedTogetherAsOneByOne(DType dtype) {
        DataSet bytes = data(dtype, 255.0);
        // A tensor that starts inside its array, and examples up to the array's last.
        DataSet view = new DataSet(bytes.x().copy().rows(1, N), Labels.of(new int[N - 1]));
        for (DataSet d : new DataSet[] {bytes, view}) {
            int[] indices = {-1, d.size() - 1, 0, 3, 3, -1};
            Tensor together = Tensor.zeros(dtype, 6, 3, 100);
            d.copyExamples(indices, 1, 5, together);
            Tensor oneByOne = Tensor.zeros(dtype, 6, 3, 100);
            for (int i = 1; i < 5; i++) {
                d.copyExample(indices[i], oneByOne, i);
            }
            for (int j = 0; j < 6 * FEATURES; j++) {
                assertEquals(oneByOne.getDouble(j), together.getDouble(j), "element " + j);
            }
            assertEquals(d.x().getDouble((d.size() - 1) * FEATURES), together.getDouble(FEATURES));
        }
    }

    @org.junit.jupiter.api.Test
    void misuseIsNamed() {
        Labels t = Labels.of(new int[N]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataSet.ofUnsignedBytes(new byte[10], new int[] {N, 300}, 255, DType.FLOAT32, t));
        assertTrue(e.getMessage().contains("10 bytes") && e.getMessage().contains("(7, 300)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> DataSet.ofUnsignedBytes(bytes(), new int[] {N, 300}, 0, DType.FLOAT32, t));
        assertTrue(e.getMessage().contains("divisor"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> DataSet.ofUnsignedBytes(bytes(), new int[] {N + 1, 300}, 255, DType.FLOAT32, t));
        DataSet d = data(DType.FLOAT32, 255);
        IndexOutOfBoundsException out = assertThrows(IndexOutOfBoundsException.class,
                () -> d.copyExample(N, Tensor.zeros(DType.FLOAT32, 1, 300), 0));
        assertTrue(out.getMessage().contains("example 7 of a data set of 7"), out.getMessage());
        Tensor batch = Tensor.zeros(DType.FLOAT32, 2, 300);
        out = assertThrows(IndexOutOfBoundsException.class, () -> d.copyExamples(new int[] {1, 9}, 0, 2, batch));
        assertTrue(out.getMessage().contains("example 9 of a data set of 7"), out.getMessage());
        assertEquals(0.0, batch.getDouble(1), "nothing copied before the indices are checked");
        e = assertThrows(IllegalArgumentException.class,
                () -> d.copyExample(0, Tensor.zeros(DType.FLOAT64, 1, 300), 0));
        assertTrue(e.getMessage().contains("float64") || e.getMessage().contains("FLOAT64"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> d.copyExample(0, Tensor.zeros(DType.FLOAT32, 2, 300), 2));
        assertTrue(e.getMessage().contains("at row 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> d.rows(0, 5, Tensor.zeros(DType.FLOAT32, 4, 300)));
        assertTrue(e.getMessage().contains("5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> d.rows(0, 2, null));
        assertThrows(IndexOutOfBoundsException.class, () -> d.rows(3, 8, Tensor.zeros(DType.FLOAT32, 5, 300)));
    }
}
