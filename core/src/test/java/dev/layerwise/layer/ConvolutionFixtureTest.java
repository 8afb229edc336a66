package dev.layerwise.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.layerwise.kernel.ConvGeometry;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Ops;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.testing.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** im2col, col2im, Convolution and Pooling of chapter 7 against the book's NumPy results, in both precisions. */
class ConvolutionFixtureTest {

    @ParameterizedTest
    @EnumSource(DType.class)
    void im2colAndCol2imMatchBook(DType dtype) {
        Fixtures f = Fixtures.load("im2col");
        Tensor x = f.tensor("x", dtype);
        ConvGeometry g = new ConvGeometry(x.dim(1), x.dim(2), x.dim(3), (int) f.scalar("filter_h"),
                (int) f.scalar("filter_w"), (int) f.scalar("stride"), (int) f.scalar("pad"));
        Tensor col = Tensor.zeros(dtype, x.dim(0) * g.positions(), g.patchSize()).fill(Double.NaN);
        Ops.im2col(x, g, col);
        f.assertMatches("col", col);
        Tensor dcol = f.tensor("dcol", dtype);
        Tensor dx = Tensor.zeros(dtype, x.shape()).fill(Double.NaN);
        Ops.col2im(dcol, g, dx);
        f.assertMatches("col2im", dx);
    }

    @ParameterizedTest
    @ValueSource(strings = {"convolution", "convolution_s2p1"})
    void convolutionMatchesBookInFloat64(String fixture) {
        convolutionMatchesBook(fixture, DType.FLOAT64);
    }

    @ParameterizedTest
    @ValueSource(strings = {"convolution", "convolution_s2p1"})
    void convolutionMatchesBookInFloat32(String fixture) {
        convolutionMatchesBook(fixture, DType.FLOAT32);
    }

    private static void convolutionMatchesBook(String fixture, DType dtype) {
        Fixtures f = Fixtures.load(fixture);
        Parameter W = Parameter.of("W", f.tensor("W", dtype));
        Parameter b = Parameter.of("b", f.tensor("b", dtype));
        Convolution conv = new Convolution(W, b, (int) f.scalar("stride"), (int) f.scalar("pad"));
        Tensor x = f.tensor("x", dtype);
        Tensor dout = f.tensor("dout", dtype);
        double[] xBefore = x.toDoubleArray();
        double[] doutBefore = dout.toDoubleArray();
        double[] wBefore = W.value().toDoubleArray();
        for (int pass = 0; pass < 2; pass++) {
            // The second pass reuses every buffer.
            f.assertMatches("out", conv.forward(x));
            f.assertMatches("dx", conv.backward(dout));
            f.assertMatches("dW", W.grad());
            f.assertMatches("db", b.grad());
        }
        assertArrayEquals(xBefore, x.toDoubleArray(), "forward must not write into x");
        assertArrayEquals(doutBefore, dout.toDoubleArray(), "backward must not write into dout");
        assertArrayEquals(wBefore, W.value().toDoubleArray(), "W is read only");
        conv.setInputGradientNeeded(false);
        conv.forward(x);
        assertNull(conv.backward(dout), "the first layer skips dx");
        f.assertMatches("dW", W.grad());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void poolingMatchesBookAndTheFirstMaximumOfATieTakesTheGradient(DType dtype) {
        Fixtures f = Fixtures.load("pooling");
        Pooling pool = new Pooling((int) f.scalar("pool_h"), (int) f.scalar("pool_w"), (int) f.scalar("stride"));
        Tensor x = f.tensor("x", dtype);
        Tensor dout = f.tensor("dout", dtype);
        double[] xBefore = x.toDoubleArray();
        double[] doutBefore = dout.toDoubleArray();
        f.assertMatches("out", pool.forward(x));
        Tensor dx = pool.backward(dout);
        f.assertMatches("dx", dx);
        assertEquals(x.get(0, 0, 0, 0), x.get(0, 0, 0, 1), "the fixture's first window has a tie");
        assertEquals(dout.get(0, 0, 0, 0), dx.get(0, 0, 0, 0), "the first maximum takes the gradient");
        assertEquals(0.0, dx.get(0, 0, 0, 1), "the second maximum takes none");
        assertEquals(0, pool.argMax()[0]);
        assertArrayEquals(xBefore, x.toDoubleArray(), "forward must not write into x");
        assertArrayEquals(doutBefore, dout.toDoubleArray(), "backward must not write into dout");
    }
}
