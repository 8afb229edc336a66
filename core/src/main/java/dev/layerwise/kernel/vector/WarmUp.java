package dev.layerwise.kernel.vector;

import dev.layerwise.kernel.ConvGeometry;
import dev.layerwise.kernel.Kernels;
import dev.layerwise.kernel.Parallel;

/**
 * Runs every Vector API kernel once on small arrays, so that the vector classes each uses are loaded and initialised
 * before the JIT compiles it: C2 compiling a kernel whose vector classes are not yet all loaded gives up on the
 * intrinsics and keeps the slow, allocating fallback for good (on JDK 17).
 *
 * <p>The float32 kernels warm up when the kernels are made ({@link #floats()}): nearly every run uses them, and
 * {@code layerwise train} reads MNIST meanwhile. The float64 kernels warm up once, at the first call of any of them
 * ({@link #doublesBeforeFirstUse()}), so that a float32 run never pays for them; warming them up beside the float32
 * ones on a thread of their own made a cold start slower, since on two cores that thread took the CPU from the JIT
 * and from reading the data.
 */
final class WarmUp {
    /**
     * The vectors of exp's warm-up. With only a few, C2's first code for its loop can be an on-stack replacement whose
     * standard compile comes much later, every call meanwhile running the allocating fallback; with as many as the
     * other kernels' warm-up, a cold start waits noticeably longer for it.
     */
    private static final int EXP_WARM_UP_VECTORS = 160;

    /** The kernels to warm up; set once, before the first warm-up. */
    private Kernels kernels;
    /** Set once the float64 kernels have warmed up; each of them reads it before it runs. */
    private volatile boolean doublesWarmedUp;
    /** The thread warming the float64 kernels up, while it does; guarded by {@code this}. */
    private Thread doublesWarmingUp;

    void attach(Kernels k) {
        this.kernels = k;
    }

    /** Warms the float64 kernels up, once, before any of them runs: each of them calls this first. */
    void doublesBeforeFirstUse() {
        if (!doublesWarmedUp) {
            doublesOnce();
        }
    }

    /** Whether the float64 kernels have warmed up (for the tests). */
    boolean doublesWarmedUp() {
        return doublesWarmedUp;
    }

    /**
     * Other threads wait here while one warms up (the helpers do not take part: the warm-up's own calls run inline, so
     * none can wait for a helper that waits here).
     */
    private synchronized void doublesOnce() {
        if (doublesWarmedUp || doublesWarmingUp == Thread.currentThread()) {
            return; // done, or one of the warm-up's own calls
        }
        doublesWarmingUp = Thread.currentThread();
        try {
            Parallel.withHelpersIdle(() -> {
                doubles();
                return null;
            });
        } finally {
            doublesWarmingUp = null;
            doublesWarmedUp = true;
        }
    }

    /**
     * The sides of the warm-up's square arrays: four float32 vectors and a tail, eight float64 ones and a tail (a
     * vector holds twice as many float32 lanes as float64 ones).
     */
    private static int side() {
        return 4 * FloatElementwise.L + 3;
    }

    /** Small integers of both signs: the warm-up's values. */
    private static float[] floatValues(int length) {
        float[] f = new float[length];
        for (int i = 0; i < length; i++) {
            f[i] = (i % 7) - 3;
        }
        return f;
    }

    /** {@link #floatValues} in float64. */
    private static double[] doubleValues(int length) {
        double[] d = new double[length];
        for (int i = 0; i < length; i++) {
            d[i] = (i % 7) - 3;
        }
        return d;
    }

