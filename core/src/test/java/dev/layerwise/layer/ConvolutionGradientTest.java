package dev.layerwise.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.gradcheck.GradientCheck;
import dev.layerwise.gradcheck.NumericalGradient;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Backward of Convolution and Pooling against central differences of {@code L = Σ forward(x) ⊙ dout}, in float64,
 * over geometries with padding, strides larger than the window, rectangular windows and sizes that round down.
 */
class ConvolutionGradientTest {

    static Tensor random(Rng rng, int... shape) {
        Tensor t = Tensor.zeros(DType.FLOAT64, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setDouble(i, rng.nextGaussian());
        }
        return t;
    }

    static double dot(Tensor a, Tensor b) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) {
            s += a.getDouble(i) * b.getDouble(i);
        }
        return s;
    }

    static void assertAgrees(String name, Tensor backprop, Tensor numerical) {
        GradientCheck.Entry e = GradientCheck.compare(name, backprop, numerical);
        assertTrue(e.maxRelError() < 1e-6 && e.maxAbsDiff() < 1e-8, e.toString());
    }

    /** {C, H, W, FN, FH, FW, stride, pad}. */
    static Stream<Arguments> convolutions() {
        return Stream.of(Arguments.of(new int[] {2, 6, 6, 3, 3, 3, 1, 0}),
                Arguments.of(new int[] {2, 6, 6, 3, 3, 3, 2, 1}), Arguments.of(new int[] {3, 7, 5, 2, 2, 3, 3, 2}),
                Arguments.of(new int[] {1, 5, 5, 4, 5, 5, 1, 1}),
                Arguments.of(new int[] {2, 8, 7, 2, 3, 2, 2, 0}),
                // padding wider than the image: some columns of the window see only padding
                Arguments.of(new int[] {1, 2, 3, 2, 5, 5, 1, 2}));
    }

    @ParameterizedTest
    @MethodSource("convolutions")
    void convolutionBackwardIsTheGradient(int[] s) {
        Rng rng = new Rng(java.util.Arrays.hashCode(s));
        Parameter W = Parameter.of("W", random(rng, s[3], s[0], s[4], s[5]));
        Parameter b = Parameter.of("b", random(rng, s[3]));
        Convolution conv = new Convolution(W, b, s[6], s[7]);
        Tensor x = random(rng, 2, s[0], s[1], s[2]);
        int[] outShape = conv.outputShape(s[0], s[1], s[2]);
        Tensor dout = random(rng, 2, outShape[0], outShape[1], outShape[2]);
        DoubleSupplier loss = () -> dot(conv.forward(x), dout);
        conv.forward(x);
        Tensor dx = conv.backward(dout).copy();
        Tensor dW = W.grad().copy();
        Tensor db = b.grad().copy();
        assertAgrees("dx", dx, NumericalGradient.of(loss, x));
        assertAgrees("dW", dW, NumericalGradient.of(loss, W.value()));
        assertAgrees("db", db, NumericalGradient.of(loss, b.value()));
    }

    /**
     * One layer fed images of another size with the same number of output positions (24×24 and 32×18 through 5×5
     * filters) gives what a new layer gives for each.
     */
    @org.junit.jupiter.api.Test
    void imagesOfAnotherSizeWithAsManyPositionsAreStillRight() {
        Rng rng = new Rng(11);
        Tensor w = random(rng, 3, 2, 5, 5);
        Tensor bias = random(rng, 3);
        Convolution reused = new Convolution(Parameter.of("W", w.copy()), Parameter.of("b", bias.copy()));
        for (int[] hw : new int[][] {{28, 28}, {36, 22}, {28, 28}}) {
            Convolution fresh = new Convolution(Parameter.of("W", w.copy()), Parameter.of("b", bias.copy()));
            Tensor x = random(rng, 2, 2, hw[0], hw[1]);
            int[] o = fresh.outputShape(2, hw[0], hw[1]);
            Tensor dout = random(rng, 2, o[0], o[1], o[2]);
            assertArrayEquals(fresh.forward(x).copy().doubles(), reused.forward(x).copy().doubles());
            assertArrayEquals(fresh.backward(dout).copy().doubles(), reused.backward(dout).copy().doubles());
            assertArrayEquals(fresh.parameters().get(0).grad().copy().doubles(),
                    reused.parameters().get(0).grad().copy().doubles());
        }
    }

    /** {C, H, W, poolH, poolW, stride, pad}. */
    static Stream<Arguments> poolings() {
        return Stream.of(Arguments.of(new int[] {2, 6, 6, 2, 2, 2, 0}), Arguments.of(new int[] {2, 7, 7, 2, 2, 2, 0}),
                Arguments.of(new int[] {1, 6, 5, 3, 3, 1, 0}), Arguments.of(new int[] {2, 5, 5, 3, 2, 2, 1}),
                Arguments.of(new int[] {1, 9, 9, 2, 2, 3, 0}));
    }

    @ParameterizedTest
    @MethodSource("poolings")
    void poolingBackwardIsTheGradient(int[] s) {
        Rng rng = new Rng(java.util.Arrays.hashCode(s));
        Pooling pool = new Pooling(s[3], s[4], s[5], s[6]);
        // Distinct values at least 0.01 apart (and away from the padding's 0), so that no maximum changes within h.
        int n = 2 * s[0] * s[1] * s[2];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        Tensor x = Tensor.zeros(DType.FLOAT64, 2, s[0], s[1], s[2]);
        for (int i = 0; i < n; i++) {
            x.setDouble(i, (order[i] - n / 2 + 0.5) * 0.01);
        }
        int[] outShape = pool.outputShape(s[0], s[1], s[2]);
        Tensor dout = random(rng, 2, outShape[0], outShape[1], outShape[2]);
        double[] xBefore = x.toDoubleArray();
        pool.forward(x);
        Tensor dx = pool.backward(dout).copy();
        assertArrayEquals(xBefore, x.toDoubleArray());
        assertAgrees("dx", dx, NumericalGradient.of(() -> dot(pool.forward(x), dout), x));
    }
}
