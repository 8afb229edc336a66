package dev.layerwise.kernel.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.layerwise.kernel.Parallel;
import dev.layerwise.util.Rng;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class FloatGemmTest {

    /**
     * A product longer than one block of the shared dimension sums each block of {@link FloatGemm#KC} steps in one
     * chain from zero and adds the blocks to C in order ({@link FloatGemm#chainSplit} 0), however its tiles go
     * through the blocks: the same bits as the products of its blocks, each added into C in turn. A transposed A
     * makes each block a product of its own. The shapes have whole panels and no thin columns; bands tall enough for
     * a packed A, with rows past the whole tiles; up to three spans of {@link FloatGemm#CHAIN_STEPS}; plain,
     * accumulating and with a bias; 1 to 3 threads.
     */
    @Test
    void longProductsAddTheirBlocksToCInOrder() {
        int kc = FloatGemm.KC;
        int chain = FloatGemm.CHAIN_STEPS;
        int nr = FloatGemm.NR;
        int[][] shapes = {{136, 4 * nr, kc + 1}, {300, 6 * nr, 3 * kc + 17}, {203, 5 * nr, chain + kc + 5},
            {600, 4 * nr, 2 * chain + 3}, {1030, 8 * nr, 2 * kc}};
        Rng rng = new Rng(31);
        for (int[] s : shapes) {
            Operands o = Operands.draw(s, rng);
            int m = o.m();
            int n = o.n();
            int k = o.k();
            assertEquals(0, FloatGemm.chainSplit(m, n, k), "a shape summed in blocks");
            for (int form = 0; form < 3; form++) {
                boolean accumulate = form == 1;
                float[] withBias = form == 2 ? o.bias() : null;
                float[] want = o.c0().clone();
                for (int p0 = 0; p0 < k; p0 += kc) {
                    int steps = Math.min(kc, k - p0);
                    boolean first = p0 == 0;
                    FloatGemm.gemm(true, false, m, n, steps, o.a(), p0 * m, o.b(), p0 * n, want, 0,
                            accumulate || !first, first ? withBias : null, 0);
                }
                assertOnOneToThreeThreads(want, o.c0(), o + " form " + form,
                        c -> FloatGemm.gemm(true, false, m, n, k, o.a(), 0, o.b(), 0, c, 0, accumulate, withBias, 0));
            }
        }
    }

    /**
     * A product of few panels (at most three two vectors wide, or two and a wide last one: every tile reads A in place
     * on any split) sums up to {@link FloatGemm#UNBLOCKED_STEPS} steps in one chain of multiply-adds from zero, and
     * longer ones in blocks of {@link FloatGemm#KC}, each block's chain added to C in turn: the same bits as such
     * chains written out with {@link Math#fma}. Whole panels (32 or 48 columns), no thin columns and no lone row, which
     * sum otherwise; A and B each in place or transposed; plain, accumulating and with a bias; 1 to 3 threads.
     */
    @Test
    void productsOfFewPanelsSumUpToAThousandStepsInOneChain() {
        int[][] shapes = {{100, 48, 784}, {64, 32, 1000}, {30, 32, 300}, {202, 48, FloatGemm.UNBLOCKED_STEPS},
            {96, 48, FloatGemm.UNBLOCKED_STEPS + 5}};
        Rng rng = new Rng(37);
        for (int[] s : shapes) {
            Operands o = Operands.draw(s, rng);
            int m = o.m();
            int n = o.n();
            int k = o.k();
            int block = k <= FloatGemm.UNBLOCKED_STEPS ? k : FloatGemm.KC;
            assertEquals(block, FloatGemm.blockSteps(m, n, k), o.toString());
            for (int kind = 0; kind < 3; kind++) {
                boolean ta = kind == 1;
                boolean tb = kind == 2;
                for (int form = 0; form < 3; form++) {
                    boolean accumulate = form == 1;
                    float[] withBias = form == 2 ? o.bias() : null;
                    float[] want = chains(ta, tb, o, accumulate, withBias, block);
                    assertOnOneToThreeThreads(want, o.c0(), o + " kind " + kind + " form " + form,
                            c -> FloatGemm.gemm(ta, tb, m, n, k, o.a(), 0, o.b(), 0, c, 0, accumulate, withBias, 0));
                }
            }
        }
    }

    /** {@code product} into a copy of {@code c0} on 1, 2 and 3 threads: each time {@code want}, to the bit. */
    private static void assertOnOneToThreeThreads(float[] want, float[] c0, String what, Consumer<float[]> product) {
        int before = Parallel.threads();
        try {
            for (int threads = 1; threads <= 3; threads++) {
                Parallel.setThreads(threads);
                float[] c = c0.clone();
                product.accept(c);
                assertArrayEquals(want, c, what + ", " + threads + " threads");
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    /** {@code C (+)= op(A)·op(B)} summed in chains of {@code block} steps, each from zero and added to C in turn. */
    private static float[] chains(boolean ta, boolean tb, Operands o, boolean accumulate, float[] bias, int block) {
        int m = o.m();
        int n = o.n();
        int k = o.k();
        float[] a = o.a();
        float[] b = o.b();
        float[] c0 = o.c0();
        float[] c = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = accumulate ? c0[i * n + j] : bias != null ? bias[j] : 0f;
                for (int p0 = 0; p0 < k; p0 += block) {
                    float chain = 0f;
                    for (int p = p0; p < Math.min(k, p0 + block); p++) {
                        chain = Math.fma(a[ta ? p * m + i : i * k + p], b[tb ? j * k + p : p * n + j], chain);
                    }
                    sum = p0 == 0 && !accumulate && bias == null ? chain : sum + chain;
                }
                c[i * n + j] = sum;
            }
        }
        return c;
    }

    /**
     * A product's shape {@code m × n × k} and its operands drawn from a normal distribution: A and B
     * ({@code m·k} and {@code k·n} floats, read in place or transposed as a test asks), a bias and C's first values.
     */
    private record Operands(int m, int n, int k, float[] a, float[] b, float[] bias, float[] c0) {
        static Operands draw(int[] shape, Rng rng) {
            int m = shape[0];
            int n = shape[1];
            int k = shape[2];
            return new Operands(m, n, k, gaussian(rng, m * k), gaussian(rng, k * n), gaussian(rng, n),
                    gaussian(rng, m * n));
        }

        @Override
        public String toString() {
            return m + "x" + n + "x" + k;
        }
    }

    private static float[] gaussian(Rng rng, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        return x;
    }
}