    /** Runs every float32 vector kernel once. */
    void floats() {
        int n = side();
        float[] f = floatValues(n * n);
        float[] fo = new float[n * n];
        boolean[] mask = new boolean[n * n];
        // Every tile kernel and edge of the products, over a short shared dimension: the classes are what matters.
        int k = 3;
        for (int rows : new int[] {1, 3, 5, 9}) {
            kernels.matrix().gemm(false, false, rows, n, k, f, 0, f, 0, fo, 0, false);
            kernels.matrix().gemm(true, true, rows, n, k, f, 0, f, 0, fo, 0, true);
            kernels.matrix().gemmBias(false, false, rows, n, k, f, 0, f, 0, f, 0, fo, 0);
            // The book's 50 columns: with AVX-512 a panel three vectors wide; at either width, from 8 rows, two thin
            // columns as dot products.
            kernels.matrix().gemmBias(false, false, rows, 50, k, f, 0, f, 0, f, 0, fo, 0);
        }
        // The thin columns of a product with a transposed A, in vectors of rows.
        kernels.matrix().gemm(true, false, n, 50, k, f, 0, f, 0, new float[n * 50], 0, false);
        // A transposed B of whole blocks of lanes, which its packing transposes in registers (shuffles and masks).
        kernels.matrix().gemm(false, true, 1, 16, 16, f, 0, f, 0, fo, 0, false);
        // The element-wise kernels on a few vectors and a tail, for the same reason.
        kernels.elementwise().addRowVector(2, n, f, 0, f, 0, fo, 0);
        kernels.elementwise().sumColumns(2, n, f, 0, fo, 0);
        kernels.elementwise().rowMax(2, n, f, 0, fo, 0);
        // Except exp's vector loop, which keeps a larger warm-up (see EXP_WARM_UP_VECTORS). Called directly: softmax
        // and sigmoid run short calls in exp's scalar twin.
        float[] ex = floatValues(EXP_WARM_UP_VECTORS * FloatElementwise.L + 3);
        VectorMath.expVector(ex.length, ex, 0, new float[ex.length], 0);
        kernels.elementwise().softmaxRows(2, n, f, 0, fo, 0);
        kernels.elementwise().sigmoidForward(n, f, 0, fo, 0);
        kernels.elementwise().sigmoidBackward(n, f, 0, f, 0, fo, 0);
        kernels.elementwise().reluForward(n, f, 0, mask, fo, 0);
        kernels.elementwise().reluBackward(n, f, 0, mask, fo, 0);
        ConvGeometry g = new ConvGeometry(1, n, n, 3, 3, 1, 1);
        kernels.conv().im2col(1, g, f, 0, new float[g.positions() * g.patchSize()], 0);
        ConvGeometry pool = new ConvGeometry(2, 8, 8, 2, 2, 2, 0);
        kernels.conv().maxPoolForward(1, pool, f, 0, new int[2 * pool.positions()], fo, 0);
        kernels.update().adamUpdate(n, 1e-3, 0.9, 0.999, 1e-7, f, 0, fo, 0, fo, 0, fo, 0);
        kernels.elementwise().axpy(n, 0.5f, f, 0, fo, 0);
        kernels.elementwise().scale(n, 0.5f, fo, 0);
        kernels.elementwise().fromUnsignedBytes(n, new byte[n], 0, 255f, fo, 0);
    }

    /** {@link #floats()} for the float64 kernels (the products, element-wise kernels, exp, im2col, Adam). */
    private void doubles() {
        int n = side();
        double[] d = doubleValues(n * n);
        double[] dout = new double[n * n];
        boolean[] mask = new boolean[n * n];
        int k = 3;
        for (int rows : new int[] {1, 3, 5, 9}) {
            kernels.matrix().gemm(false, false, rows, n, k, d, 0, d, 0, dout, 0, false);
            kernels.matrix().gemm(true, true, rows, n, k, d, 0, d, 0, dout, 0, true);
            kernels.matrix().gemmBias(false, false, rows, n, k, d, 0, d, 0, d, 0, dout, 0);
        }
        kernels.elementwise().addRowVector(2, n, d, 0, d, 0, dout, 0);
        kernels.elementwise().sumColumns(2, n, d, 0, dout, 0);
        kernels.elementwise().rowMax(2, n, d, 0, dout, 0);
        double[] ex = doubleValues(EXP_WARM_UP_VECTORS * DoubleElementwise.L + 3);
        VectorMath.expVector(ex.length, ex, 0, new double[ex.length], 0);
        kernels.elementwise().softmaxRows(2, n, d, 0, dout, 0);
        kernels.elementwise().sigmoidForward(n, d, 0, dout, 0);
        kernels.elementwise().sigmoidBackward(n, d, 0, d, 0, dout, 0);
        kernels.elementwise().reluForward(n, d, 0, mask, dout, 0);
        kernels.elementwise().reluBackward(n, d, 0, mask, dout, 0);
        ConvGeometry g = new ConvGeometry(1, n, n, 3, 3, 1, 1);
        kernels.conv().im2col(1, g, d, 0, new double[g.positions() * g.patchSize()], 0);
        kernels.update().adamUpdate(n, 1e-3, 0.9, 0.999, 1e-7, d, 0, dout, 0, dout, 0, dout, 0);
        kernels.elementwise().axpy(n, 0.5, d, 0, dout, 0);
        kernels.elementwise().scale(n, 0.5, dout, 0);
    }
}
