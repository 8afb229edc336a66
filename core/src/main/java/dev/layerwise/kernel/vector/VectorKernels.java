package dev.layerwise.kernel.vector;

import dev.layerwise.kernel.ConvGeometry;
import dev.layerwise.kernel.Parallel;
import dev.layerwise.kernel.PortableKernels;

/**
 * The {@link dev.layerwise.kernel.Kernels} on the Vector API ({@code jdk.incubator.vector}): SIMD matrix products
 * and element-wise kernels. Kernels it does not override run the portable implementation.
 *
 * <p>Loaded by {@link dev.layerwise.kernel.KernelProvider} only when the module is present; nothing else may refer to
 * this package, so that the library still links where the module is absent.
 */
public final class VectorKernels extends PortableKernels {

    /** Set once the float64 kernels have warmed up; each of them reads it before it runs. */
    private volatile boolean doublesWarmedUp;
    /** The thread warming the float64 kernels up, while it does; guarded by {@code this}. */
    private Thread doublesWarmingUp;

    /**
     * Public for the provider's reflective instantiation; use {@code Kernels.get()}. Warms the float32 kernels up
     * ({@link #warmUpFloats()}): nearly every run uses them, and {@code layerwise train} reads MNIST meanwhile.
     */
    public VectorKernels() {
        warmUpFloats();
    }

