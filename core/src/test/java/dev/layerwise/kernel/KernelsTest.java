package dev.layerwise.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.util.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kernel, on every available implementation, against a straightforward float64 reference; and the
 * implementations against each other. Sizes include the awkward ones (1, primes, not multiples of any vector width).
 */
class KernelsTest {

    static List<Kernels> implementations() {
        List<Kernels> all = new ArrayList<>();
        all.add(KernelProvider.portable());
        if (KernelProvider.vector() != null) {
            all.add(KernelProvider.vector());
        }
        return all;
    }

    static Stream<Arguments> gemmCases() {
        // With AVX-512 (16 lanes): 50 and 33 end in a panel three vectors wide and thin columns, 40 in a partial wide
        // panel (read in place past KC = 256 steps), 1 in thin columns alone, 67 in an odd number of thin columns, and
        // 1030 rows of thin columns take two blocks of rows; 17×33×9 and 100×50×10 (the book's dout·W2ᵀ) have thin
        // columns shorter than a chunk. 300×170 and 1100×153 have bands tall enough and panels enough for A and B to
        // be packed (in blocks of rows, the last panel wide or partial).
        int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {4, 16, 8}, {17, 33, 9}, {100, 50, 10}, {100, 50, 784}, {31, 67, 129},
            {64, 1, 300}, {1, 100, 50}, {128, 40, 1}, {5, 257, 19}, {37, 40, 300}, {9, 24, 260}, {1030, 18, 20},
            {300, 170, 300}, {1100, 153, 280}};
        List<Arguments> cases = new ArrayList<>();
        for (Kernels k : implementations()) {
            for (int[] s : shapes) {
                for (int trans = 0; trans < 4; trans++) {
                    cases.add(Arguments.of(k, s[0], s[1], s[2], (trans & 1) != 0, (trans & 2) != 0));
                }
            }
        }
        return cases.stream();
    }

    static double[] random(Rng rng, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = rng.nextGaussian();
        }
        return a;
    }

    static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    /** C = op(A)·op(B) in float64, the obvious way. */
    static double[] reference(boolean ta, boolean tb, int m, int n, int k, double[] a, double[] b) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double aip = ta ? a[p * m + i] : a[i * k + p];
                    double bpj = tb ? b[j * k + p] : b[p * n + j];
                    s += aip * bpj;
                }
                c[i * n + j] = s;
            }
        }
        return c;
    }

    @ParameterizedTest(name = "{0} {1}x{2}x{3} transA={4} transB={5}")
    @MethodSource("gemmCases")
    void gemmMatchesReference(Kernels kernels, int m, int n, int k, boolean ta, boolean tb) {
        Rng rng = new Rng(m * 31L + n * 7L + k);
        int pad = 3;
        double[] a = random(rng, m * k + pad);
        double[] b = random(rng, k * n + pad);
        double[] c0 = random(rng, m * n + pad);
        double[] a0 = java.util.Arrays.copyOfRange(a, pad, a.length);
        double[] b0 = java.util.Arrays.copyOfRange(b, pad, b.length);
        double[] expected = reference(ta, tb, m, n, k, a0, b0);

        double[] cd = c0.clone();
        kernels.matrix().gemm(ta, tb, m, n, k, a, pad, b, pad, cd, pad, false);
        assertClose(expected, cd, pad, 1e-12 * Math.sqrt(k), "float64");
        assertEquals(c0[0], cd[0], "elements before the offset are untouched");

        double[] acc = c0.clone();
        kernels.matrix().gemm(ta, tb, m, n, k, a, pad, b, pad, acc, pad, true);
        double[] expectedAcc = expected.clone();
        for (int i = 0; i < expectedAcc.length; i++) {
            expectedAcc[i] += c0[pad + i];
        }
        assertClose(expectedAcc, acc, pad, 1e-12 * Math.sqrt(k), "float64 accumulate");

        double[] bias = random(rng, n + pad);
        double[] withBias = c0.clone();
        kernels.matrix().gemmBias(ta, tb, m, n, k, a, pad, b, pad, bias, pad, withBias, pad);
        double[] expectedBias = expected.clone();
        for (int i = 0; i < expectedBias.length; i++) {
            expectedBias[i] += bias[pad + i % n];
        }
        assertClose(expectedBias, withBias, pad, 1e-12 * Math.sqrt(k), "float64 with bias");
        float[] withBiasF = toFloat(c0);
        kernels.matrix().gemmBias(ta, tb, m, n, k, toFloat(a), pad, toFloat(b), pad, toFloat(bias), pad, withBiasF, pad);
        assertClose(expectedBias, toDouble(withBiasF), pad, 1e-5 * Math.sqrt(k), "float32 with bias");

        float[] cf = toFloat(c0);
        kernels.matrix().gemm(ta, tb, m, n, k, toFloat(a), pad, toFloat(b), pad, cf, pad, false);
        assertClose(expected, toDouble(cf), pad, 1e-5 * Math.sqrt(k), "float32");
    }

    static Stream<Arguments> sparseCases() {
        // (m, n, k, density): the first layer of the book's net (MNIST is about 19% nonzero), one example, widths
        // around one vector, a wide layer, and an all-zero operand. The portable kernel skips A's zeros.
        double[][] shapes = {{100, 50, 784, 0.19}, {1, 50, 784, 0.19}, {37, 16, 300, 0.1}, {33, 67, 129, 0.25},
            {5, 17, 1000, 0.05}, {20, 8, 400, 0.1}, {64, 1024, 784, 0.19}, {50, 40, 200, 0.35}, {7, 33, 5, 0.2},
            {130, 70, 19, 0.0}};
        List<Arguments> cases = new ArrayList<>();
        for (Kernels k : implementations()) {
            for (double[] s : shapes) {
                for (boolean ta : new boolean[] {false, true}) {
                    cases.add(Arguments.of(k, (int) s[0], (int) s[1], (int) s[2], s[3], ta));
                }
            }
        }
        return cases.stream();
    }

    /** A matrix of which about {@code density} is nonzero (Gaussian), the rest zeros, some of them −0. */
    static double[] sparse(Rng rng, int n, double density) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = rng.nextDouble() < density ? rng.nextGaussian() : (i % 3 == 0 ? -0.0 : 0.0);
        }
        return a;
    }

    @ParameterizedTest(name = "{0} {1}x{2}x{3} density={4} transA={5}")
    @MethodSource("sparseCases")
    void productsOfAMostlyZeroLeftOperandMatchTheReference(Kernels kernels, int m, int n, int k, double density,
                                                           boolean ta) {
        Rng rng = new Rng(m * 131L + n * 17L + k);
        int pad = 5;
        double[] a = sparse(rng, m * k + pad, density);
        double[] b = random(rng, k * n + pad);
        double[] bias = random(rng, n + pad);
        double[] expected = reference(ta, false, m, n, k, java.util.Arrays.copyOfRange(a, pad, a.length),
                java.util.Arrays.copyOfRange(b, pad, b.length));
        double[] expectedBias = expected.clone();
        for (int i = 0; i < expectedBias.length; i++) {
            expectedBias[i] += bias[pad + i % n];
        }
        float[] c = toFloat(random(rng, m * n + 2 * pad));
        float before = c[0];
        float after = c[c.length - 1];
        kernels.matrix().gemm(ta, false, m, n, k, toFloat(a), pad, toFloat(b), pad, c, pad, false);
        assertClose(expected, toDouble(c), pad, 1e-5 * Math.sqrt(k), "float32");
        assertEquals(before, c[0], "elements before the offset are untouched");
        assertEquals(after, c[c.length - 1], "elements after the output are untouched");
        kernels.matrix().gemmBias(ta, false, m, n, k, toFloat(a), pad, toFloat(b), pad, toFloat(bias), pad, c, pad);
        assertClose(expectedBias, toDouble(c), pad, 1e-5 * Math.sqrt(k), "float32 with bias");
        double[] cd = random(rng, m * n + pad);
        kernels.matrix().gemmBias(ta, false, m, n, k, a, pad, b, pad, bias, pad, cd, pad);
        assertClose(expectedBias, cd, pad, 1e-12 * Math.sqrt(k), "float64 with bias");
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void aNaNInTheLeftOperandPropagatesEvenWhenItIsMostlyZeros(Kernels k) {
        int m = 20;
        int n = 40;
        int kk = 300;
        float[] a = toFloat(sparse(new Rng(3), m * kk, 0.1));
        float[] b = toFloat(random(new Rng(4), kk * n));
        a[7 * kk + 123] = Float.NaN;
        float[] c = new float[m * n];
        k.matrix().gemm(false, false, m, n, kk, a, 0, b, 0, c, 0, false);
        for (int i = 0; i < m * n; i++) {
            assertEquals(i / n == 7, Float.isNaN(c[i]), "element " + i);
        }
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static void assertClose(double[] expected, double[] actual, int offset, double tol, String what) {
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[offset + i];
            assertTrue(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)),
                    what + " element " + i + ": " + a + " vs " + e);
        }
    }

    static Stream<Kernels> kernels() {
        return implementations().stream();
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void elementwiseAndReductionKernels(Kernels k) {
        Rng rng = new Rng(5);
        int rows = 7;
        int cols = 37;
        double[] x = random(rng, rows * cols);
        x[3] = 0.0;
        x[4] = -0.0;
        x[5] = 800;
        x[6] = -800;
        double[] b = random(rng, cols);
        float[] xf = toFloat(x);

        double[] out = new double[rows * cols];
        k.elementwise().addRowVector(rows, cols, x, 0, b, 0, out, 0);
        float[] outF = new float[rows * cols];
        k.elementwise().addRowVector(rows, cols, xf, 0, toFloat(b), 0, outF, 0);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                assertEquals(x[i * cols + j] + b[j], out[i * cols + j], 0);
                assertEquals((float) x[i * cols + j] + (float) b[j], outF[i * cols + j], 0);
            }
        }

        double[] sums = new double[cols];
        k.elementwise().sumColumns(rows, cols, x, 0, sums, 0);
        double[] maxes = new double[rows];
        k.elementwise().rowMax(rows, cols, x, 0, maxes, 0);
        int[] argmax = new int[rows];
        k.elementwise().argmaxRows(rows, cols, x, 0, argmax);
        int[] argmaxF = new int[rows];
        k.elementwise().argmaxRows(rows, cols, xf, 0, argmaxF);
        for (int j = 0; j < cols; j++) {
            double s = 0;
            for (int i = 0; i < rows; i++) {
                s += x[i * cols + j];
            }
            assertEquals(s, sums[j], 1e-12);
        }
        for (int i = 0; i < rows; i++) {
            int best = 0;
            for (int j = 1; j < cols; j++) {
                if (x[i * cols + j] > x[i * cols + best]) {
                    best = j;
                }
            }
            assertEquals(best, argmax[i], "argmax row " + i);
            assertEquals(best, argmaxF[i], "float argmax row " + i);
            assertEquals(x[i * cols + best], maxes[i], 0);
        }

        boolean[] mask = new boolean[rows * cols];
        double[] relu = new double[rows * cols];
        k.elementwise().reluForward(rows * cols, x, 0, mask, relu, 0);
        double[] dx = new double[rows * cols];
        k.elementwise().reluBackward(rows * cols, x, 0, mask, dx, 0);
        boolean[] maskF = new boolean[rows * cols];
        float[] reluF = new float[rows * cols];
        k.elementwise().reluForward(rows * cols, xf, 0, maskF, reluF, 0);
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i] <= 0, mask[i], "mask " + i);
            assertEquals(mask[i], maskF[i], "float mask " + i);
            assertEquals(mask[i] ? 0.0 : x[i], relu[i], 0);
            assertEquals(mask[i] ? 0.0 : x[i], dx[i], 0);
        }

        double[] sig = new double[x.length];
        k.elementwise().sigmoidForward(x.length, x, 0, sig, 0);
        float[] sigF = new float[x.length];
        k.elementwise().sigmoidForward(x.length, xf, 0, sigF, 0);
        for (int i = 0; i < x.length; i++) {
            double expected = 1 / (1 + Math.exp(-x[i]));
            assertEquals(expected, sig[i], 1e-15, "sigmoid " + x[i]);
            assertEquals(expected, sigF[i], 1e-6, "float sigmoid " + x[i]);
            assertTrue(!Double.isNaN(sig[i]) && !Float.isNaN(sigF[i]));
        }
        double[] dsig = new double[x.length];
        k.elementwise().sigmoidBackward(x.length, x, 0, sig, 0, dsig, 0);
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i] * (1 - sig[i]) * sig[i], dsig[i], 1e-15);
        }

        double[] soft = new double[x.length];
        k.elementwise().softmaxRows(rows, cols, x, 0, soft, 0);
        float[] softF = new float[x.length];
        k.elementwise().softmaxRows(rows, cols, xf, 0, softF, 0);
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int j = 0; j < cols; j++) {
                double e = Math.exp(x[i * cols + j] - maxes[i]);
                s += e;
            }
            for (int j = 0; j < cols; j++) {
                double expected = Math.exp(x[i * cols + j] - maxes[i]) / s;
                assertEquals(expected, soft[i * cols + j], 1e-15);
                assertEquals(expected, softF[i * cols + j], 1e-6);
            }
        }

        double[] e = new double[x.length];
        k.elementwise().exp(x.length, x, 0, e, 0);
        double[] l = new double[x.length];
        double[] abs = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            abs[i] = Math.abs(x[i]) + 0.5;
        }
        k.elementwise().log(x.length, abs, 0, l, 0);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Math.exp(x[i]), e[i], Math.ulp(Math.exp(x[i])) * 2);
            assertEquals(Math.log(abs[i]), l[i], 1e-15);
        }

        double[] y = b.clone();
        k.elementwise().axpy(cols, -0.5, x, 0, y, 0);
        k.elementwise().scale(cols, 2.0, y, 0);
        for (int j = 0; j < cols; j++) {
            assertEquals(2 * (b[j] - 0.5 * x[j]), y[j], 1e-14);
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void resultsDoNotDependOnTheThreadCount(Kernels k) {
        Rng rng = new Rng(11);
        int before = Parallel.threads();
        try {
            // A wide product, the book's first layer (a panel three vectors wide and thin columns with AVX-512), and 25
            // rows of a wide panel, whose last row is a band's remainder of one on one thread but not on two, and a
            // tall product whose rows of A are packed in blocks (a band of one block on two threads, of three on one).
            // Then products whose last panel is partial and longer than a block of the shared dimension, with rows
            // enough for a packed A on one thread but not in a band of two (AVX2: 150×74, AVX-512: 196×280); a tall
            // short product of two panels, one partial (AVX2), split by rows even when B is transposed; a product of
            // few rows and many panels, split by panels; one whose partial last panel ends C's rows; and the first
            // layer for a batch of 300, whose rows go through the panels and then the thin columns in blocks, which
            // start at other rows on each thread count.
            for (int[] shape : new int[][] {{200, 130, 300}, {100, 50, 784}, {25, 40, 300}, {1100, 153, 280},
                {150, 74, 440}, {196, 280, 439}, {800, 30, 25}, {160, 300, 40}, {333, 90, 70}, {300, 50, 784}}) {
                int m = shape[0];
                int n = shape[1];
                int kk = shape[2];
                float[] a = toFloat(random(rng, m * kk));
                float[] b = toFloat(random(rng, kk * n));
                // Dense operands, then a mostly zero A (whose zeros the portable product skips).
                for (int trans = 0; trans < 6; trans++) {
                    boolean ta = (trans & 1) != 0;
                    boolean tb = (trans & 2) != 0;
                    if (trans == 4) {
                        a = toFloat(sparse(rng, m * kk, 0.15));
                    }
                    Parallel.setThreads(1);
                    float[] one = new float[m * n];
                    k.matrix().gemm(ta, tb, m, n, kk, a, 0, b, 0, one, 0, false);
                    Parallel.setThreads(2);
                    float[] two = new float[m * n];
                    k.matrix().gemm(ta, tb, m, n, kk, a, 0, b, 0, two, 0, false);
                    Parallel.setThreads(3);
                    float[] three = new float[m * n];
                    k.matrix().gemm(ta, tb, m, n, kk, a, 0, b, 0, three, 0, false);
                    String what = m + "x" + n + "x" + kk + ", transA=" + ta + " transB=" + tb;
                    assertArrayEquals(one, two, "1 vs 2 threads, " + what);
                    assertArrayEquals(one, three, "1 vs 3 threads, " + what);
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    /**
     * Products split over threads, against the reference and against one thread, bit for bit, in all three forms
     * (plain, accumulating, with a bias): row-major A times a transposed B, whose rows of a tile are read in place
     * and B packed (rows ending in a whole tile, a part of one, a lone last row); and products with thin columns,
     * whose copy of B's thin columns one task makes while the others start their tiles (split by rows, and by panels
     * when the rows are few), the last rows of a thread's band computed again with those before them (row-major A,
     * and a transposed A, as the book's {@code dW = xᵀ·dout}) or one at a time (a band shorter than a vector).
     */
    @ParameterizedTest
    @MethodSource("kernels")
    void splitProductsMatchTheReferenceOnAnyThreadCount(Kernels k) {
        Rng rng = new Rng(23);
        int before = Parallel.threads();
        try {
            // The last number: 2 for a transposed B, 1 for a transposed A.
            int[][] shapes = {{100, 784, 50, 2}, {13, 70, 50, 2}, {97, 100, 30, 2}, {9, 40, 17, 2}, {100, 50, 784, 0},
                {37, 34, 300, 0}, {1000, 50, 100, 0}, {8, 50, 784, 0}, {20, 1027, 60, 0}, {260, 18, 270, 0},
                {784, 50, 100, 1}, {60, 50, 30, 1}, {23, 18, 40, 1}};
            for (int[] shape : shapes) {
                int m = shape[0];
                int n = shape[1];
                int kk = shape[2];
                boolean ta = shape[3] == 1;
                boolean tb = shape[3] == 2;
                double[] a = random(rng, m * kk);
                double[] b = random(rng, kk * n);
                double[] bias = random(rng, n);
                double[] c0 = random(rng, m * n);
                double[] expected = reference(ta, tb, m, n, kk, a, b);
                float[] af = toFloat(a);
                float[] bf = toFloat(b);
                for (int form = 0; form < 3; form++) {
                    float[] first = null;
                    for (int threads = 1; threads <= 3; threads++) {
                        Parallel.setThreads(threads);
                        float[] c = toFloat(c0);
                        if (form == 2) {
                            k.matrix().gemmBias(ta, tb, m, n, kk, af, 0, bf, 0, toFloat(bias), 0, c, 0);
                        } else {
                            k.matrix().gemm(ta, tb, m, n, kk, af, 0, bf, 0, c, 0, form == 1);
                        }
                        String what = m + "x" + n + "x" + kk + " transA=" + ta + " transB=" + tb + " form " + form
                                + ", " + threads + " threads";
                        double[] want = expected.clone();
                        for (int i = 0; i < want.length; i++) {
                            want[i] += form == 1 ? (float) c0[i] : form == 2 ? (float) bias[i % n] : 0;
                        }
                        assertClose(want, toDouble(c), 0, 1e-5 * Math.sqrt(kk), what);
                        if (first == null) {
                            first = c;
                        } else {
                            assertArrayEquals(first, c, "as on one thread, " + what);
                        }
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    /**
     * Products narrower than two vectors store a row's last vector whole, its surplus lanes running into the rows
     * after, which are stored later: C embedded between guard values, every width up to 33, row counts around the
     * tiles' heights (a lone last row, a whole tile and one row more), both layouts of B, plain and with a bias, on
     * 1 to 3 threads. Each result must match the reference, and no value outside C may change.
     */
    @ParameterizedTest
    @MethodSource("kernels")
    void narrowProductsWriteOnlyTheirOwnRows(Kernels k) {
        Rng rng = new Rng(29);
        int before = Parallel.threads();
        int guard = 40;
        try {
            for (int threads = 1; threads <= 3; threads++) {
                Parallel.setThreads(threads);
                for (int n = 1; n <= 33; n++) {
                    for (int m : new int[] {7, 8, 9, 16, 17, 25, 41, 97}) {
                        int kk = 3 + (m + n) % 29;
                        for (int form = 0; form < 4; form++) {
                            boolean tb = (form & 1) != 0;
                            boolean withBias = (form & 2) != 0;
                            double[] a = random(rng, m * kk);
                            double[] b = random(rng, kk * n);
                            double[] bias = random(rng, n);
                            double[] expected = reference(false, tb, m, n, kk, a, b);
                            float[] c = new float[guard + m * n + guard];
                            java.util.Arrays.fill(c, -7.5f);
                            if (withBias) {
                                k.matrix().gemmBias(false, tb, m, n, kk, toFloat(a), 0, toFloat(b), 0, toFloat(bias),
                                        0, c, guard);
                                for (int i = 0; i < expected.length; i++) {
                                    expected[i] += (float) bias[i % n];
                                }
                            } else {
                                k.matrix().gemm(false, tb, m, n, kk, toFloat(a), 0, toFloat(b), 0, c, guard, false);
                            }
                            String what = m + "x" + n + "x" + kk + " transB=" + tb + " bias=" + withBias + ", "
                                    + threads + " threads";
                            assertClose(expected, toDouble(c), guard, 1e-5 * Math.sqrt(kk), what);
                            for (int i = 0; i < guard; i++) {
                                assertEquals(-7.5f, c[i], "before C, " + what);
                                assertEquals(-7.5f, c[guard + m * n + i], "after C, " + what);
                            }
                        }
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    /** Every byte value, at offsets and lengths around the vector widths, against the division in each precision. */
    @ParameterizedTest
    @MethodSource("kernels")
    void unsignedBytesAreDividedExactly(Kernels k) {
        byte[] x = new byte[1000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (byte) (i * 13 + 5);
        }
        for (int n : new int[] {0, 1, 7, 16, 33, 64, 255, 256, 997}) {
            for (int off : new int[] {0, 3}) {
                for (double divisor : new double[] {255.0, 1.0, 3.0}) {
                    float[] f = new float[n + 2];
                    double[] d = new double[n + 2];
                    k.elementwise().fromUnsignedBytes(n, x, off, (float) divisor, f, 1);
                    k.elementwise().fromUnsignedBytes(n, x, off, divisor, d, 1);
                    for (int i = 0; i < n; i++) {
                        int v = x[off + i] & 0xFF;
                        assertEquals(v / (float) divisor, f[1 + i], "float32 " + v + " / " + divisor);
                        assertEquals(v / divisor, d[1 + i], "float64 " + v + " / " + divisor);
                    }
                    assertEquals(0f, f[0]);
                    assertEquals(0f, f[n + 1], "nothing written past n");
                    assertEquals(0.0, d[n + 1]);
                }
            }
        }
    }

    /**
     * ReLU without a mask gives the masked kernels' bits: the output of reluForward, and a backward that reads the
     * mask off that output, on special values among random ones, over more elements than one task takes, in place too.
     */
    @ParameterizedTest
    @MethodSource("kernels")
    void reluFromItsOutputMatchesReluWithAMask(Kernels k) {
        Rng rng = new Rng(17);
        int n = 100_003;
        double[] x = random(rng, n);
        double[] dout = random(rng, n);
        double[] special = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Double.MIN_VALUE, -Double.MIN_VALUE, 1e-300, -1e-300};
        for (int i = 0; i < special.length; i++) {
            x[i * 7] = special[i];
            x[n - 1 - i] = special[i];
            dout[i * 7 + 1] = special[i];
            dout[i * 7] = special[(i + 2) % special.length];
        }
        float[] xf = toFloat(x);
        float[] doutF = toFloat(dout);

        boolean[] mask = new boolean[n];
        double[] withMask = new double[n];
        k.elementwise().reluForward(n, x, 0, mask, withMask, 0);
        double[] out = new double[n + 2];
        k.elementwise().reluForward(n, x, 0, out, 2);
        double[] inPlace = x.clone();
        k.elementwise().reluForward(n, inPlace, 0, inPlace, 0);
        double[] dxMask = new double[n];
        k.elementwise().reluBackward(n, dout, 0, mask, dxMask, 0);
        double[] dx = new double[n];
        k.elementwise().reluBackwardFromOutput(n, dout, 0, out, 2, dx, 0);
        double[] dxInPlace = dout.clone();
        k.elementwise().reluBackwardFromOutput(n, dxInPlace, 0, withMask, 0, dxInPlace, 0);
        for (int i = 0; i < n; i++) {
            long expected = Double.doubleToRawLongBits(withMask[i]);
            assertEquals(expected, Double.doubleToRawLongBits(out[i + 2]), "out at " + i + " for " + x[i]);
            assertEquals(expected, Double.doubleToRawLongBits(inPlace[i]), "in place at " + i + " for " + x[i]);
            long expectedDx = Double.doubleToRawLongBits(dxMask[i]);
            assertEquals(expectedDx, Double.doubleToRawLongBits(dx[i]), "dx at " + i + " for " + x[i]);
            assertEquals(expectedDx, Double.doubleToRawLongBits(dxInPlace[i]), "dx in place at " + i);
        }

        boolean[] maskF = new boolean[n];
        float[] withMaskF = new float[n];
        k.elementwise().reluForward(n, xf, 0, maskF, withMaskF, 0);
        float[] outF = new float[n + 2];
        k.elementwise().reluForward(n, xf, 0, outF, 2);
        float[] inPlaceF = xf.clone();
        k.elementwise().reluForward(n, inPlaceF, 0, inPlaceF, 0);
        float[] dxMaskF = new float[n];
        k.elementwise().reluBackward(n, doutF, 0, maskF, dxMaskF, 0);
        float[] dxF = new float[n];
        k.elementwise().reluBackwardFromOutput(n, doutF, 0, outF, 2, dxF, 0);
        float[] dxInPlaceF = doutF.clone();
        k.elementwise().reluBackwardFromOutput(n, dxInPlaceF, 0, withMaskF, 0, dxInPlaceF, 0);
        for (int i = 0; i < n; i++) {
            int expected = Float.floatToRawIntBits(withMaskF[i]);
            assertEquals(expected, Float.floatToRawIntBits(outF[i + 2]), "float out at " + i + " for " + xf[i]);
            assertEquals(expected, Float.floatToRawIntBits(inPlaceF[i]), "float in place at " + i);
            int expectedDx = Float.floatToRawIntBits(dxMaskF[i]);
            assertEquals(expectedDx, Float.floatToRawIntBits(dxF[i]), "float dx at " + i + " for " + xf[i]);
            assertEquals(expectedDx, Float.floatToRawIntBits(dxInPlaceF[i]), "float dx in place at " + i);
        }
    }
}
