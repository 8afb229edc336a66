package dev.layerwise.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.layerwise.util.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The convolution and pooling kernels, on every available implementation, against element-by-element references
 * written from the book's definitions, over geometries with padding, strides larger than the window, windows larger
 * than the unpadded input and output sizes that round down; and independent of the thread count.
 */
class ConvKernelsTest {

    /** {C, H, W, filterH, filterW, stride, pad}. */
    static final int[][] GEOMETRIES = {
        {3, 7, 7, 3, 3, 2, 1}, {1, 5, 6, 2, 3, 1, 0}, {2, 6, 5, 3, 3, 2, 2}, {2, 4, 4, 1, 1, 3, 0},
        {1, 3, 3, 5, 5, 1, 1}, {2, 9, 9, 2, 2, 3, 1}, {1, 28, 28, 5, 5, 1, 0}, {3, 8, 8, 2, 2, 2, 0},
        {2, 7, 7, 3, 2, 2, 1},
        // padding wider than the image: some columns of the window see only padding
        {1, 1, 1, 5, 5, 1, 2}, {2, 2, 3, 5, 5, 1, 2}, {1, 2, 2, 4, 4, 2, 2}};

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Kernels k : KernelsTest.implementations()) {
            for (int[] g : GEOMETRIES) {
                cases.add(Arguments.of(k, new ConvGeometry(g[0], g[1], g[2], g[3], g[4], g[5], g[6])));
            }
        }
        return cases.stream();
    }

    /** The element of image {@code i} read at window element (c, ky, kx) of output (oy, ox), 0 in the padding. */
    static double at(ConvGeometry g, double[] x, int i, int c, int oy, int ox, int ky, int kx) {
        int iy = oy * g.stride() + ky - g.pad();
        int ix = ox * g.stride() + kx - g.pad();
        if (iy < 0 || iy >= g.height() || ix < 0 || ix >= g.width()) {
            return 0;
        }
        return x[((i * g.channels() + c) * g.height() + iy) * g.width() + ix];
    }

    static double[] im2colReference(int n, ConvGeometry g, double[] x) {
        double[] col = new double[n * g.positions() * g.patchSize()];
        int r = 0;
        for (int i = 0; i < n; i++) {
            for (int oy = 0; oy < g.outH(); oy++) {
                for (int ox = 0; ox < g.outW(); ox++) {
                    for (int c = 0; c < g.channels(); c++) {
                        for (int ky = 0; ky < g.filterH(); ky++) {
                            for (int kx = 0; kx < g.filterW(); kx++) {
                                col[r++] = at(g, x, i, c, oy, ox, ky, kx);
                            }
                        }
                    }
                }
            }
        }
        return col;
    }

    static double[] col2imReference(int n, ConvGeometry g, double[] col) {
        double[] x = new double[n * g.imageSize()];
        int r = 0;
        for (int i = 0; i < n; i++) {
            for (int oy = 0; oy < g.outH(); oy++) {
                for (int ox = 0; ox < g.outW(); ox++) {
                    for (int c = 0; c < g.channels(); c++) {
                        for (int ky = 0; ky < g.filterH(); ky++) {
                            for (int kx = 0; kx < g.filterW(); kx++) {
                                int iy = oy * g.stride() + ky - g.pad();
                                int ix = ox * g.stride() + kx - g.pad();
                                if (iy >= 0 && iy < g.height() && ix >= 0 && ix < g.width()) {
                                    x[((i * g.channels() + c) * g.height() + iy) * g.width() + ix] += col[r];
                                }
                                r++;
                            }
                        }
                    }
                }
            }
        }
        return x;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void im2colAndCol2imMatchTheDefinition(Kernels k, ConvGeometry g) {
        Rng rng = new Rng(g.hashCode());
        int n = 3;
        int pad = 2;
        double[] x = KernelsTest.random(rng, n * g.imageSize() + pad);
        double[] x0 = java.util.Arrays.copyOfRange(x, pad, x.length);
        int colSize = n * g.positions() * g.patchSize();
        double[] col = new double[colSize + pad];
        java.util.Arrays.fill(col, Double.NaN);
        k.conv().im2col(n, g, x, pad, col, pad);
        double[] expected = im2colReference(n, g, x0);
        assertArrayEquals(expected, java.util.Arrays.copyOfRange(col, pad, col.length), 0);
        assertTrue(Double.isNaN(col[0]), "nothing written before the offset");
        float[] colF = new float[colSize];
        k.conv().im2col(n, g, KernelsTest.toFloat(x), pad, colF, 0);
        assertArrayEquals(KernelsTest.toFloat(expected), colF, 0);

        double[] dcol = KernelsTest.random(rng, colSize);
        double[] dx = new double[n * g.imageSize()];
        java.util.Arrays.fill(dx, Double.NaN);
        k.conv().col2im(n, g, dcol, 0, dx, 0);
        double[] expectedDx = col2imReference(n, g, dcol);
        assertArrayEquals(expectedDx, dx, 1e-12);
        float[] dxF = new float[n * g.imageSize()];
        k.conv().col2im(n, g, KernelsTest.toFloat(dcol), 0, dxF, 0);
        for (int i = 0; i < dx.length; i++) {
            assertEquals(expectedDx[i], dxF[i], 1e-5, "float col2im " + i);
        }
        // col2im is im2col's adjoint: <im2col(x), dcol> = <x, col2im(dcol)>.
        double lhs = 0;
        double rhs = 0;
        for (int i = 0; i < colSize; i++) {
            lhs += expected[i] * dcol[i];
        }
        for (int i = 0; i < dx.length; i++) {
            rhs += x0[i] * dx[i];
        }
        assertEquals(lhs, rhs, 1e-9 * Math.max(1, Math.abs(lhs)));
    }

    /** The book's col with each image's block transposed: {@code colT[i][e][q] = col[i·positions + q][e]}. */
    static double[] transposedPerImage(int n, ConvGeometry g, double[] col) {
        int positions = g.positions();
        int patch = g.patchSize();
        double[] colT = new double[col.length];
        for (int i = 0; i < n; i++) {
            for (int q = 0; q < positions; q++) {
                for (int e = 0; e < patch; e++) {
                    colT[(i * patch + e) * positions + q] = col[(i * positions + q) * patch + e];
                }
            }
        }
        return colT;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void im2colTAndCol2imTAreTheTransposedForms(Kernels k, ConvGeometry g) {
        Rng rng = new Rng(g.hashCode() + 1);
        int n = 3;
        int pad = 2;
        double[] x = KernelsTest.random(rng, n * g.imageSize() + pad);
        double[] x0 = java.util.Arrays.copyOfRange(x, pad, x.length);
        int colSize = n * g.positions() * g.patchSize();
        double[] colT = new double[colSize + pad];
        java.util.Arrays.fill(colT, Double.NaN);
        k.conv().im2colT(n, g, x, pad, colT, pad);
        double[] expected = transposedPerImage(n, g, im2colReference(n, g, x0));
        assertArrayEquals(expected, java.util.Arrays.copyOfRange(colT, pad, colT.length), 0);
        assertTrue(Double.isNaN(colT[0]), "nothing written before the offset");
        float[] colTF = new float[colSize];
        java.util.Arrays.fill(colTF, Float.NaN);
        k.conv().im2colT(n, g, KernelsTest.toFloat(x), pad, colTF, 0);
        assertArrayEquals(KernelsTest.toFloat(expected), colTF, 0);

        // col2imT of a transposed dcol is col2im of dcol.
        double[] dcol = KernelsTest.random(rng, colSize);
        double[] dx = new double[n * g.imageSize() + pad];
        java.util.Arrays.fill(dx, Double.NaN);
        k.conv().col2imT(n, g, transposedPerImage(n, g, dcol), 0, dx, pad);
        double[] expectedDx = col2imReference(n, g, dcol);
        assertArrayEquals(expectedDx, java.util.Arrays.copyOfRange(dx, pad, dx.length), 1e-12);
        assertTrue(Double.isNaN(dx[0]), "nothing written before the offset");
        float[] dxF = new float[n * g.imageSize()];
        java.util.Arrays.fill(dxF, Float.NaN);
        k.conv().col2imT(n, g, KernelsTest.toFloat(transposedPerImage(n, g, dcol)), 0, dxF, 0);
        for (int i = 0; i < expectedDx.length; i++) {
            assertEquals(expectedDx[i], dxF[i], 1e-5, "float col2imT " + i);
        }
    }

    /**
     * {C, H, W, filterH, filterW, stride, pad, filters, images}: DeepConvNet's layers (its first two, and one each of
     * its others over a few images, so that the positions end inside a block of the product's shared dimension), a
     * stride of 2, no padding, one position per image (a block of the product then spans hundreds of images), filters
     * a vector and a half wide, windows of 9, 12, 18 and 25 elements (a partial panel of the product, whose chains
     * restart inside a block: split where the positions end, or on no block), 3 filters (a vector mostly of padding),
     * and shapes where the vector kernels fall back to col and the product (9 filters; 130 filters with a partial
     * panel). Where the channels fill whole vectors, the kernel runs along the channels: also with a stride of 2 and
     * filters that end inside a group of 8, and with 3 vectors of channels and a 2×2 window.
     */
    static final int[][] WEIGHT_SHAPES = {
        {16, 9, 9, 3, 3, 2, 0, 20, 4}, {48, 6, 6, 2, 2, 1, 1, 16, 5},
        {1, 28, 28, 3, 3, 1, 1, 16, 3}, {16, 28, 28, 3, 3, 1, 1, 16, 3}, {16, 14, 14, 3, 3, 1, 1, 32, 4},
        {32, 14, 14, 3, 3, 1, 2, 32, 2}, {32, 8, 8, 3, 3, 1, 1, 64, 5}, {64, 8, 8, 3, 3, 1, 1, 64, 5},
        {16, 9, 9, 2, 2, 2, 1, 24, 7}, {8, 6, 7, 2, 2, 1, 0, 6, 20}, {32, 3, 3, 5, 5, 1, 1, 40, 300},
        {16, 10, 10, 3, 3, 1, 1, 9, 3}, {1, 28, 28, 5, 5, 1, 0, 30, 2}, {2, 7, 7, 3, 3, 2, 1, 12, 4},
        {1, 28, 28, 3, 3, 1, 1, 3, 2}, {1, 12, 12, 3, 3, 1, 1, 16, 10}, {2, 5, 5, 3, 3, 1, 1, 130, 12},
        {3, 6, 6, 2, 2, 1, 0, 8, 20}};

    @ParameterizedTest
    @MethodSource("dev.layerwise.kernel.KernelsTest#kernels")
    void convBackwardWeightsIsIm2colAndTheProductBitForBit(Kernels k) {
        Rng rng = new Rng(41);
        int before = Parallel.threads();
        try {
            for (int[] s : WEIGHT_SHAPES) {
                ConvGeometry g = new ConvGeometry(s[0], s[1], s[2], s[3], s[4], s[5], s[6]);
                int fn = s[7];
                int n = s[8];
                int rows = n * g.positions();
                int patch = g.patchSize();
                String what = k.name() + " " + g + ", " + fn + " filters, " + n + " images";
                double[] x = KernelsTest.random(rng, n * g.imageSize() + 1);
                double[] doutT = KernelsTest.random(rng, fn * rows + 2);
                for (int i = 0; i < x.length; i += 3) {
                    x[i] = i % 2 == 0 ? 0.0 : -0.0; // as after a ReLU, and signed zeros
                }
                for (int i = 0; i < doutT.length; i += 5) {
                    doutT[i] = 0.0;
                }
                // An infinite gradient meets the padding's zeros (NaN) and the image's values (±∞), as in col.
                doutT[2 + rows / 2] = Double.POSITIVE_INFINITY;
                float[] xF = KernelsTest.toFloat(x);
                float[] doutTF = KernelsTest.toFloat(doutT);
                float[] col = new float[rows * patch];
                k.conv().im2col(n, g, xF, 1, col, 0);
                float[] expected = new float[fn * patch];
                k.matrix().gemm(false, false, fn, patch, rows, doutTF, 2, col, 0, expected, 0, false);
                double[] colD = new double[rows * patch];
                k.conv().im2col(n, g, x, 1, colD, 0);
                double[] expectedD = new double[fn * patch];
                k.matrix().gemm(false, false, fn, patch, rows, doutT, 2, colD, 0, expectedD, 0, false);
                for (int threads = 1; threads <= 3; threads++) {
                    Parallel.setThreads(threads);
                    float[] dW = new float[fn * patch + 3];
                    java.util.Arrays.fill(dW, Float.NaN);
                    k.conv().convBackwardWeights(n, g, fn, xF, 1, doutTF, 2, dW, 3);
                    assertArrayEquals(expected, java.util.Arrays.copyOfRange(dW, 3, dW.length), 0f,
                            what + ", float32, " + threads + " threads");
                    assertTrue(Float.isNaN(dW[2]), what + ": nothing written before the offset");
                    double[] dWD = new double[fn * patch];
                    k.conv().convBackwardWeights(n, g, fn, x, 1, doutT, 2, dWD, 0);
                    assertArrayEquals(expectedD, dWD, 0, what + ", float64, " + threads + " threads");
                }
                // Not a NaN everywhere: the finite columns are the sums of their products.
                double[] cd = im2colReference(n, g, java.util.Arrays.copyOfRange(x, 1, x.length));
                int f = fn - 1;
                for (int j = 0; j < patch; j++) {
                    double sum = 0;
                    for (int q = 0; q < rows; q++) {
                        sum += doutT[2 + f * rows + q] * cd[q * patch + j];
                    }
                    assertEquals(sum, expectedD[f * patch + j], 1e-9 * rows, what + " dW[" + f + "][" + j + "]");
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    /**
     * {C, H, W, filterH, filterW, stride, pad, filters, images}: DeepConvNet's layers (the third's 196 positions end
     * in 4 that the product sums as dot products), SimpleConvNet's, windows of 5×5 with a pad of 2, 2×2 without, 1×1,
     * positions that end in 1 and 4 dot products over windows of 27 and 18 elements (past whole chunks of 16), and
     * shapes the vector kernels leave to im2colT and the product (a stride of 2, 9 filters, 196 positions of 4
     * filters, too few for dot products).
     */
    static final int[][] FORWARD_SHAPES = {
        {1, 28, 28, 3, 3, 1, 1, 16, 2}, {16, 28, 28, 3, 3, 1, 1, 16, 2}, {16, 14, 14, 3, 3, 1, 1, 32, 2},
        {32, 14, 14, 3, 3, 1, 2, 32, 2}, {32, 8, 8, 3, 3, 1, 1, 64, 2}, {64, 8, 8, 3, 3, 1, 1, 64, 2},
        {1, 28, 28, 5, 5, 1, 0, 30, 2}, {3, 12, 12, 5, 5, 1, 2, 12, 3}, {4, 9, 9, 2, 2, 1, 0, 6, 2},
        {8, 8, 8, 1, 1, 1, 0, 40, 2}, {4, 9, 9, 3, 3, 2, 1, 8, 3}, {2, 8, 8, 3, 3, 1, 1, 9, 2},
        {3, 7, 7, 3, 3, 1, 1, 8, 2}, {2, 10, 10, 3, 3, 1, 1, 12, 3}, {16, 14, 14, 3, 3, 1, 1, 4, 2}};

    @ParameterizedTest
    @MethodSource("dev.layerwise.kernel.KernelsTest#kernels")
    void convForwardIsIm2colTAndTheProductBitForBit(Kernels k) {
        Rng rng = new Rng(47);
        int before = Parallel.threads();
        try {
            for (int[] s : FORWARD_SHAPES) {
                ConvGeometry g = new ConvGeometry(s[0], s[1], s[2], s[3], s[4], s[5], s[6]);
                int fn = s[7];
                int n = s[8];
                int positions = g.positions();
                int patch = g.patchSize();
                String what = k.name() + " " + g + ", " + fn + " filters, " + n + " images";
                double[] x = KernelsTest.random(rng, n * g.imageSize() + 1);
                double[] w = KernelsTest.random(rng, fn * patch + 2);
                double[] b = KernelsTest.random(rng, fn + 3);
                for (int i = 0; i < x.length; i += 3) {
                    x[i] = i % 2 == 0 ? 0.0 : -0.0; // as after a ReLU, and signed zeros
                }
                x[1 + x.length / 2] = Double.POSITIVE_INFINITY;
                float[] xF = KernelsTest.toFloat(x);
                float[] wF = KernelsTest.toFloat(w);
                float[] bF = KernelsTest.toFloat(b);
                float[] colT = new float[n * patch * positions];
                k.conv().im2colT(n, g, xF, 1, colT, 0);
                float[] expected = new float[n * fn * positions];
                k.matrix().gemmBatch(n, false, fn, positions, patch, wF, 2, colT, 0, bF, 3, expected, 0);
                double[] colTD = new double[n * patch * positions];
                k.conv().im2colT(n, g, x, 1, colTD, 0);
                double[] expectedD = new double[n * fn * positions];
                k.matrix().gemmBatch(n, false, fn, positions, patch, w, 2, colTD, 0, b, 3, expectedD, 0);
                for (int threads = 1; threads <= 3; threads++) {
                    Parallel.setThreads(threads);
                    float[] out = new float[n * fn * positions + 3];
                    java.util.Arrays.fill(out, Float.NaN);
                    k.conv().convForward(n, g, fn, xF, 1, wF, 2, bF, 3, out, 3);
                    assertArrayEquals(expected, java.util.Arrays.copyOfRange(out, 3, out.length), 0f,
                            what + ", float32, " + threads + " threads");
                    assertTrue(Float.isNaN(out[2]), what + ": nothing written before the offset");
                    double[] outD = new double[n * fn * positions];
                    k.conv().convForward(n, g, fn, x, 1, w, 2, b, 3, outD, 0);
                    assertArrayEquals(expectedD, outD, 0, what + ", float64, " + threads + " threads");
                }
                // Against the definition, on the first image (the infinity is in another).
                double[] col = im2colReference(1, g, java.util.Arrays.copyOfRange(x, 1, 1 + g.imageSize()));
                for (int f = 0; f < fn; f++) {
                    for (int q = 0; q < positions; q++) {
                        double sum = b[3 + f];
                        for (int j = 0; j < patch; j++) {
                            sum += w[2 + f * patch + j] * col[q * patch + j];
                        }
                        assertEquals(sum, expectedD[f * positions + q], 1e-9 * patch, what + " out[0] " + f + " " + q);
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    /**
     * {C, H, W, filterH, filterW, stride, pad, filters, images}: DeepConvNet's layers that pass dx on, windows of 5×5,
     * 2×3 and 1×1, pads from 0 to the window's, and shapes the vector kernels leave to the product and col2imT (a
     * stride of 2, a pad as wide as the window, 9 window elements, more filters than a block of the product).
     */
    static final int[][] INPUT_SHAPES = {
        {16, 28, 28, 3, 3, 1, 1, 16, 3}, {16, 14, 14, 3, 3, 1, 1, 32, 2}, {32, 14, 14, 3, 3, 1, 2, 32, 2},
        {32, 8, 8, 3, 3, 1, 1, 64, 3}, {64, 8, 8, 3, 3, 1, 1, 64, 2}, {3, 12, 11, 5, 5, 1, 2, 30, 3},
        {4, 7, 9, 2, 3, 1, 0, 5, 4}, {8, 5, 6, 1, 1, 1, 0, 12, 3}, {2, 6, 6, 3, 3, 1, 0, 16, 2},
        {4, 9, 9, 3, 3, 2, 1, 8, 3}, {2, 5, 5, 2, 2, 1, 2, 6, 2}, {1, 6, 6, 3, 3, 1, 1, 4, 2},
        {2, 4, 4, 2, 2, 1, 1, 300, 2}};

    @ParameterizedTest
    @MethodSource("dev.layerwise.kernel.KernelsTest#kernels")
    void convBackwardInputIsTheProductThenCol2imTBitForBit(Kernels k) {
        Rng rng = new Rng(43);
        int before = Parallel.threads();
        try {
            for (int[] s : INPUT_SHAPES) {
                ConvGeometry g = new ConvGeometry(s[0], s[1], s[2], s[3], s[4], s[5], s[6]);
                int fn = s[7];
                int n = s[8];
                int positions = g.positions();
                int patch = g.patchSize();
                double[] dout = KernelsTest.random(rng, n * fn * positions + 1);
                double[] w = KernelsTest.random(rng, fn * patch + 2);
                for (int i = 0; i < dout.length; i += 3) {
                    dout[i] = i % 2 == 0 ? 0.0 : -0.0; // as after a ReLU's backward, and signed zeros
                }
                dout[1 + dout.length / 2] = Double.POSITIVE_INFINITY;
                for (int round = 0; round < 2; round++) {
                    // Then a NaN filter: dx takes the product and col2imT, whose NaNs stay where they fall.
                    if (round == 1) {
                        w[2 + patch / 2] = Double.NaN;
                    }
                    String what = k.name() + " " + g + ", " + fn + " filters, " + n + " images"
                            + (round == 1 ? ", a NaN filter" : "");
                    float[] doutF = KernelsTest.toFloat(dout);
                    float[] wF = KernelsTest.toFloat(w);
                    float[] dcolT = new float[n * patch * positions];
                    k.matrix().gemmBatch(n, true, patch, positions, fn, wF, 2, doutF, 1, null, 0, dcolT, 0);
                    float[] expected = new float[n * g.imageSize()];
                    k.conv().col2imT(n, g, dcolT, 0, expected, 0);
                    double[] dcolTD = new double[n * patch * positions];
                    k.matrix().gemmBatch(n, true, patch, positions, fn, w, 2, dout, 1, null, 0, dcolTD, 0);
                    double[] expectedD = new double[n * g.imageSize()];
                    k.conv().col2imT(n, g, dcolTD, 0, expectedD, 0);
                    for (int threads = 1; threads <= 3; threads++) {
                        Parallel.setThreads(threads);
                        float[] dx = new float[n * g.imageSize() + 3];
                        java.util.Arrays.fill(dx, Float.NaN);
                        k.conv().convBackwardInput(n, g, fn, doutF, 1, wF, 2, dx, 3);
                        assertArrayEquals(expected, java.util.Arrays.copyOfRange(dx, 3, dx.length), 0f,
                                what + ", float32, " + threads + " threads");
                        assertTrue(Float.isNaN(dx[2]), what + ": nothing written before the offset");
                        double[] dxD = new double[n * g.imageSize()];
                        k.conv().convBackwardInput(n, g, fn, dout, 1, w, 2, dxD, 0);
                        assertArrayEquals(expectedD, dxD, 0, what + ", float64, " + threads + " threads");
                    }
                    if (round == 0) {
                        // Against the definition, on an image whose gradient has no infinity.
                        double[] dcol = new double[positions * patch];
                        for (int q = 0; q < positions; q++) {
                            for (int j = 0; j < patch; j++) {
                                double sum = 0;
                                for (int f = 0; f < fn; f++) {
                                    sum += w[2 + f * patch + j] * dout[1 + f * positions + q];
                                }
                                dcol[q * patch + j] = sum;
                            }
                        }
                        double[] dx0 = col2imReference(1, g, dcol);
                        for (int i = 0; i < dx0.length; i++) {
                            assertEquals(dx0[i], expectedD[i], 1e-9 * fn * patch, what + " dx[0] " + i);
                        }
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    /**
     * The convolution's passes reuse their threads' scratch (padded images, blocks of dout, the planes being summed):
     * once warm, a call allocates nothing, measured with the JVM's per-thread allocation counter on one thread.
     */
    @ParameterizedTest
    @MethodSource("dev.layerwise.kernel.KernelsTest#kernels")
    void theConvolutionPassesAllocateNothingOnceWarm(Kernels k) {
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadAllocatedMemorySupported(), "this JVM cannot count allocations per thread");
        mx.setThreadAllocatedMemoryEnabled(true);
        ConvGeometry g = new ConvGeometry(16, 14, 14, 3, 3, 1, 1);
        int fn = 32;
        int n = 4;
        Rng rng = new Rng(53);
        float[] x = KernelsTest.toFloat(KernelsTest.random(rng, n * g.imageSize()));
        float[] w = KernelsTest.toFloat(KernelsTest.random(rng, fn * g.patchSize()));
        float[] b = KernelsTest.toFloat(KernelsTest.random(rng, fn));
        float[] out = new float[n * fn * g.positions()];
        float[] dW = new float[fn * g.patchSize()];
        float[] dx = new float[x.length];
        double[] xD = KernelsTest.random(rng, x.length);
        double[] wD = KernelsTest.random(rng, w.length);
        double[] bD = KernelsTest.random(rng, fn);
        double[] outD = new double[out.length];
        double[] dWD = new double[dW.length];
        double[] dxD = new double[dx.length];
        Runnable passes = () -> {
            k.conv().convForward(n, g, fn, x, 0, w, 0, b, 0, out, 0);
            k.conv().convBackwardWeights(n, g, fn, x, 0, out, 0, dW, 0);
            k.conv().convBackwardInput(n, g, fn, out, 0, w, 0, dx, 0);
            k.conv().convForward(n, g, fn, xD, 0, wD, 0, bD, 0, outD, 0);
            k.conv().convBackwardWeights(n, g, fn, xD, 0, outD, 0, dWD, 0);
            k.conv().convBackwardInput(n, g, fn, outD, 0, wD, 0, dxD, 0);
        };
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            // Until the JIT has compiled the kernels (longer on a loaded machine): windows of calls until one is clean.
            long perCall = Long.MAX_VALUE;
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (perCall >= 64 && System.nanoTime() < deadline) {
                for (int i = 0; i < 50; i++) {
                    passes.run();
                }
                long start = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 50; i++) {
                    passes.run();
                }
                perCall = (mx.getCurrentThreadAllocatedBytes() - start) / 50;
            }
            assertTrue(perCall < 64, k.name() + ": the passes allocated " + perCall + " bytes a call");
        } finally {
            Parallel.setThreads(before);
        }
    }

    /** {m, n, k, batch}: shapes with partial tiles and panels, a single row, a long shared dimension. */
    static final int[][] BATCH_SHAPES = {{30, 576, 25, 3}, {7, 45, 19, 4}, {1, 33, 5, 2}, {16, 49, 300, 2},
        {9, 1, 3, 5}, {3, 4, 0, 2}};

    @ParameterizedTest
    @MethodSource("dev.layerwise.kernel.KernelsTest#kernels")
    void gemmBatchIsOneProductPerEntry(Kernels k) {
        Rng rng = new Rng(31);
        for (int[] shape : BATCH_SHAPES) {
            int m = shape[0];
            int n = shape[1];
            int kk = shape[2];
            int batch = shape[3];
            for (boolean transA : new boolean[] {false, true}) {
                double[] a = KernelsTest.random(rng, m * kk + 1);
                double[] b = KernelsTest.random(rng, batch * kk * n + 2);
                double[] bias = KernelsTest.random(rng, m + 3);
                for (boolean withBias : new boolean[] {false, true}) {
                    double[] expected = new double[batch * m * n];
                    for (int i = 0; i < batch; i++) {
                        for (int r = 0; r < m; r++) {
                            for (int j = 0; j < n; j++) {
                                double s = withBias ? bias[3 + r] : 0;
                                for (int p = 0; p < kk; p++) {
                                    double av = transA ? a[1 + p * m + r] : a[1 + r * kk + p];
                                    s += av * b[2 + (i * kk + p) * n + j];
                                }
                                expected[(i * m + r) * n + j] = s;
                            }
                        }
                    }
                    String what = k.name() + " " + java.util.Arrays.toString(shape) + (transA ? " Aᵀ" : "")
                            + (withBias ? " + bias" : "");
                    double[] c = new double[batch * m * n + 4];
                    java.util.Arrays.fill(c, Double.NaN);
                    k.matrix().gemmBatch(batch, transA, m, n, kk, a, 1, b, 2, withBias ? bias : null, 3, c, 4);
                    assertArrayEquals(expected, java.util.Arrays.copyOfRange(c, 4, c.length), 1e-12, what);
                    assertTrue(Double.isNaN(c[3]), what + ": nothing written before the offset");
                    float[] cF = new float[batch * m * n];
                    java.util.Arrays.fill(cF, Float.NaN);
                    k.matrix().gemmBatch(batch, transA, m, n, kk, KernelsTest.toFloat(a), 1, KernelsTest.toFloat(b), 2,
                            withBias ? KernelsTest.toFloat(bias) : null, 3, cF, 0);
                    for (int i = 0; i < expected.length; i++) {
                        assertEquals(expected[i], cF[i], 1e-4 * (1 + Math.abs(expected[i])), what + " float " + i);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void maxPoolingMatchesTheDefinition(Kernels k, ConvGeometry g) {
        Rng rng = new Rng(g.hashCode() + 1L);
        int n = 2;
        double[] x = KernelsTest.random(rng, n * g.imageSize());
        for (int i = 0; i + 1 < x.length; i += 5) {
            x[i + 1] = x[i]; // ties, which the first maximum in the window's order wins
        }
        int outSize = n * g.channels() * g.positions();
        double[] expected = new double[outSize];
        int[] expectedArg = new int[outSize];
        int o = 0;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < g.channels(); c++) {
                for (int oy = 0; oy < g.outH(); oy++) {
                    for (int ox = 0; ox < g.outW(); ox++, o++) {
                        double best = 0;
                        int arg = -2;
                        for (int ky = 0; ky < g.filterH(); ky++) {
                            for (int kx = 0; kx < g.filterW(); kx++) {
                                double v = at(g, x, i, c, oy, ox, ky, kx);
                                if (arg == -2 || v > best) {
                                    best = v;
                                    int iy = oy * g.stride() + ky - g.pad();
                                    int ix = ox * g.stride() + kx - g.pad();
                                    boolean inside = iy >= 0 && iy < g.height() && ix >= 0 && ix < g.width();
                                    arg = inside ? iy * g.width() + ix : -1;
                                }
                            }
                        }
                        expected[o] = best;
                        expectedArg[o] = arg;
                    }
                }
            }
        }
        double[] out = new double[outSize];
        int[] arg = new int[outSize];
        k.conv().maxPoolForward(n, g, x, 0, arg, out, 0);
        assertArrayEquals(expected, out, 0);
        assertArrayEquals(expectedArg, arg);
        float[] outF = new float[outSize];
        int[] argF = new int[outSize];
        k.conv().maxPoolForward(n, g, KernelsTest.toFloat(x), 0, argF, outF, 0);
        assertArrayEquals(KernelsTest.toFloat(expected), outF, 0);
        assertArrayEquals(expectedArg, argF);

        double[] dout = KernelsTest.random(rng, outSize);
        double[] expectedDx = new double[n * g.imageSize()];
        int plane = g.height() * g.width();
        for (int q = 0; q < outSize; q++) {
            if (expectedArg[q] >= 0) {
                expectedDx[q / g.positions() * plane + expectedArg[q]] += dout[q];
            }
        }
        double[] dx = new double[expectedDx.length];
        java.util.Arrays.fill(dx, Double.NaN);
        k.conv().maxPoolBackward(n, g, dout, 0, arg, dx, 0);
        assertArrayEquals(expectedDx, dx, 1e-15);
        float[] dxF = new float[expectedDx.length];
        k.conv().maxPoolBackward(n, g, KernelsTest.toFloat(dout), 0, arg, dxF, 0);
        for (int i = 0; i < dx.length; i++) {
            assertEquals(expectedDx[i], dxF[i], 1e-6 * Math.max(1, Math.abs(expectedDx[i])));
        }
    }

    @Test
    void theVectorKernelsPoolWidePlanesBitForBitAsThePortableOnes() {
        // Against the portable kernels, so only where there is another implementation: comparing the portable kernels
        // with themselves could not fail.
        Kernels k = KernelProvider.vector();
        assumeTrue(k != null, "the Vector API kernels cannot run in this JVM");
        // Planes as wide as SimpleConvNet's and DeepConvNet's and a few others without padding, where the vector
        // kernels pool a vector of outputs at a time (2×2 windows of stride 2 a row at a time, from rows of odd and
        // even widths, narrower and wider than a vector), with ties, −0 beside +0, and NaNs (a vector of outputs that
        // meets one is redone, the first or the second of two taken together), on 1 to 3 threads (each stops short of
        // the next one's outputs).
        int[][] geometries = {{3, 24, 24, 2, 2, 2, 0}, {2, 9, 13, 3, 3, 2, 0}, {1, 10, 10, 2, 2, 1, 0},
            {16, 28, 28, 2, 2, 2, 0}, {32, 16, 16, 2, 2, 2, 0}, {64, 8, 8, 2, 2, 2, 0}, {2, 9, 13, 2, 2, 2, 0},
            {1, 70, 71, 2, 2, 2, 0}, {5, 3, 3, 2, 2, 2, 0}};
        int before = Parallel.threads();
        try {
            for (int threads = 1; threads <= 3; threads++) {
                Parallel.setThreads(threads);
                for (int[] gs : geometries) {
                    ConvGeometry g = new ConvGeometry(gs[0], gs[1], gs[2], gs[3], gs[4], gs[5], gs[6]);
                    int n = 3;
                    float[] x = KernelsTest.toFloat(KernelsTest.random(new Rng(5), n * g.imageSize()));
                    for (int i = 0; i + 1 < x.length; i += 7) {
                        x[i + 1] = x[i];
                    }
                    for (int i = 3; i + 1 < x.length; i += 11) {
                        x[i] = -0f;
                        x[i + 1] = 0f;
                    }
                    x[40] = Float.NaN;
                    // In output row 1: the second vector of a pair where a row is one vector.
                    x[2 * g.width() + 5] = Float.NaN;
                    x[x.length - 3] = Float.NaN;
                    int outSize = n * g.channels() * g.positions();
                    float[] expected = new float[outSize + 2];
                    int[] expectedArg = new int[outSize];
                    KernelProvider.portable().conv().maxPoolForward(n, g, x, 0, expectedArg, expected, 2);
                    float[] out = new float[outSize + 2];
                    int[] arg = new int[outSize];
                    k.conv().maxPoolForward(n, g, x, 0, arg, out, 2);
                    for (int o = 0; o < outSize; o++) {
                        assertEquals(Float.floatToIntBits(expected[o + 2]), Float.floatToIntBits(out[o + 2]),
                                g + ", " + threads + " threads, output " + o);
                    }
                    assertArrayEquals(expectedArg, arg, g + ", " + threads + " threads");
                    assertEquals(0f, out[0], "nothing written before the offset");
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.layerwise.kernel.KernelsTest#kernels")
    void theFirstNaNInAPoolingWindowIsItsMaximum(Kernels k) {
        // 2×2 windows, a 3×3 window, and a window over the padding: each path of the kernels.
        ConvGeometry[] geometries = {new ConvGeometry(1, 3, 3, 2, 2, 1, 0), new ConvGeometry(1, 3, 3, 3, 3, 1, 0),
            new ConvGeometry(1, 3, 3, 2, 2, 2, 1)};
        double[] x = {1, Double.NaN, 3, 2, -0.0, 0.0, Double.NaN, 5, 4};
        int[][] expectedArg = {{1, 1, 6, 7}, {1}, {0, 1, 6, 7}};
        for (int c = 0; c < geometries.length; c++) {
            ConvGeometry g = geometries[c];
            double[] out = new double[g.positions()];
            int[] arg = new int[g.positions()];
            k.conv().maxPoolForward(1, g, x, 0, arg, out, 0);
            float[] outF = new float[g.positions()];
            int[] argF = new int[g.positions()];
            k.conv().maxPoolForward(1, g, KernelsTest.toFloat(x), 0, argF, outF, 0);
            assertArrayEquals(expectedArg[c], arg, g.toString());
            assertArrayEquals(expectedArg[c], argF, g.toString());
            for (int o = 0; o < out.length; o++) {
                boolean nan = Double.isNaN(x[Math.max(0, arg[o])]) && arg[o] >= 0;
                assertEquals(nan, Double.isNaN(out[o]), g + " output " + o);
                assertEquals(nan, Float.isNaN(outF[o]), g + " float output " + o);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.layerwise.kernel.KernelsTest#kernels")
    void layoutKernels(Kernels k) {
        Rng rng = new Rng(17);
        int d0 = 5;
        int d1 = 7;
        int block = 11;
        double[] x = KernelsTest.random(rng, d0 * d1 * block);
        double[] out = new double[x.length];
        k.elementwise().swapAxes01(d0, d1, block, x, 0, out, 0);
        float[] outF = new float[x.length];
        k.elementwise().swapAxes01(d0, d1, block, KernelsTest.toFloat(x), 0, outF, 0);
        for (int i = 0; i < d0; i++) {
            for (int j = 0; j < d1; j++) {
                for (int e = 0; e < block; e++) {
                    double v = x[(i * d1 + j) * block + e];
                    assertEquals(v, out[(j * d0 + i) * block + e], 0);
                    assertEquals((float) v, outF[(j * d0 + i) * block + e], 0);
                }
            }
        }
        double[] sums = new double[d0];
        k.elementwise().sumRows(d0, d1 * block, x, 0, sums, 0);
        float[] sumsF = new float[d0];
        k.elementwise().sumRows(d0, d1 * block, KernelsTest.toFloat(x), 0, sumsF, 0);
        for (int i = 0; i < d0; i++) {
            double s = 0;
            for (int j = 0; j < d1 * block; j++) {
                s += x[i * d1 * block + j];
            }
            assertEquals(s, sums[i], 1e-12);
            assertEquals(s, sumsF[i], 1e-4);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.layerwise.kernel.KernelsTest#kernels")
    void resultsDoNotDependOnTheThreadCount(Kernels k) {
        ConvGeometry g = new ConvGeometry(3, 13, 11, 3, 3, 1, 1);
        ConvGeometry pool = new ConvGeometry(3, 13, 11, 3, 3, 2, 1);
        int n = 37;
        Rng rng = new Rng(23);
        float[] x = KernelsTest.toFloat(KernelsTest.random(rng, n * g.imageSize()));
        float[] dcol = KernelsTest.toFloat(KernelsTest.random(rng, n * g.positions() * g.patchSize()));
        float[] dout = KernelsTest.toFloat(KernelsTest.random(rng, n * pool.channels() * pool.positions()));
        float[] b = KernelsTest.toFloat(KernelsTest.random(rng, n));
        float[] big = KernelsTest.toFloat(KernelsTest.random(rng, 150_001));
        float[] bigDout = KernelsTest.toFloat(KernelsTest.random(rng, big.length));
        int before = Parallel.threads();
        List<float[]> previous = null;
        try {
            for (int threads = 1; threads <= 3; threads++) {
                Parallel.setThreads(threads);
                List<float[]> results = new ArrayList<>();
                float[] col = new float[dcol.length];
                k.conv().im2col(n, g, x, 0, col, 0);
                results.add(col);
                float[] dx = new float[x.length];
                k.conv().col2im(n, g, dcol, 0, dx, 0);
                results.add(dx);
                int[] arg = new int[dout.length];
                float[] out = new float[dout.length];
                k.conv().maxPoolForward(n, pool, x, 0, arg, out, 0);
                results.add(out);
                float[] dxPool = new float[x.length];
                k.conv().maxPoolBackward(n, pool, dout, 0, arg, dxPool, 0);
                results.add(dxPool);
                float[] swapped = new float[x.length];
                k.elementwise().swapAxes01(n, 3, 13 * 11, x, 0, swapped, 0);
                results.add(swapped);
                float[] sums = new float[n];
                k.elementwise().sumRows(n, g.imageSize(), x, 0, sums, 0);
                results.add(sums);
                float[] colT = new float[dcol.length];
                k.conv().im2colT(n, g, x, 0, colT, 0);
                results.add(colT);
                float[] dxT = new float[x.length];
                k.conv().col2imT(n, g, dcol, 0, dxT, 0);
                results.add(dxT);
                float[] convOut = new float[n * 5 * g.positions()];
                k.matrix().gemmBatch(n, false, 5, g.positions(), g.patchSize(), dcol, 3, colT, 0, b, 1, convOut, 0);
                results.add(convOut);
                // ReLU, Adam and axpy (SGD) split long arrays over the threads: give them more than a task's worth.
                float[] reluOut = new float[big.length];
                boolean[] mask = new boolean[big.length];
                k.elementwise().reluForward(big.length, big, 0, mask, reluOut, 0);
                results.add(reluOut);
                float[] reluDx = new float[big.length];
                k.elementwise().reluBackward(big.length, bigDout, 0, mask, reluDx, 0);
                results.add(reluDx);
                float[] reluOutNoMask = new float[big.length];
                k.elementwise().reluForward(big.length, big, 0, reluOutNoMask, 0);
                results.add(reluOutNoMask);
                float[] reluDxFromOut = new float[big.length];
                k.elementwise().reluBackwardFromOutput(big.length, bigDout, 0, reluOutNoMask, 0, reluDxFromOut, 0);
                results.add(reluDxFromOut);
                float[] m = new float[big.length];
                float[] v = new float[big.length];
                float[] w = big.clone();
                for (int step = 0; step < 3; step++) {
                    k.update().adamUpdate(big.length, 1e-3, 0.9, 0.999, 1e-7, bigDout, 0, m, 0, v, 0, w, 0);
                }
                results.add(m);
                results.add(v);
                results.add(w);
                float[] y = big.clone();
                k.elementwise().axpy(big.length, -0.1f, bigDout, 0, y, 0);
                results.add(y);
                if (previous != null) {
                    for (int r = 0; r < results.size(); r++) {
                        assertArrayEquals(previous.get(r), results.get(r), "kernel " + r + " with " + threads
                                + " threads");
                    }
                }
                previous = results;
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void geometryRoundsDownAndRejectsWhatDoesNotFit() {
        ConvGeometry g = new ConvGeometry(1, 7, 8, 2, 2, 2, 0);
        assertEquals(3, g.outH(), "(7 − 2) / 2 + 1 rounds down, as the book's int(…) and //");
        assertEquals(4, g.outW());
        assertEquals(new ConvGeometry(1, 3, 3, 5, 5, 1, 1).outH(), 1, "a window may cover the padding");
        String message = assertThrows(IllegalArgumentException.class,
                () -> new ConvGeometry(1, 3, 3, 5, 5, 1, 0)).getMessage();
        assertTrue(message.contains("(1, 3, 3)") && message.contains("5×5"), message);
        assertThrows(IllegalArgumentException.class, () -> new ConvGeometry(1, 3, 3, 2, 2, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ConvGeometry(1, 3, 3, 2, 2, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new ConvGeometry(1, 3, 3, 2, 2, 1, -1));
        assertThrows(IllegalArgumentException.class, () -> new ConvGeometry(0, 3, 3, 2, 2, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new ConvGeometry(1, 3, 3, 0, 2, 1, 0));
    }
}