    /**
     * Warms the float64 kernels up as {@link #warmUpFloats()} does the float32 ones, once, before any of them runs;
     * each of them calls this first, so a float32 run never pays for them. They used to warm up at start-up, beside the
     * float32 ones, on a thread of their own: a cold {@code layerwise train} is a median 0.27 s sooner without (10
     * alternating pairs), since on two cores that thread took the CPU from the JIT and from reading MNIST.
     */
    private void warmUpDoublesBeforeFirstUse() {
        if (!doublesWarmedUp) {
            warmUpDoublesOnce();
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
    private synchronized void warmUpDoublesOnce() {
        if (doublesWarmedUp || doublesWarmingUp == Thread.currentThread()) {
            return; // done, or one of the warm-up's own calls
        }
        doublesWarmingUp = Thread.currentThread();
        try {
            Parallel.withHelpersIdle(() -> {
                warmUpDoubles();
                return null;
            });
        } finally {
            doublesWarmingUp = null;
            doublesWarmedUp = true;
        }
    }

    /**
     * The vectors of exp's warm-up. With only a few, C2's first code for its loop was an on-stack replacement, and in
     * one run in three on AVX2 its standard compile came 90 s late, every call meanwhile running the allocating
     * fallback (AllocationFreeStepTest failed). 153 vectors (35² floats on AVX2) passed every run since. It used to be
     * the same 35² or 67² elements as the other kernels' warm-up, 280 float32 vectors on AVX-512, which took
     * 0.11–0.18 s of a cold start (four runs), and training waited for it: a cold {@code layerwise train} is a median
     * 0.14 s sooner with 160 (12 alternating pairs).
     */
    private static final int EXP_WARM_UP_VECTORS = 160;

    /**
     * The sides of the warm-up's square arrays: four float32 vectors and a tail, eight float64 ones and a tail (a
     * vector holds twice as many float32 lanes as float64 ones).
     */
    private static int warmUpSide() {
        return 4 * FloatOps.L + 3;
    }

    /** Small integers of both signs: the warm-up's values. */
    private static float[] warmUpFloatValues(int length) {
        float[] f = new float[length];
        for (int i = 0; i < length; i++) {
            f[i] = (i % 7) - 3;
        }
        return f;
    }

    /** {@link #warmUpFloatValues} in float64. */
    private static double[] warmUpDoubleValues(int length) {
        double[] d = new double[length];
        for (int i = 0; i < length; i++) {
            d[i] = (i % 7) - 3;
        }
        return d;
    }

    /**
     * Runs every float32 vector kernel once on small arrays, so that the Vector API classes each uses are loaded and
     * initialised before the JIT compiles it. On JDK 17, C2 compiling a kernel whose vector classes are not yet all
     * loaded gives up on the intrinsics and keeps the slow, allocating fallback for good.
     */
    private void warmUpFloats() {
        int n = warmUpSide();
        float[] f = warmUpFloatValues(n * n);
        float[] fo = new float[n * n];
        boolean[] mask = new boolean[n * n];
        // Every tile kernel and edge of the products, over a short shared dimension: the classes are what matters.
        int k = 3;
        for (int rows : new int[] {1, 3, 5, 9}) {
            gemm(false, false, rows, n, k, f, 0, f, 0, fo, 0, false);
            gemm(true, true, rows, n, k, f, 0, f, 0, fo, 0, true);
            gemmBias(false, false, rows, n, k, f, 0, f, 0, f, 0, fo, 0);
            // The book's 50 columns: with AVX-512 a panel three vectors wide; at either width, from 8 rows, two thin
            // columns as dot products.
            gemmBias(false, false, rows, 50, k, f, 0, f, 0, f, 0, fo, 0);
        }
        // The thin columns of a product with a transposed A, in vectors of rows.
        gemm(true, false, n, 50, k, f, 0, f, 0, new float[n * 50], 0, false);
        // The element-wise kernels on a few vectors and a tail, for the same reason.
        addRowVector(2, n, f, 0, f, 0, fo, 0);
        sumColumns(2, n, f, 0, fo, 0);
        rowMax(2, n, f, 0, fo, 0);
        // Except exp's vector loop, which keeps a larger warm-up (see EXP_WARM_UP_VECTORS). Called directly: softmax
        // and sigmoid run short calls in exp's scalar twin.
        float[] ex = warmUpFloatValues(EXP_WARM_UP_VECTORS * FloatOps.L + 3);
        VectorMath.expVector(ex.length, ex, 0, new float[ex.length], 0);
        softmaxRows(2, n, f, 0, fo, 0);
        sigmoidForward(n, f, 0, fo, 0);
        sigmoidBackward(n, f, 0, f, 0, fo, 0);
        reluForward(n, f, 0, mask, fo, 0);
        reluBackward(n, f, 0, mask, fo, 0);
        ConvGeometry g = new ConvGeometry(1, n, n, 3, 3, 1, 1);
        im2col(1, g, f, 0, new float[g.positions() * g.patchSize()], 0);
        ConvGeometry pool = new ConvGeometry(2, 8, 8, 2, 2, 2, 0);
        maxPoolForward(1, pool, f, 0, new int[2 * pool.positions()], fo, 0);
        adamUpdate(n, 1e-3, 0.9, 0.999, 1e-7, f, 0, fo, 0, fo, 0, fo, 0);
        axpy(n, 0.5f, f, 0, fo, 0);
        scale(n, 0.5f, fo, 0);
        fromUnsignedBytes(n, new byte[n], 0, 255f, fo, 0);
    }

    /** {@link #warmUpFloats()} for the float64 kernels (the products, element-wise kernels, exp, im2col, Adam). */
    private void warmUpDoubles() {
        int n = warmUpSide();
        double[] d = warmUpDoubleValues(n * n);
        double[] dout = new double[n * n];
        boolean[] mask = new boolean[n * n];
        int k = 3;
        for (int rows : new int[] {1, 3, 5, 9}) {
            gemm(false, false, rows, n, k, d, 0, d, 0, dout, 0, false);
            gemm(true, true, rows, n, k, d, 0, d, 0, dout, 0, true);
            gemmBias(false, false, rows, n, k, d, 0, d, 0, d, 0, dout, 0);
        }
        addRowVector(2, n, d, 0, d, 0, dout, 0);
        sumColumns(2, n, d, 0, dout, 0);
        rowMax(2, n, d, 0, dout, 0);
        double[] ex = warmUpDoubleValues(EXP_WARM_UP_VECTORS * DoubleOps.L + 3);
        VectorMath.expVector(ex.length, ex, 0, new double[ex.length], 0);
        softmaxRows(2, n, d, 0, dout, 0);
        sigmoidForward(n, d, 0, dout, 0);
        sigmoidBackward(n, d, 0, d, 0, dout, 0);
        reluForward(n, d, 0, mask, dout, 0);
        reluBackward(n, d, 0, mask, dout, 0);
        ConvGeometry g = new ConvGeometry(1, n, n, 3, 3, 1, 1);
        im2col(1, g, d, 0, new double[g.positions() * g.patchSize()], 0);
        adamUpdate(n, 1e-3, 0.9, 0.999, 1e-7, d, 0, dout, 0, dout, 0, dout, 0);
        axpy(n, 0.5, d, 0, dout, 0);
        scale(n, 0.5, dout, 0);
    }

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        FloatGemm.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate, null, 0);
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, boolean accumulate) {
        warmUpDoublesBeforeFirstUse();
        DoubleGemm.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate, null, 0);
    }

    @Override
    public void gemmBias(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, float[] b,
                         int bOff, float[] bias, int biasOff, float[] c, int cOff) {
        FloatGemm.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, false, bias, biasOff);
    }

    @Override
    public void gemmBias(boolean transA, boolean transB, int m, int n, int k, double[] a, int aOff, double[] b,
                         int bOff, double[] bias, int biasOff, double[] c, int cOff) {
        warmUpDoublesBeforeFirstUse();
        DoubleGemm.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, false, bias, biasOff);
    }

    @Override
    protected void gemmSerial(boolean transA, int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
                              float[] c, int cOff, boolean accumulate) {
        FloatGemm.gemmSerial(transA, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }

    @Override
    protected void gemmSerial(boolean transA, int m, int n, int k, double[] a, int aOff, double[] b, int bOff,
                              double[] c, int cOff, boolean accumulate) {
        warmUpDoublesBeforeFirstUse();
        DoubleGemm.gemmSerial(transA, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }

    @Override
    protected void maxPoolImages(int i0, int i1, ConvGeometry g, float[] x, int xOff, int[] argMax, float[] out,
                                 int outOff) {
        if (FloatPool.supports(g)) {
            FloatPool.maxPool(i0, i1, g, x, xOff, argMax, out, outOff);
        } else {
            super.maxPoolImages(i0, i1, g, x, xOff, argMax, out, outOff);
        }
    }

    @Override
    protected void im2colImages(int i0, int i1, ConvGeometry g, float[] x, int xOff, float[] col, int colOff) {
        Unfold.im2col(i0, i1, g, x, xOff, col, colOff);
    }

    @Override
    protected void im2colImages(int i0, int i1, ConvGeometry g, double[] x, int xOff, double[] col, int colOff) {
        warmUpDoublesBeforeFirstUse();
        Unfold.im2col(i0, i1, g, x, xOff, col, colOff);
    }

    @Override
    protected void adamUpdateRange(int from, int to, double lrT, double beta1, double beta2, double eps, float[] g,
                                   int gOff, float[] m, int mOff, float[] v, int vOff, float[] w, int wOff) {
        FloatOps.adamUpdate(to - from, lrT, beta1, beta2, eps, g, gOff + from, m, mOff + from, v, vOff + from, w,
                wOff + from);
    }

    @Override
    protected void adamUpdateRange(int from, int to, double lrT, double beta1, double beta2, double eps, double[] g,
                                   int gOff, double[] m, int mOff, double[] v, int vOff, double[] w, int wOff) {
        warmUpDoublesBeforeFirstUse();
        DoubleOps.adamUpdate(to - from, lrT, beta1, beta2, eps, g, gOff + from, m, mOff + from, v, vOff + from, w,
                wOff + from);
    }

    @Override
    public void addRowVector(int rows, int cols, float[] x, int xOff, float[] b, int bOff, float[] out, int outOff) {
        FloatOps.addRowVector(rows, cols, x, xOff, b, bOff, out, outOff);
    }

    @Override
    public void addRowVector(int rows, int cols, double[] x, int xOff, double[] b, int bOff, double[] out, int outOff) {
        warmUpDoublesBeforeFirstUse();
        DoubleOps.addRowVector(rows, cols, x, xOff, b, bOff, out, outOff);
    }

    @Override
    public void sumColumns(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        FloatOps.sumColumns(rows, cols, x, xOff, out, outOff);
    }

    @Override
    public void sumColumns(int rows, int cols, double[] x, int xOff, double[] out, int outOff) {
        warmUpDoublesBeforeFirstUse();
        DoubleOps.sumColumns(rows, cols, x, xOff, out, outOff);
    }

    @Override
    public void rowMax(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        FloatOps.rowMax(rows, cols, x, xOff, out, outOff);
    }

    @Override
    public void rowMax(int rows, int cols, double[] x, int xOff, double[] out, int outOff) {
        warmUpDoublesBeforeFirstUse();
        DoubleOps.rowMax(rows, cols, x, xOff, out, outOff);
    }

    @Override
    public void exp(int n, float[] x, int xOff, float[] out, int outOff) {
        FloatOps.exp(n, x, xOff, out, outOff);
    }

    @Override
    public void exp(int n, double[] x, int xOff, double[] out, int outOff) {
        warmUpDoublesBeforeFirstUse();
        DoubleOps.exp(n, x, xOff, out, outOff);
    }

    @Override
    public void log(int n, float[] x, int xOff, float[] out, int outOff) {
        FloatOps.log(n, x, xOff, out, outOff);
    }

    @Override
    public void log(int n, double[] x, int xOff, double[] out, int outOff) {
        warmUpDoublesBeforeFirstUse();
        DoubleOps.log(n, x, xOff, out, outOff);
    }

    @Override
    protected void reluForwardRange(int from, int to, float[] x, int xOff, boolean[] mask, float[] out, int outOff) {
        FloatOps.reluForward(to - from, x, xOff + from, mask, from, out, outOff + from);
    }

    @Override
    protected void reluForwardRange(int from, int to, double[] x, int xOff, boolean[] mask, double[] out, int outOff) {
        warmUpDoublesBeforeFirstUse();
        DoubleOps.reluForward(to - from, x, xOff + from, mask, from, out, outOff + from);
    }

    @Override
    protected void reluBackwardRange(int from, int to, float[] dout, int doutOff, boolean[] mask, float[] dx,
                                     int dxOff) {
        FloatOps.reluBackward(to - from, dout, doutOff + from, mask, from, dx, dxOff + from);
    }

    @Override
    protected void reluBackwardRange(int from, int to, double[] dout, int doutOff, boolean[] mask, double[] dx,
                                     int dxOff) {
        warmUpDoublesBeforeFirstUse();
        DoubleOps.reluBackward(to - from, dout, doutOff + from, mask, from, dx, dxOff + from);
    }

    @Override
    public void sigmoidForward(int n, float[] x, int xOff, float[] out, int outOff) {
        FloatOps.sigmoidForward(n, x, xOff, out, outOff);
    }

    @Override
    public void sigmoidForward(int n, double[] x, int xOff, double[] out, int outOff) {
        warmUpDoublesBeforeFirstUse();
        DoubleOps.sigmoidForward(n, x, xOff, out, outOff);
    }

    @Override
    public void sigmoidBackward(int n, float[] dout, int doutOff, float[] y, int yOff, float[] dx, int dxOff) {
        FloatOps.sigmoidBackward(n, dout, doutOff, y, yOff, dx, dxOff);
    }

    @Override
    public void sigmoidBackward(int n, double[] dout, int doutOff, double[] y, int yOff, double[] dx, int dxOff) {
        warmUpDoublesBeforeFirstUse();
        DoubleOps.sigmoidBackward(n, dout, doutOff, y, yOff, dx, dxOff);
    }

    @Override
    public void softmaxRows(int rows, int cols, float[] x, int xOff, float[] y, int yOff) {
        FloatOps.softmaxRows(rows, cols, x, xOff, y, yOff);
    }

    @Override
    public void softmaxRows(int rows, int cols, double[] x, int xOff, double[] y, int yOff) {
        warmUpDoublesBeforeFirstUse();
        DoubleOps.softmaxRows(rows, cols, x, xOff, y, yOff);
    }

    @Override
    protected void axpyRange(int from, int to, float alpha, float[] x, int xOff, float[] y, int yOff) {
        FloatOps.axpy(to - from, alpha, x, xOff + from, y, yOff + from);
    }

    @Override
    protected void axpyRange(int from, int to, double alpha, double[] x, int xOff, double[] y, int yOff) {
        warmUpDoublesBeforeFirstUse();
        DoubleOps.axpy(to - from, alpha, x, xOff + from, y, yOff + from);
    }

    @Override
    public void scale(int n, float alpha, float[] x, int xOff) {
        FloatOps.scale(n, alpha, x, xOff);
    }

    @Override
    public void fromUnsignedBytes(int n, byte[] x, int xOff, float divisor, float[] out, int outOff) {
        FloatOps.fromUnsignedBytes(n, x, xOff, divisor, out, outOff);
    }

    @Override
    public void scale(int n, double alpha, double[] x, int xOff) {
        warmUpDoublesBeforeFirstUse();
        DoubleOps.scale(n, alpha, x, xOff);
    }
}
