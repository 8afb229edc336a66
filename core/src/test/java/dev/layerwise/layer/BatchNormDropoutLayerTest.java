package dev.layerwise.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import org.junit.jupiter.api.Test;

/** Behaviour of batch norm and dropout beyond the fixtures: statistics, masks, modes and errors. */
class BatchNormDropoutLayerTest {

    static Tensor gaussian(DType dtype, long seed, double mean, double std, int... shape) {
        Rng rng = new Rng(seed);
        Tensor t = Tensor.zeros(dtype, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setDouble(i, mean + std * rng.nextGaussian());
        }
        return t;
    }

    static BatchNormalization bn(DType dtype, int features) {
        return new BatchNormalization(Parameter.of("gamma", Tensor.zeros(dtype, features).fill(1)),
                Parameter.of("beta", Tensor.zeros(dtype, features)));
    }

    @Test
    void batchNormOutputsZeroMeanUnitVarianceAndTracksRunningStatistics() {
        BatchNormalization bn = bn(DType.FLOAT64, 3);
        Tensor x = gaussian(DType.FLOAT64, 1, 5.0, 2.0, 200, 3);
        Tensor out = bn.forward(x, true);
        for (int j = 0; j < 3; j++) {
            double s = 0;
            double sq = 0;
            for (int i = 0; i < 200; i++) {
                s += out.getDouble(i * 3 + j);
                sq += out.getDouble(i * 3 + j) * out.getDouble(i * 3 + j);
            }
            assertEquals(0, s / 200, 1e-12);
            assertEquals(1, sq / 200, 1e-5, "variance 1 up to ε");
            assertEquals(0.1 * 5.0, bn.runningMean().getDouble(j), 0.05, "0.9·0 + 0.1·μ");
        }
        for (int step = 0; step < 200; step++) {
            bn.forward(x, true);
        }
        for (int j = 0; j < 3; j++) {
            assertEquals(5.0, bn.runningMean().getDouble(j), 0.3);
            assertEquals(4.0, bn.runningVar().getDouble(j), 0.8);
        }
        // After many batches of the same data, inference matches training.
        Tensor train = bn.forward(x, true).copy();
        Tensor test = bn.forward(x, false);
        for (int i = 0; i < train.size(); i++) {
            assertEquals(train.getDouble(i), test.getDouble(i), 1e-6);
        }
    }

    @Test
    void batchNormErrors() {
        BatchNormalization bn = bn(DType.FLOAT32, 4);
        IllegalStateException s = assertThrows(IllegalStateException.class,
                () -> bn.backward(Tensor.zeros(DType.FLOAT32, 2, 4)));
        assertTrue(s.getMessage().contains("training-mode forward"), s.getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> bn.forward(Tensor.zeros(DType.FLOAT32, 2, 5), true));
        assertTrue(e.getMessage().contains("BatchNormalization(4)") && e.getMessage().contains("(2, 5)"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(DType.FLOAT64, 2, 4), true));
        bn.forward(Tensor.zeros(DType.FLOAT32, 2, 4), false);
        assertThrows(IllegalStateException.class, () -> bn.backward(Tensor.zeros(DType.FLOAT32, 2, 4)),
                "backward after an inference forward");
        bn.forward(Tensor.zeros(DType.FLOAT32, 2, 4), true);
        e = assertThrows(IllegalArgumentException.class, () -> bn.backward(Tensor.zeros(DType.FLOAT32, 3, 4)));
        assertTrue(e.getMessage().contains("(3, 4)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BatchNormalization(
                Parameter.of("gamma", Tensor.zeros(DType.FLOAT32, 4)), Parameter.of("beta",
                        Tensor.zeros(DType.FLOAT32, 5))));
        assertThrows(IllegalArgumentException.class, () -> new BatchNormalization(
                Parameter.of("gamma", Tensor.zeros(DType.FLOAT32, 4)), Parameter.of("beta",
                        Tensor.zeros(DType.FLOAT32, 4)), 1.5, null, null));
    }

    @Test
    void dropoutKeepsAboutOneMinusRatioAndRepeatsWithTheSeed() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 100, 100).fill(1);
        Dropout a = new Dropout(0.3, Dropout.Mode.BOOK, new Rng(7));
        Dropout b = new Dropout(0.3, Dropout.Mode.BOOK, new Rng(7));
        Tensor outA = a.forward(x, true);
        double kept = 0;
        for (int i = 0; i < outA.size(); i++) {
            assertTrue(outA.getDouble(i) == 0 || outA.getDouble(i) == 1);
            kept += outA.getDouble(i);
        }
        assertEquals(0.7, kept / x.size(), 0.02);
        b.forward(x, true);
        assertArrayEquals(a.mask(), b.mask(), "the same seed draws the same mask");
        boolean[] first = a.mask();
        a.forward(x, true);
        assertFalse(java.util.Arrays.equals(first, a.mask()), "each training forward draws a new mask");
        // Book mode: the expected training output equals the inference output x·(1 − ratio).
        Tensor test = a.forward(x, false);
        assertEquals(0.7, test.getDouble(0), 1e-7);
        Dropout inverted = new Dropout(0.3, Dropout.Mode.INVERTED, new Rng(7));
        Tensor inv = inverted.forward(x, true);
        double sum = 0;
        for (int i = 0; i < inv.size(); i++) {
            sum += inv.getDouble(i);
        }
        assertEquals(1.0, sum / x.size(), 0.03, "inverted: the expected training output is x");
        assertEquals(1.0, inverted.forward(x, false).getDouble(0));
    }

    @Test
    void dropoutErrors() {
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.0));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.01));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(Double.NaN));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dropout.Mode.parse("x"));
        assertTrue(e.getMessage().contains("book or inverted"), e.getMessage());
        Dropout d = new Dropout(0.5);
        assertThrows(IllegalStateException.class, () -> d.backward(Tensor.zeros(DType.FLOAT32, 2, 2)));
        d.setMask(new boolean[3]);
        e = assertThrows(IllegalArgumentException.class, () -> d.forward(Tensor.zeros(DType.FLOAT32, 2, 2), true));
        assertTrue(e.getMessage().contains("3 elements"), e.getMessage());
        d.setMask(null);
        d.forward(Tensor.zeros(DType.FLOAT32, 2, 2), true);
        assertThrows(IllegalArgumentException.class, () -> d.backward(Tensor.zeros(DType.FLOAT32, 2, 3)));
        // Ratio 0 keeps everything.
        Dropout none = new Dropout(0.0);
        Tensor x = gaussian(DType.FLOAT64, 3, 0, 1, 4, 4);
        assertArrayEquals(x.toDoubleArray(), none.forward(x, true).toDoubleArray());
    }
}
