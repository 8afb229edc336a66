package dev.layerwise.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ValidationSplitTest {
    /** 100 examples of class 0, 30 of class 1, 10 of class 2, interleaved. */
    private static int[] labels() {
        int[] t = new int[140];
        for (int i = 0; i < t.length; i++) {
            t[i] = i < 30 ? 1 : i < 40 ? 2 : 0;
        }
        return t;
    }

    @Test
    void eachClassKeepsItsShareAndEveryExampleGoesOnePlace() {
        int[] t = labels();
        ValidationSplit.Parts p = new ValidationSplit(0.2, 7).split(t, 3);
        int[] held = new int[3];
        for (int i : p.validation()) {
            held[t[i]]++;
        }
        assertArrayEquals(new int[] {20, 6, 2}, held);
        int[] all = new int[t.length];
        System.arraycopy(p.train(), 0, all, 0, p.train().length);
        System.arraycopy(p.validation(), 0, all, p.train().length, p.validation().length);
        Arrays.sort(all);
        for (int i = 0; i < all.length; i++) {
            assertEquals(i, all[i]);
        }
        assertTrue(isAscending(p.train()) && isAscending(p.validation()), "parts keep the examples' order");
    }

    @Test
    void theSeedDecidesWhichExamplesAreHeldOut() {
        int[] t = labels();
        ValidationSplit.Parts a = new ValidationSplit(0.2, 7).split(t, 3);
        ValidationSplit.Parts b = new ValidationSplit(0.2, 7).split(t, 3);
        ValidationSplit.Parts c = new ValidationSplit(0.2, 8).split(t, 3);
        assertArrayEquals(a.validation(), b.validation());
        assertTrue(!Arrays.equals(a.validation(), c.validation()), "another seed holds out other examples");
    }

    @Test
    void refusesFractionsOutsideZeroOneAndEmptyParts() {
        assertThrows(IllegalArgumentException.class, () -> new ValidationSplit(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ValidationSplit(1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ValidationSplit(Double.NaN, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ValidationSplit(0.01, 1).split(new int[] {0, 0, 1, 1}, 2));
        assertEquals("a validation split of 0.01 of 4 examples leaves the validation part empty", e.getMessage());
    }

    @Test
    void splitsBytesAndTensorsAlike() {
        int n = 10;
        byte[] bytes = new byte[n * 2];
        double[] values = new double[n * 2];
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            bytes[2 * i] = (byte) (10 * i);
            bytes[2 * i + 1] = (byte) (10 * i + 1);
            values[2 * i] = (10 * i) / 255.0;
            values[2 * i + 1] = (10 * i + 1) / 255.0;
            t[i] = i % 2;
        }
        DataSet fromBytes = DataSet.ofUnsignedBytes(bytes, new int[] {n, 2}, 255, DType.FLOAT64, Labels.of(t));
        DataSet fromTensor = new DataSet(Tensor.of(DType.FLOAT64, values, n, 2), Labels.of(t.clone()));
        ValidationSplit s = new ValidationSplit(0.4, 3);
        DataSet[] a = s.apply(fromBytes, 2);
        DataSet[] b = s.apply(fromTensor, 2);
        for (int k = 0; k < 2; k++) {
            assertArrayEquals(a[k].x().toDoubleArray(), b[k].x().toDoubleArray(), 1e-15);
            assertArrayEquals(a[k].t().indices(), b[k].t().indices());
        }
        assertEquals(6, a[0].size());
        assertEquals(4, a[1].size());
        int first = (int) Math.round(a[1].x().getDouble(0) * 255) / 10;
        assertEquals(first % 2, a[1].t().indices()[0], "each example keeps its own label");
    }

    private static boolean isAscending(int[] a) {
        for (int i = 1; i < a.length; i++) {
            if (a[i] <= a[i - 1]) {
                return false;
            }
        }
        return true;
    }
}
