package dev.layerwise.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.testing.Fixtures;
import dev.layerwise.util.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Batch normalisation and dropout against the book's NumPy results, in both precisions; inputs come back unchanged. */
class BatchNormDropoutFixtureTest {

    @ParameterizedTest
    @EnumSource(DType.class)
    void batchNormMatchesBookInTrainingAndInference(DType dtype) {
        Fixtures f = Fixtures.load("batchnorm");
        Parameter gamma = Parameter.of("gamma", f.tensor("gamma", dtype));
        Parameter beta = Parameter.of("beta", f.tensor("beta", dtype));
        BatchNormalization bn = new BatchNormalization(gamma, beta);
        Tensor x = f.tensor("x", dtype);
        Tensor dout = f.tensor("dout", dtype);
        double[] xBefore = x.toDoubleArray();
        double[] doutBefore = dout.toDoubleArray();

        f.assertMatches("out_train", bn.forward(x, true));
        f.assertMatches("dx", bn.backward(dout));
        f.assertMatches("dgamma", gamma.grad());
        f.assertMatches("dbeta", beta.grad());
        f.assertMatches("running_mean", bn.runningMean());
        f.assertMatches("running_var", bn.runningVar());
        f.assertMatches("out_test", bn.forward(f.tensor("x_test", dtype), false));

        assertArrayEquals(xBefore, x.toDoubleArray(), "forward must not write into x");
        assertArrayEquals(doutBefore, dout.toDoubleArray(), "backward must not write into dout");
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void batchNormNormalisesFourDimensionalInputPerFeature(DType dtype) {
        Fixtures f = Fixtures.load("batchnorm_4d");
        Tensor x = f.tensor("x", dtype);
        int features = x.size() / x.dim(0);
        assertEquals(12, features, "C·H·W features");
        Parameter gamma = Parameter.of("gamma", Tensor.zeros(dtype, features).fill(1));
        Parameter beta = Parameter.of("beta", Tensor.zeros(dtype, features));
        BatchNormalization bn = new BatchNormalization(gamma, beta);
        Tensor out = bn.forward(x, true);
        assertArrayEquals(x.shape(), out.shape());
        f.assertMatches("out", out);
        Tensor dout = f.tensor("dout", dtype);
        Tensor dx = bn.backward(dout);
        assertArrayEquals(x.shape(), dx.shape());
        if (dtype == DType.FLOAT64) {
            f.assertMatches("dx", dx);
        } else {
            // With N = 2 each feature normalises to ±1 and dx (at most 5e-4) is what is left after terms of the size
            // of dout (about 2) cancel: float32 rounds those terms to about 1e-7, so judge dx against that scale.
            double atol = 1e-6 * maxAbs(dout);
            Tensor expected = f.tensor("dx", DType.FLOAT64);
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.getDouble(i), dx.getDouble(i), atol, "float32 dx[" + i + "]");
            }
        }
        f.assertMatches("dgamma", gamma.grad());
        f.assertMatches("dbeta", beta.grad());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void dropoutMatchesBookGivenItsMask(DType dtype) {
        Fixtures f = Fixtures.load("dropout");
        double ratio = f.scalar("ratio");
        assertEquals(0.3, ratio);
        Tensor maskTensor = f.tensor("mask", DType.FLOAT64);
        boolean[] mask = new boolean[maskTensor.size()];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = maskTensor.getDouble(i) != 0;
        }
        Dropout dropout = new Dropout(ratio, Dropout.Mode.BOOK, new Rng(1));
        dropout.setMask(mask);
        Tensor x = f.tensor("x", dtype);
        double[] xBefore = x.toDoubleArray();
        f.assertMatches("out_train", dropout.forward(x, true));
        f.assertMatches("dx", dropout.backward(f.tensor("dout", dtype)));
        f.assertMatches("out_test", dropout.forward(x, false));
        assertArrayEquals(mask, dropout.mask());
        assertArrayEquals(xBefore, x.toDoubleArray(), "forward must not write into x");
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void invertedDropoutScalesInTrainingInstead(DType dtype) {
        Fixtures f = Fixtures.load("dropout");
        double ratio = f.scalar("ratio");
        Tensor maskTensor = f.tensor("mask", DType.FLOAT64);
        boolean[] mask = new boolean[maskTensor.size()];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = maskTensor.getDouble(i) != 0;
        }
        Dropout dropout = new Dropout(ratio, Dropout.Mode.INVERTED, new Rng(1));
        dropout.setMask(mask);
        Tensor x = f.tensor("x", dtype);
        // Inverted dropout is the book's dropout rescaled by 1 / (1 − ratio): train × 1/(1 − r), test the identity.
        Tensor expectedTrain = f.tensor("out_train", DType.FLOAT64);
        Tensor expectedDx = f.tensor("dx", DType.FLOAT64);
        for (int i = 0; i < expectedTrain.size(); i++) {
            expectedTrain.setDouble(i, expectedTrain.getDouble(i) / (1 - ratio));
            expectedDx.setDouble(i, expectedDx.getDouble(i) / (1 - ratio));
        }
        Fixtures.assertClose(expectedTrain, dropout.forward(x, true), Fixtures.rtol(dtype), "inverted out_train");
        Fixtures.assertClose(expectedDx, dropout.backward(f.tensor("dout", dtype)), Fixtures.rtol(dtype),
                "inverted dx");
        Fixtures.assertClose(f.tensor("x", DType.FLOAT64), dropout.forward(x, false), Fixtures.rtol(dtype),
                "inverted out_test");
    }

    static double maxAbs(Tensor t) {
        double m = 0;
        for (int i = 0; i < t.size(); i++) {
            m = Math.max(m, Math.abs(t.getDouble(i)));
        }
        return m;
    }
}
