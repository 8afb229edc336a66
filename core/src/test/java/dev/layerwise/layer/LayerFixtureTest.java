package dev.layerwise.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.testing.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each layer of chapter 5 against the book's NumPy results, in both precisions; inputs must come back unchanged. */
class LayerFixtureTest {

    @ParameterizedTest
    @EnumSource(DType.class)
    void reluMatchesBook(DType dtype) {
        Fixtures f = Fixtures.load("relu");
        Tensor x = f.tensor("x", dtype);
        Tensor dout = f.tensor("dout", dtype);
        double[] xBefore = x.toDoubleArray();
        double[] doutBefore = dout.toDoubleArray();
        Relu relu = new Relu();
        f.assertMatches("out", relu.forward(x));
        f.assertMatches("dx", relu.backward(dout));
        assertArrayEquals(xBefore, x.toDoubleArray(), "forward must not write into x");
        assertArrayEquals(doutBefore, dout.toDoubleArray(), "backward must not write into dout (the book does)");
        boolean sawZero = false;
        for (int i = 0; i < x.size(); i++) {
            assertEquals(x.getDouble(i) <= 0, relu.mask()[i], "mask at " + i);
            sawZero |= x.getDouble(i) == 0;
        }
        assertTrue(sawZero, "the fixture has exact zeros, which must be masked");
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void sigmoidMatchesBook(DType dtype) {
        Fixtures f = Fixtures.load("sigmoid");
        Sigmoid sigmoid = new Sigmoid();
        f.assertMatches("out", sigmoid.forward(f.tensor("x", dtype)));
        f.assertMatches("dx", sigmoid.backward(f.tensor("dout", dtype)));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void affineMatchesBookOnFourDimensionalInput(DType dtype) {
        Fixtures f = Fixtures.load("affine");
        Parameter W = Parameter.of("W", f.tensor("W", dtype));
        Parameter b = Parameter.of("b", f.tensor("b", dtype));
        Affine affine = new Affine(W, b);
        Tensor x = f.tensor("x", dtype);
        double[] xBefore = x.toDoubleArray();
        f.assertMatches("out", affine.forward(x));
        Tensor dx = affine.backward(f.tensor("dout", dtype));
        f.assertMatches("dx", dx);
        f.assertMatches("dW", W.grad());
        f.assertMatches("db", b.grad());
        assertArrayEquals(xBefore, x.toDoubleArray());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void softmaxWithLossMatchesBookWithIndexLabels(DType dtype) {
        Fixtures f = Fixtures.load("softmax_with_loss");
        SoftmaxWithLoss layer = new SoftmaxWithLoss();
        double loss = layer.forward(f.tensor("x", dtype), f.labels("t_index"));
        f.assertMatches("loss_index", loss, dtype);
        f.assertMatches("y", layer.y());
        f.assertMatches("dx_index", layer.backward());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void softmaxWithLossMatchesBookWithOneHotLabels(DType dtype) {
        Fixtures f = Fixtures.load("softmax_with_loss");
        SoftmaxWithLoss layer = new SoftmaxWithLoss();
        double loss = layer.forward(f.tensor("x", dtype), Labels.oneHot(f.tensor("t_onehot", dtype)));
        f.assertMatches("loss_onehot", loss, dtype);
        f.assertMatches("dx_onehot", layer.backward());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void standaloneFunctionsMatchBook(DType dtype) {
        Fixtures f = Fixtures.load("softmax_with_loss");
        Tensor x = f.tensor("x", dtype);
        Tensor y = Functions.softmax(x);
        f.assertMatches("y", y);
        f.assertMatches("loss_index", Functions.crossEntropyError(y, f.labels("t_index")), dtype);
        f.assertMatches("loss_onehot", Functions.crossEntropyError(y, Labels.oneHot(f.tensor("t_onehot", dtype))),
                dtype);
        for (int i = 0; i < y.size(); i++) {
            assertTrue(Double.isFinite(y.getDouble(i)), "the row near 1000 must not overflow");
        }
        Tensor row = x.rows(0, 1).reshape(10);
        Tensor yRow = Functions.softmax(row);
        assertArrayEquals(new int[] {10}, yRow.shape());
        Fixtures.assertClose(y.rows(0, 1).reshape(10), yRow, Fixtures.rtol(dtype), "1-D softmax");
    }
}
