package dev.layerwise.kernel.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.layerwise.kernel.Parallel;
import dev.layerwise.util.Rng;
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
        int before = Parallel.threads();
        try {
            for (int[] s : shapes) {
                int m = s[0];
                int n = s[1];
                int k = s[2];
                assertEquals(0, FloatGemm.chainSplit(m, n, k), "a shape summed in blocks");
                float[] a = gaussian(rng, k * m);
                float[] b = gaussian(rng, k * n);
                float[] bias = gaussian(rng, n);
                float[] c0 = gaussian(rng, m * n);
                for (int form = 0; form < 3; form++) {
                    boolean accumulate = form == 1;
                    float[] want = c0.clone();
                    for (int p0 = 0; p0 < k; p0 += kc) {
                        int steps = Math.min(kc, k - p0);
                        boolean first = p0 == 0;
                        FloatGemm.gemm(true, false, m, n, steps, a, p0 * m, b, p0 * n, want, 0,
                                accumulate || !first, first && form == 2 ? bias : null, 0);
                    }
                    for (int threads = 1; threads <= 3; threads++) {
                        Parallel.setThreads(threads);
                        float[] c = c0.clone();
                        FloatGemm.gemm(true, false, m, n, k, a, 0, b, 0, c, 0, accumulate, form == 2 ? bias : null,
                                0);
                        assertArrayEquals(want, c, m + "x" + n + "x" + k + " form " + form + ", " + threads
                                + " threads");
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
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
