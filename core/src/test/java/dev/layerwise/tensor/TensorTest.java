package dev.layerwise.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TensorTest {

    @ParameterizedTest
    @EnumSource(DType.class)
    void reshapeAndRowsAreViewsInRowMajorOrder(DType dtype) {
        Tensor t = Tensor.zeros(dtype, 2, 3, 4);
        for (int i = 0; i < t.size(); i++) {
            t.setDouble(i, i);
        }
        assertEquals(1 * 12 + 2 * 4 + 3, t.get(1, 2, 3));
        Tensor flat = t.reshape(2, -1);
        assertArrayEquals(new int[] {2, 12}, flat.shape());
        flat.set(-1, 1, 11);
        assertEquals(-1, t.get(1, 2, 3), "a reshape writes through to the original");
        Tensor second = t.rows(1, 2);
        assertArrayEquals(new int[] {1, 3, 4}, second.shape());
        assertEquals(12, second.getDouble(0));
        second.fill(7);
        assertEquals(7, t.getDouble(12));
        assertEquals(11, t.getDouble(11), "rows() does not touch other rows");
        assertEquals(dtype, flat.dtype());
    }

    @Test
    void copiesAndConversionsAreIndependent() {
        Tensor a = Tensor.of(DType.FLOAT64, new double[] {1.5, -2, 3.25, 1e-30}, 2, 2);
        Tensor f = a.to(DType.FLOAT32);
        assertEquals(DType.FLOAT32, f.dtype());
        assertEquals(3.25f, f.floats()[2]);
        Tensor c = a.copy();
        c.setDouble(0, 9);
        assertEquals(1.5, a.getDouble(0));
        assertEquals("Tensor(float64, (2, 2))", a.toString());
    }

    @Test
    void reuseKeepsTheBufferOnlyForTheSameDtypeAndShape() {
        Tensor buf = Tensor.zeros(DType.FLOAT32, 100, 50);
        assertSame(buf, Tensor.reuse(buf, DType.FLOAT32, 100, 50));
        assertNotSame(buf, Tensor.reuse(buf, DType.FLOAT32, 99, 50));
        assertNotSame(buf, Tensor.reuse(buf, DType.FLOAT64, 100, 50));
        assertSame(buf, Tensor.reuse(buf, DType.FLOAT32, new int[] {100, 50}));
    }

    @Test
    void badShapesAndIndicesAreRejectedWithTheShape() {
        Tensor t = Tensor.zeros(DType.FLOAT32, 3, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.reshape(5, -1));
        assertTrue(e.getMessage().contains("(5, -1)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(DType.FLOAT32, 2, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(3, 0));
        assertThrows(IllegalArgumentException.class, () -> t.get(1));
        assertThrows(IndexOutOfBoundsException.class, () -> t.rows(2, 4));
        assertThrows(IllegalArgumentException.class, () -> Tensor.view(new float[5], 2, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(DType.FLOAT32, 65536, 65536));
        assertThrows(IllegalArgumentException.class, () -> DType.parse("float16"));
        assertEquals(DType.FLOAT64, DType.parse("f64"));
        assertEquals("(10,)", Shapes.toString(10));
    }

    @Test
    void labelsConvertBetweenIndicesAndOneHot() {
        Tensor oneHot = Labels.toOneHot(new int[] {2, 0, 1}, 3, DType.FLOAT32);
        assertEquals(1.0, oneHot.get(0, 2));
        Labels back = Labels.oneHot(oneHot);
        assertArrayEquals(new int[] {2, 0, 1}, back.indices());
        assertTrue(back.isOneHot());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Labels.of(0, 10, 1).check(3, 10, "net"));
        assertEquals("net: label 10 at row 1 is out of range for 10 classes", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Labels.of(0, -1).check(2, 10, "net"));
        assertThrows(IllegalArgumentException.class, () -> Labels.of(0, 1).check(3, 10, "net"));
    }
}
