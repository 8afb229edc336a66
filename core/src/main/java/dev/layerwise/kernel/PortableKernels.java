package dev.layerwise.kernel;

import java.util.function.IntConsumer;

/**
 * The plain-Java {@link Kernels}: simple loops that the JIT compiles well, split over {@link Parallel} by rows of the
 * output. The reference the Vector API kernels are tested against, and the fallback where that API is not enabled.
 *
 * <p>The Vector API implementation extends this class and overrides what it speeds up, so a kernel added here works
 * on both providers from the start.
 */
public class PortableKernels implements Kernels {
    static final PortableKernels INSTANCE = new PortableKernels();

    /** Multiply-adds below which a product is not worth splitting over threads. */
    private static final long MIN_TASK_FLOPS = 1 << 16;

    protected PortableKernels() {
    }

    @Override
    public String name() {
        return "portable";
    }

    // ---- matrix products ------------------------------------------------------------------------------------------

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        int tasks = rowTasks(m, n, k);
        if (tasks == 1) {
            gemmRows(0, m, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
        } else {
            GemmTask.run(tasks, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
        }
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, boolean accumulate) {
        int tasks = rowTasks(m, n, k);
        if (tasks == 1) {
            gemmRows(0, m, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
        } else {
            GemmTask.run(tasks, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
        }
    }

    /**
     * A product split by bands of rows over {@link Parallel}, reused per calling thread so that it allocates nothing;
     * a product started from inside another one gets its own. Holds float or double operands.
     */
    private static final class GemmTask implements IntConsumer {
        private static final ThreadLocal<GemmTask> CURRENT = ThreadLocal.withInitial(GemmTask::new);

        private boolean busy;
        private int tasks;
        private boolean transA;
        private boolean transB;
        private int m;
        private int n;
        private int k;
        private float[] af;
        private float[] bf;
        private float[] cf;
        private double[] ad;
        private double[] bd;
        private double[] cd;
        private int aOff;
        private int bOff;
        private int cOff;
        private boolean accumulate;

        private static GemmTask acquire(int tasks, boolean transA, boolean transB, int m, int n, int k, int aOff,
                                        int bOff, int cOff, boolean accumulate) {
            GemmTask t = CURRENT.get();
            if (t.busy) {
                t = new GemmTask();
            }
            t.busy = true;
            t.tasks = tasks;
            t.transA = transA;
            t.transB = transB;
            t.m = m;
            t.n = n;
            t.k = k;
            t.aOff = aOff;
            t.bOff = bOff;
            t.cOff = cOff;
            t.accumulate = accumulate;
            return t;
        }

        static void run(int tasks, boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff,
                        float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
            GemmTask t = acquire(tasks, transA, transB, m, n, k, aOff, bOff, cOff, accumulate);
            t.af = a;
            t.bf = b;
            t.cf = c;
            t.runAndRelease();
        }

        static void run(int tasks, boolean transA, boolean transB, int m, int n, int k, double[] a, int aOff,
                        double[] b, int bOff, double[] c, int cOff, boolean accumulate) {
            GemmTask t = acquire(tasks, transA, transB, m, n, k, aOff, bOff, cOff, accumulate);
            t.ad = a;
            t.bd = b;
            t.cd = c;
            t.runAndRelease();
        }

        private void runAndRelease() {
            try {
                Parallel.forEach(tasks, this);
            } finally {
                af = null;
                bf = null;
                cf = null;
                ad = null;
                bd = null;
                cd = null;
                busy = false;
            }
        }

        @Override
        public void accept(int t) {
            int i0 = Parallel.chunkStart(t, tasks, m);
            int i1 = Parallel.chunkStart(t + 1, tasks, m);
            if (cf != null) {
                gemmRows(i0, i1, transA, transB, m, n, k, af, aOff, bf, bOff, cf, cOff, accumulate);
            } else {
                gemmRows(i0, i1, transA, transB, m, n, k, ad, aOff, bd, bOff, cd, cOff, accumulate);
            }
        }
    }

    @Override
    public void gemmBias(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, float[] b,
                         int bOff, float[] bias, int biasOff, float[] c, int cOff) {
        gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, false);
        addRowVector(m, n, c, cOff, bias, biasOff, c, cOff);
    }

    @Override
    public void gemmBias(boolean transA, boolean transB, int m, int n, int k, double[] a, int aOff, double[] b,
                         int bOff, double[] bias, int biasOff, double[] c, int cOff) {
        gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, false);
        addRowVector(m, n, c, cOff, bias, biasOff, c, cOff);
    }

    private static int rowTasks(int m, int n, int k) {
        long rowFlops = Math.max(1L, (long) n * k);
        int minRows = (int) Math.max(1, MIN_TASK_FLOPS / rowFlops);
        return Parallel.chunks(m, minRows);
    }

    /**
     * Rows {@code [i0, i1)} of C: C[i,:] += A(i,p)·B[p,:] (i-k-j order) skipping the zeros of A, as reference BLAS
     * does (the input of a first layer is mostly zeros), or dot products when B is transposed.
     */
    private static void gemmRows(int i0, int i1, boolean transA, boolean transB, int m, int n, int k,
                                 float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        int aRowStride = transA ? 1 : k;
        int aColStride = transA ? m : 1;
        for (int i = i0; i < i1; i++) {
            int cRow = cOff + i * n;
            int aRow = aOff + i * aRowStride;
            if (!transB) {
                if (!accumulate) {
                    java.util.Arrays.fill(c, cRow, cRow + n, 0f);
                }
                for (int p = 0; p < k; p++) {
                    float aip = a[aRow + p * aColStride];
                    if (aip == 0) {
                        continue;
                    }
                    int bRow = bOff + p * n;
                    for (int j = 0; j < n; j++) {
                        c[cRow + j] += aip * b[bRow + j];
                    }
                }
            } else {
                for (int j = 0; j < n; j++) {
                    int bRow = bOff + j * k;
                    float s = 0f;
                    for (int p = 0; p < k; p++) {
                        s += a[aRow + p * aColStride] * b[bRow + p];
                    }
                    c[cRow + j] = accumulate ? c[cRow + j] + s : s;
                }
            }
        }
    }

    private static void gemmRows(int i0, int i1, boolean transA, boolean transB, int m, int n, int k,
                                 double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, boolean accumulate) {
        int aRowStride = transA ? 1 : k;
        int aColStride = transA ? m : 1;
        for (int i = i0; i < i1; i++) {
            int cRow = cOff + i * n;
            int aRow = aOff + i * aRowStride;
            if (!transB) {
                if (!accumulate) {
                    java.util.Arrays.fill(c, cRow, cRow + n, 0d);
                }
                for (int p = 0; p < k; p++) {
                    double aip = a[aRow + p * aColStride];
                    if (aip == 0) {
                        continue;
                    }
                    int bRow = bOff + p * n;
                    for (int j = 0; j < n; j++) {
                        c[cRow + j] += aip * b[bRow + j];
                    }
                }
            } else {
                for (int j = 0; j < n; j++) {
                    int bRow = bOff + j * k;
                    double s = 0d;
                    for (int p = 0; p < k; p++) {
                        s += a[aRow + p * aColStride] * b[bRow + p];
                    }
                    c[cRow + j] = accumulate ? c[cRow + j] + s : s;
                }
            }
        }
    }

    // ---- broadcasts and reductions --------------------------------------------------------------------------------

    @Override
    public void addRowVector(int rows, int cols, float[] x, int xOff, float[] b, int bOff, float[] out, int outOff) {
        for (int i = 0; i < rows; i++) {
            int r = i * cols;
            for (int j = 0; j < cols; j++) {
                out[outOff + r + j] = x[xOff + r + j] + b[bOff + j];
            }
        }
    }

    @Override
    public void addRowVector(int rows, int cols, double[] x, int xOff, double[] b, int bOff, double[] out,
                             int outOff) {
        for (int i = 0; i < rows; i++) {
            int r = i * cols;
            for (int j = 0; j < cols; j++) {
                out[outOff + r + j] = x[xOff + r + j] + b[bOff + j];
            }
        }
    }

    @Override
    public void sumColumns(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        java.util.Arrays.fill(out, outOff, outOff + cols, 0f);
        for (int i = 0; i < rows; i++) {
            int r = xOff + i * cols;
            for (int j = 0; j < cols; j++) {
                out[outOff + j] += x[r + j];
            }
        }
    }

    @Override
    public void sumColumns(int rows, int cols, double[] x, int xOff, double[] out, int outOff) {
        java.util.Arrays.fill(out, outOff, outOff + cols, 0d);
        for (int i = 0; i < rows; i++) {
            int r = xOff + i * cols;
            for (int j = 0; j < cols; j++) {
                out[outOff + j] += x[r + j];
            }
        }
    }

    @Override
    public void rowMax(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        for (int i = 0; i < rows; i++) {
            int r = xOff + i * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, x[r + j]);
            }
            out[outOff + i] = max;
        }
    }

    @Override
    public void rowMax(int rows, int cols, double[] x, int xOff, double[] out, int outOff) {
        for (int i = 0; i < rows; i++) {
            int r = xOff + i * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, x[r + j]);
            }
            out[outOff + i] = max;
        }
    }

    @Override
    public void argmaxRows(int rows, int cols, float[] x, int xOff, int[] out) {
        for (int i = 0; i < rows; i++) {
            int r = xOff + i * cols;
            int best = 0;
            for (int j = 1; j < cols; j++) {
                if (x[r + j] > x[r + best]) {
                    best = j;
                }
            }
            out[i] = best;
        }
    }

    @Override
    public void argmaxRows(int rows, int cols, double[] x, int xOff, int[] out) {
        for (int i = 0; i < rows; i++) {
            int r = xOff + i * cols;
            int best = 0;
            for (int j = 1; j < cols; j++) {
                if (x[r + j] > x[r + best]) {
                    best = j;
                }
            }
            out[i] = best;
        }
    }

    // ---- element-wise ---------------------------------------------------------------------------------------------

    @Override
    public void exp(int n, float[] x, int xOff, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (float) Math.exp(x[xOff + i]);
        }
    }

    @Override
    public void exp(int n, double[] x, int xOff, double[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = Math.exp(x[xOff + i]);
        }
    }

    @Override
    public void log(int n, float[] x, int xOff, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (float) Math.log(x[xOff + i]);
        }
    }

    @Override
    public void log(int n, double[] x, int xOff, double[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = Math.log(x[xOff + i]);
        }
    }

    /*
     * ReLU without branches, split over the threads (issue 5): a branch on the sign mispredicts on half of the elements
     * of a layer's output, which made these loops ten times slower than their memory traffic. max(v, 0) is v where
     * v > 0 and +0 elsewhere (also for −0), and NaN for NaN, exactly as the masked version.
     */
    @Override
    public void reluForward(int n, float[] x, int xOff, boolean[] mask, float[] out, int outOff) {
        RangeJob.of(this).a(x, xOff).b(out, outOff).mask(mask).run(n, 1,
                (j, from, to) -> j.kernels.reluForwardRange(from, to, j.fa, j.oa, j.mask, j.fb, j.ob));
    }

    /** Elements {@code [from, to)} of {@code reluForward}, on the calling thread (mask from index 0). */
    protected void reluForwardRange(int from, int to, float[] x, int xOff, boolean[] mask, float[] out, int outOff) {
        for (int i = from; i < to; i++) {
            float v = x[xOff + i];
            mask[i] = v <= 0f;
            out[outOff + i] = Math.max(v, 0f);
        }
    }

    @Override
    public void reluForward(int n, double[] x, int xOff, boolean[] mask, double[] out, int outOff) {
        RangeJob.of(this).a(x, xOff).b(out, outOff).mask(mask).run(n, 1,
                (j, from, to) -> j.kernels.reluForwardRange(from, to, j.da, j.oa, j.mask, j.db, j.ob));
    }

    /** Elements {@code [from, to)} of {@code reluForward}, on the calling thread (mask from index 0). */
    protected void reluForwardRange(int from, int to, double[] x, int xOff, boolean[] mask, double[] out, int outOff) {
        for (int i = from; i < to; i++) {
            double v = x[xOff + i];
            mask[i] = v <= 0d;
            out[outOff + i] = Math.max(v, 0d);
        }
    }

    /** Clears the bits of {@code dout} where masked (a conditional move, not a branch): exactly 0 there. */
    @Override
    public void reluBackward(int n, float[] dout, int doutOff, boolean[] mask, float[] dx, int dxOff) {
        RangeJob.of(this).a(dout, doutOff).b(dx, dxOff).mask(mask).run(n, 1,
                (j, from, to) -> j.kernels.reluBackwardRange(from, to, j.fa, j.oa, j.mask, j.fb, j.ob));
    }

    /** Elements {@code [from, to)} of {@code reluBackward}, on the calling thread (mask from index 0). */
    protected void reluBackwardRange(int from, int to, float[] dout, int doutOff, boolean[] mask, float[] dx,
                                     int dxOff) {
        for (int i = from; i < to; i++) {
            dx[dxOff + i] = Float.intBitsToFloat(Float.floatToRawIntBits(dout[doutOff + i]) & (mask[i] ? 0 : -1));
        }
    }

    @Override
    public void reluBackward(int n, double[] dout, int doutOff, boolean[] mask, double[] dx, int dxOff) {
        RangeJob.of(this).a(dout, doutOff).b(dx, dxOff).mask(mask).run(n, 1,
                (j, from, to) -> j.kernels.reluBackwardRange(from, to, j.da, j.oa, j.mask, j.db, j.ob));
    }

    /** Elements {@code [from, to)} of {@code reluBackward}, on the calling thread (mask from index 0). */
    protected void reluBackwardRange(int from, int to, double[] dout, int doutOff, boolean[] mask, double[] dx,
                                     int dxOff) {
        for (int i = from; i < to; i++) {
            long keep = mask[i] ? 0L : -1L;
            dx[dxOff + i] = Double.longBitsToDouble(Double.doubleToRawLongBits(dout[doutOff + i]) & keep);
        }
    }

    @Override
    public void sigmoidForward(int n, float[] x, int xOff, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (float) sigmoid(x[xOff + i]);
        }
    }

    @Override
    public void sigmoidForward(int n, double[] x, int xOff, double[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = sigmoid(x[xOff + i]);
        }
    }

    /** 1 / (1 + e^−x) in a form whose exponential never overflows. */
    static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    @Override
    public void sigmoidBackward(int n, float[] dout, int doutOff, float[] y, int yOff, float[] dx, int dxOff) {
        for (int i = 0; i < n; i++) {
            float yi = y[yOff + i];
            dx[dxOff + i] = dout[doutOff + i] * (1f - yi) * yi;
        }
    }

    @Override
    public void sigmoidBackward(int n, double[] dout, int doutOff, double[] y, int yOff, double[] dx, int dxOff) {
        for (int i = 0; i < n; i++) {
            double yi = y[yOff + i];
            dx[dxOff + i] = dout[doutOff + i] * (1d - yi) * yi;
        }
    }

    @Override
    public void softmaxRows(int rows, int cols, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < rows; i++) {
            int xr = xOff + i * cols;
            int yr = yOff + i * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, x[xr + j]);
            }
            float sum = 0f;
            for (int j = 0; j < cols; j++) {
                float e = (float) Math.exp(x[xr + j] - max);
                y[yr + j] = e;
                sum += e;
            }
            for (int j = 0; j < cols; j++) {
                y[yr + j] /= sum;
            }
        }
    }

    @Override
    public void softmaxRows(int rows, int cols, double[] x, int xOff, double[] y, int yOff) {
        for (int i = 0; i < rows; i++) {
            int xr = xOff + i * cols;
            int yr = yOff + i * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, x[xr + j]);
            }
            double sum = 0d;
            for (int j = 0; j < cols; j++) {
                double e = Math.exp(x[xr + j] - max);
                y[yr + j] = e;
                sum += e;
            }
            for (int j = 0; j < cols; j++) {
                y[yr + j] /= sum;
            }
        }
    }

    @Override
    public void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        // Split like the products that made x (by rows), so that each thread updates what is in its cache.
        RangeJob.of(this).scalars(alpha, 0, 0, 0).a(x, xOff).b(y, yOff).run(n, 3,
                (j, from, to) -> j.kernels.axpyRange(from, to, (float) j.s0, j.fa, j.oa, j.fb, j.ob));
    }

    /** Elements {@code [from, to)} of {@code axpy}, on the calling thread. */
    protected void axpyRange(int from, int to, float alpha, float[] x, int xOff, float[] y, int yOff) {
        for (int i = from; i < to; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    @Override
    public void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff) {
        // Split like the products that made x (by rows), so that each thread updates what is in its cache.
        RangeJob.of(this).scalars(alpha, 0, 0, 0).a(x, xOff).b(y, yOff).run(n, 3,
                (j, from, to) -> j.kernels.axpyRange(from, to, (double) j.s0, j.da, j.oa, j.db, j.ob));
    }

    /** Elements {@code [from, to)} of {@code axpy}, on the calling thread. */
    protected void axpyRange(int from, int to, double alpha, double[] x, int xOff, double[] y, int yOff) {
        for (int i = from; i < to; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    @Override
    public void scale(int n, float alpha, float[] x, int xOff) {
        for (int i = 0; i < n; i++) {
            x[xOff + i] *= alpha;
        }
    }

    @Override
    public void scale(int n, double alpha, double[] x, int xOff) {
        for (int i = 0; i < n; i++) {
            x[xOff + i] *= alpha;
        }
    }

    @Override
    public void fromUnsignedBytes(int n, byte[] x, int xOff, float divisor, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (x[xOff + i] & 0xFF) / divisor;
        }
    }

    @Override
    public void fromUnsignedBytes(int n, byte[] x, int xOff, double divisor, double[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (x[xOff + i] & 0xFF) / divisor;
        }
    }

    // ---- convolution and pooling (issue 5) -------------------------------------------------------------------------

    /** {@code ⌈a / b⌉} for {@code b > 0} ({@code Math.ceilDiv} is Java 18). */
    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    /** 1 when {@code v} (with −0 as +0) does not have the given bits, else 0; no branch. */
    private static int differs(float v, int bits) {
        int d = Float.floatToRawIntBits(v + 0f) ^ bits;
        return (d | -d) >>> 31;
    }

    private static int differs(double v, long bits) {
        long d = Double.doubleToRawLongBits(v + 0d) ^ bits;
        return (int) ((d | -d) >>> 63);
    }

    /** The offset of the first NaN of the window at {@code i} (which has one). */
    private static int firstNaN(float[] x, int i, int[] offsets) {
        int e = 0;
        while (!Float.isNaN(x[i + offsets[e]])) {
            e++;
        }
        return offsets[e];
    }

    private static int firstNaN(double[] x, int i, int[] offsets) {
        int e = 0;
        while (!Double.isNaN(x[i + offsets[e]])) {
            e++;
        }
        return offsets[e];
    }

    /**
     * The offsets {@code ky·w + kx} of a window's elements from its first, in row-major order. Public, as
     * {@link #maxPoolWindow}, for the Vector API kernels' pooling, which falls back to the same per-window code.
     */
    public static int[] windowOffsets(int fh, int fw, int w) {
        int[] offsets = new int[fh * fw];
        for (int ky = 0; ky < fh; ky++) {
            for (int kx = 0; kx < fw; kx++) {
                offsets[ky * fw + kx] = ky * w + kx;
            }
        }
        return offsets;
    }

    @Override
    public void im2col(int n, ConvGeometry g, float[] x, int xOff, float[] col, int colOff) {
        RangeJob.of(this).geometry(g).a(x, xOff).b(col, colOff).run(n, (long) g.positions() * g.patchSize(),
                (j, i0, i1) -> j.kernels.im2colImages(i0, i1, j.g, j.fa, j.oa, j.fb, j.ob));
    }

    /**
     * Images {@code [i0, i1)} of {@code im2col}, on the calling thread; the unit of work {@code im2col} spreads over
     * the threads. The Vector API kernels override it.
     */
    protected void im2colImages(int i0, int i1, ConvGeometry g, float[] x, int xOff, float[] col, int colOff) {
        int channels = g.channels();
        int h = g.height();
        int w = g.width();
        int fh = g.filterH();
        int fw = g.filterW();
        int s = g.stride();
        int p = g.pad();
        int oh = g.outH();
        int ow = g.outW();
        int k = g.patchSize();
        int plane = h * w;
        for (int i = i0; i < i1; i++) {
            int image = xOff + i * channels * plane;
            for (int oy = 0; oy < oh; oy++) {
                // The ow rows of col for output row oy; (c, ky) is a run of fw columns in each of them.
                int rows = colOff + (i * oh + oy) * ow * k;
                for (int c = 0; c < channels; c++) {
                    for (int ky = 0; ky < fh; ky++) {
                        int iy = oy * s + ky - p;
                        int dst = rows + (c * fh + ky) * fw;
                        if (iy < 0 || iy >= h) {
                            for (int ox = 0; ox < ow; ox++, dst += k) {
                                for (int kx = 0; kx < fw; kx++) {
                                    col[dst + kx] = 0f;
                                }
                            }
                            continue;
                        }
                        int src = image + c * plane + iy * w - p;
                        for (int ox = 0, ix = -p; ox < ow; ox++, dst += k, src += s, ix += s) {
                            if (ix >= 0 && ix + fw <= w) {
                                for (int kx = 0; kx < fw; kx++) {
                                    col[dst + kx] = x[src + kx];
                                }
                            } else {
                                for (int kx = 0; kx < fw; kx++) {
                                    int xx = ix + kx;
                                    col[dst + kx] = xx >= 0 && xx < w ? x[src + kx] : 0f;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void col2im(int n, ConvGeometry g, float[] col, int colOff, float[] x, int xOff) {
        RangeJob.of(this).geometry(g).a(col, colOff).b(x, xOff).run(n, (long) g.positions() * g.patchSize(),
                (j, i0, i1) -> col2imImages(i0, i1, j.g, j.fa, j.oa, j.fb, j.ob));
    }

    private static void col2imImages(int i0, int i1, ConvGeometry g, float[] col, int colOff, float[] x, int xOff) {
        int channels = g.channels();
        int h = g.height();
        int w = g.width();
        int fh = g.filterH();
        int fw = g.filterW();
        int s = g.stride();
        int p = g.pad();
        int oh = g.outH();
        int ow = g.outW();
        int k = g.patchSize();
        int plane = h * w;
        java.util.Arrays.fill(x, xOff + i0 * channels * plane, xOff + i1 * channels * plane, 0f);
        for (int i = i0; i < i1; i++) {
            int image = xOff + i * channels * plane;
            for (int oy = 0; oy < oh; oy++) {
                int rows = colOff + (i * oh + oy) * ow * k;
                for (int c = 0; c < channels; c++) {
                    for (int ky = 0; ky < fh; ky++) {
                        int iy = oy * s + ky - p;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int src = rows + (c * fh + ky) * fw;
                        int dst = image + c * plane + iy * w - p;
                        for (int ox = 0, ix = -p; ox < ow; ox++, src += k, dst += s, ix += s) {
                            if (ix >= 0 && ix + fw <= w) {
                                for (int kx = 0; kx < fw; kx++) {
                                    x[dst + kx] += col[src + kx];
                                }
                            } else {
                                for (int kx = Math.max(0, -ix); kx < Math.min(fw, w - ix); kx++) {
                                    x[dst + kx] += col[src + kx];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void im2colT(int n, ConvGeometry g, float[] x, int xOff, float[] colT, int colTOff) {
        RangeJob.of(this).geometry(g).a(x, xOff).b(colT, colTOff).run(n, (long) g.positions() * g.patchSize(),
                (j, i0, i1) -> im2colTImages(i0, i1, j.g, j.fa, j.oa, j.fb, j.ob));
    }

    /**
     * Row by row of colT: for window element (c, ky, kx) and output row oy, the output columns whose input column
     * {@code ox·stride + kx − pad} lies inside the image, {@code [oxLo, oxHi)}, are copied (a run of the input row for
     * stride 1), the others are 0.
     */
    private static void im2colTImages(int i0, int i1, ConvGeometry g, float[] x, int xOff, float[] colT, int colTOff) {
        int channels = g.channels();
        int h = g.height();
        int w = g.width();
        int s = g.stride();
        int p = g.pad();
        int oh = g.outH();
        int ow = g.outW();
        int plane = h * w;
        int positions = oh * ow;
        for (int i = i0; i < i1; i++) {
            int image = xOff + i * channels * plane;
            int row = colTOff + i * g.patchSize() * positions;
            for (int c = 0; c < channels; c++) {
                for (int ky = 0; ky < g.filterH(); ky++) {
                    for (int kx = 0; kx < g.filterW(); kx++, row += positions) {
                        int oxLo = Math.min(ow, Math.max(0, ceilDiv(p - kx, s)));
                        int oxHi = Math.max(oxLo, Math.min(ow, Math.floorDiv(w - 1 + p - kx, s) + 1));
                        for (int oy = 0; oy < oh; oy++) {
                            int dst = row + oy * ow;
                            int iy = oy * s + ky - p;
                            if (iy < 0 || iy >= h) {
                                java.util.Arrays.fill(colT, dst, dst + ow, 0f);
                                continue;
                            }
                            java.util.Arrays.fill(colT, dst, dst + oxLo, 0f);
                            int src = image + c * plane + iy * w + oxLo * s + kx - p;
                            if (s == 1) {
                                if (oxHi > oxLo) { // else this column of the window sees only padding: src is outside
                                    System.arraycopy(x, src, colT, dst + oxLo, oxHi - oxLo);
                                }
                            } else {
                                for (int ox = oxLo; ox < oxHi; ox++, src += s) {
                                    colT[dst + ox] = x[src];
                                }
                            }
                            java.util.Arrays.fill(colT, dst + oxHi, dst + ow, 0f);
                        }
                    }
                }
            }
        }
    }

    @Override
    public void col2imT(int n, ConvGeometry g, float[] colT, int colTOff, float[] x, int xOff) {
        RangeJob.of(this).geometry(g).a(colT, colTOff).b(x, xOff).run(n, (long) g.positions() * g.patchSize(),
                (j, i0, i1) -> col2imTImages(i0, i1, j.g, j.fa, j.oa, j.fb, j.ob));
    }

    /** The transpose of {@link #im2colTImages}: each copied element added back, in the same order. */
    private static void col2imTImages(int i0, int i1, ConvGeometry g, float[] colT, int colTOff, float[] x, int xOff) {
        int channels = g.channels();
        int h = g.height();
        int w = g.width();
        int s = g.stride();
        int p = g.pad();
        int oh = g.outH();
        int ow = g.outW();
        int plane = h * w;
        int positions = oh * ow;
        java.util.Arrays.fill(x, xOff + i0 * channels * plane, xOff + i1 * channels * plane, 0f);
        for (int i = i0; i < i1; i++) {
            int image = xOff + i * channels * plane;
            int row = colTOff + i * g.patchSize() * positions;
            for (int c = 0; c < channels; c++) {
                for (int ky = 0; ky < g.filterH(); ky++) {
                    for (int kx = 0; kx < g.filterW(); kx++, row += positions) {
                        int oxLo = Math.min(ow, Math.max(0, ceilDiv(p - kx, s)));
                        int oxHi = Math.max(oxLo, Math.min(ow, Math.floorDiv(w - 1 + p - kx, s) + 1));
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy * s + ky - p;
                            if (iy < 0 || iy >= h) {
                                continue;
                            }
                            int src = row + oy * ow;
                            int dst = image + c * plane + iy * w + oxLo * s + kx - p;
                            if (s == 1) {
                                // A loop over two arrays with one index: the JIT vectorises it.
                                int d = dst - oxLo;
                                for (int ox = oxLo; ox < oxHi; ox++) {
                                    x[d + ox] += colT[src + ox];
                                }
                            } else {
                                for (int ox = oxLo; ox < oxHi; ox++, dst += s) {
                                    x[dst] += colT[src + ox];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void gemmBatch(int batch, boolean transA, int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
                          float[] bias, int biasOff, float[] c, int cOff) {
        // Each product whole on one thread: the sums do not depend on the thread count.
        RangeJob.of(this).flag(transA).ints(m, n, k).a(a, aOff).b(b, bOff).c(bias, biasOff).d(c, cOff)
                .run(batch, (long) m * n * k, (j, i0, i1) -> j.kernels.gemmBatchRange(i0, i1, j.flag, j.p0, j.p1,
                        j.p2, j.fa, j.oa, j.fb, j.ob, j.fc, j.oc, j.fd, j.od));
    }

    /** Products {@code [i0, i1)} of {@code gemmBatch}: {@code C_i} filled with the bias rows, op(A)·B_i added. */
    private void gemmBatchRange(int i0, int i1, boolean transA, int m, int n, int k, float[] a, int aOff, float[] b,
                                int bOff, float[] bias, int biasOff, float[] c, int cOff) {
        for (int i = i0; i < i1; i++) {
            int ci = cOff + i * m * n;
            if (bias != null) {
                for (int r = 0; r < m; r++) {
                    java.util.Arrays.fill(c, ci + r * n, ci + (r + 1) * n, bias[biasOff + r]);
                }
            }
            gemmSerial(transA, m, n, k, a, aOff, b, bOff + i * k * n, c, ci, bias != null);
        }
    }

    /**
     * One product {@code C = op(A)·B} ({@code +=} when {@code accumulate}), B row-major, on the calling thread: the
     * unit of work of {@code gemmBatch}.
     * The Vector API kernels override it.
     */
    protected void gemmSerial(boolean transA, int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c,
                              int cOff, boolean accumulate) {
        gemmRows(0, m, transA, false, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }

    @Override
    public void swapAxes01(int d0, int d1, int block, float[] x, int xOff, float[] out, int outOff) {
        RangeJob.of(this).ints(d0, d1, block).a(x, xOff).b(out, outOff).run(d1, (long) d0 * block,
                (j, j0, j1) -> swapAxes01Rows(j0, j1, j.p0, j.p1, j.p2, j.fa, j.oa, j.fb, j.ob));
    }

    /** Rows {@code [j0, j1)} of the output of {@code swapAxes01}. */
    private static void swapAxes01Rows(int j0, int j1, int d0, int d1, int block, float[] x, int xOff, float[] out,
                                       int outOff) {
        for (int j = j0; j < j1; j++) {
            for (int i = 0; i < d0; i++) {
                System.arraycopy(x, xOff + (i * d1 + j) * block, out, outOff + (j * d0 + i) * block, block);
            }
        }
    }

    @Override
    public void sumRows(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        RangeJob.of(this).ints(cols, 0, 0).a(x, xOff).b(out, outOff).run(rows, cols, (j, r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                j.fb[j.ob + r] = sum(j.fa, j.oa + r * j.p0, j.p0);
            }
        });
    }

    /**
     * The sum of {@code n} elements from {@code from}, over four interleaved partial sums: four times the speed of one
     * running sum (whose additions wait for each other), and less rounding error on long rows.
     */
    private static float sum(float[] x, int from, int n) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += x[from + j];
            s1 += x[from + j + 1];
            s2 += x[from + j + 2];
            s3 += x[from + j + 3];
        }
        for (; j < n; j++) {
            s0 += x[from + j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void maxPoolForward(int n, ConvGeometry g, float[] x, int xOff, int[] argMax, float[] out, int outOff) {
        RangeJob.of(this).geometry(g).a(x, xOff).ints(argMax).b(out, outOff)
                .run(n, (long) g.channels() * g.positions() * g.filterH() * g.filterW(),
                        (j, i0, i1) -> j.kernels.maxPoolImages(i0, i1, j.g, j.fa, j.oa, j.ints, j.fb, j.ob));
    }

    /**
     * Images {@code [i0, i1)} of {@code maxPoolForward}, on the calling thread. For each output, the window is scanned
     * in its row-major order and the first maximum kept, as NumPy's argmax over an im2col row. Windows that lie inside
     * the image (all of them without padding) take the fast path, over precomputed offsets; the others read the
     * padding as 0. The Vector API kernels override it.
     */
    protected void maxPoolImages(int i0, int i1, ConvGeometry g, float[] x, int xOff, int[] argMax, float[] out,
                                 int outOff) {
        int h = g.height();
        int w = g.width();
        int fh = g.filterH();
        int fw = g.filterW();
        int s = g.stride();
        int p = g.pad();
        int oh = g.outH();
        int ow = g.outW();
        int plane = h * w;
        int[] offsets = windowOffsets(fh, fw, w);
        int window = offsets.length;
        int oxLo = Math.min(ow, ceilDiv(p, s));
        int oxHi = Math.max(oxLo, Math.min(ow, Math.floorDiv(w + p - fw, s) + 1));
        for (int q = i0 * g.channels(); q < i1 * g.channels(); q++) {
            int src = xOff + q * plane;
            for (int oy = 0; oy < oh; oy++) {
                int o = q * oh * ow + oy * ow;
                int iy0 = oy * s - p;
                boolean rowsInside = iy0 >= 0 && iy0 + fh <= h;
                int lo = rowsInside ? oxLo : ow;
                int hi = rowsInside ? oxHi : ow;
                for (int ox = 0; ox < lo; ox++) {
                    maxPoolPadded(g, x, src, iy0, ox * s - p, argMax, o + ox, out, outOff);
                }
                int at = iy0 * w + lo * s - p;
                // Without branches, whose mispredictions would cost more than the rest (which element wins is as
                // unpredictable as the data): Math.max, and the first element equal to the maximum found by bit
                // arithmetic, −0 counted as +0. A NaN is the maximum, and the first NaN wins, as for np.argmax.
                if (window == 4 && fw == 2) {
                    for (int ox = lo; ox < hi; ox++, at += s) {
                        int i = src + at;
                        float a = x[i];
                        float b = x[i + 1];
                        float c = x[i + w];
                        float d = x[i + w + 1];
                        float best = Math.max(Math.max(a, b), Math.max(c, d));
                        int bits = Float.floatToRawIntBits(best + 0f);
                        int na = differs(a, bits);
                        int nb = differs(b, bits) & na;
                        int e0 = na + nb + (differs(c, bits) & nb);
                        out[outOff + o + ox] = best;
                        argMax[o + ox] = at + (best == best ? offsets[e0] : firstNaN(x, i, offsets));
                    }
                } else {
                    for (int ox = lo; ox < hi; ox++, at += s) {
                        maxPoolWindow(x, src, at, offsets, argMax, o + ox, out, outOff);
                    }
                }
                for (int ox = Math.max(lo, hi); ox < ow; ox++) {
                    maxPoolPadded(g, x, src, iy0, ox * s - p, argMax, o + ox, out, outOff);
                }
            }
        }
    }

    /**
     * One output of max pooling whose window lies inside the image: its first element at {@code at} in the plane from
     * {@code src}, the others {@code offsets} further ({@link #windowOffsets}). Public for the Vector API kernels.
     */
    public static void maxPoolWindow(float[] x, int src, int at, int[] offsets, int[] argMax, int o, float[] out,
                                     int outOff) {
        int i = src + at;
        float best = x[i];
        int e0 = 0;
        for (int e = 1; e < offsets.length; e++) {
            float next = Math.max(best, x[i + offsets[e]]);
            // 1 where the maximum so far moved on: the element's index replaces e0.
            int moved = differs(next, Float.floatToRawIntBits(best + 0f));
            e0 ^= (e0 ^ e) & -moved;
            best = next;
        }
        out[outOff + o] = best;
        argMax[o] = at + (best == best ? offsets[e0] : firstNaN(x, i, offsets));
    }

    /** One output whose window at {@code (iy0, ix0)} reaches into the padding, which counts as 0 (index −1). */
    private static void maxPoolPadded(ConvGeometry g, float[] x, int src, int iy0, int ix0, int[] argMax, int o,
                                      float[] out, int outOff) {
        float best = 0f;
        int bestAt = -2;
        for (int ky = 0; ky < g.filterH(); ky++) {
            for (int kx = 0; kx < g.filterW(); kx++) {
                int iy = iy0 + ky;
                int ix = ix0 + kx;
                boolean inside = iy >= 0 && iy < g.height() && ix >= 0 && ix < g.width();
                float v = inside ? x[src + iy * g.width() + ix] : 0f;
                if (bestAt == -2 || (!(v <= best) && best == best)) {
                    best = v;
                    bestAt = inside ? iy * g.width() + ix : -1;
                }
            }
        }
        out[outOff + o] = best;
        argMax[o] = bestAt;
    }

    @Override
    public void maxPoolBackward(int n, ConvGeometry g, float[] dout, int doutOff, int[] argMax, float[] dx,
                                int dxOff) {
        RangeJob.of(this).geometry(g).a(dout, doutOff).ints(argMax).b(dx, dxOff)
                .run(n, (long) g.channels() * (g.positions() + g.height() * g.width()),
                        (j, i0, i1) -> maxPoolBackwardImages(i0, i1, j.g, j.fa, j.oa, j.ints, j.fb, j.ob));
    }

    /** Images {@code [i0, i1)} of {@code maxPoolBackward}. */
    private static void maxPoolBackwardImages(int i0, int i1, ConvGeometry g, float[] dout, int doutOff, int[] argMax,
                                              float[] dx, int dxOff) {
        int plane = g.height() * g.width();
        int positions = g.positions();
        java.util.Arrays.fill(dx, dxOff + i0 * g.channels() * plane, dxOff + i1 * g.channels() * plane, 0f);
        for (int q = i0 * g.channels(); q < i1 * g.channels(); q++) {
            int base = dxOff + q * plane;
            for (int o = q * positions; o < (q + 1) * positions; o++) {
                int a = argMax[o];
                if (a >= 0) {
                    dx[base + a] += dout[doutOff + o];
                }
            }
        }
    }

    @Override
    public void im2col(int n, ConvGeometry g, double[] x, int xOff, double[] col, int colOff) {
        RangeJob.of(this).geometry(g).a(x, xOff).b(col, colOff).run(n, (long) g.positions() * g.patchSize(),
                (j, i0, i1) -> j.kernels.im2colImages(i0, i1, j.g, j.da, j.oa, j.db, j.ob));
    }

    /**
     * Images {@code [i0, i1)} of {@code im2col}, on the calling thread; the unit of work {@code im2col} spreads over
     * the threads. The Vector API kernels override it.
     */
    protected void im2colImages(int i0, int i1, ConvGeometry g, double[] x, int xOff, double[] col, int colOff) {
        int channels = g.channels();
        int h = g.height();
        int w = g.width();
        int fh = g.filterH();
        int fw = g.filterW();
        int s = g.stride();
        int p = g.pad();
        int oh = g.outH();
        int ow = g.outW();
        int k = g.patchSize();
        int plane = h * w;
        for (int i = i0; i < i1; i++) {
            int image = xOff + i * channels * plane;
            for (int oy = 0; oy < oh; oy++) {
                // The ow rows of col for output row oy; (c, ky) is a run of fw columns in each of them.
                int rows = colOff + (i * oh + oy) * ow * k;
                for (int c = 0; c < channels; c++) {
                    for (int ky = 0; ky < fh; ky++) {
                        int iy = oy * s + ky - p;
                        int dst = rows + (c * fh + ky) * fw;
                        if (iy < 0 || iy >= h) {
                            for (int ox = 0; ox < ow; ox++, dst += k) {
                                for (int kx = 0; kx < fw; kx++) {
                                    col[dst + kx] = 0d;
                                }
                            }
                            continue;
                        }
                        int src = image + c * plane + iy * w - p;
                        for (int ox = 0, ix = -p; ox < ow; ox++, dst += k, src += s, ix += s) {
                            if (ix >= 0 && ix + fw <= w) {
                                for (int kx = 0; kx < fw; kx++) {
                                    col[dst + kx] = x[src + kx];
                                }
                            } else {
                                for (int kx = 0; kx < fw; kx++) {
                                    int xx = ix + kx;
                                    col[dst + kx] = xx >= 0 && xx < w ? x[src + kx] : 0d;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void col2im(int n, ConvGeometry g, double[] col, int colOff, double[] x, int xOff) {
        RangeJob.of(this).geometry(g).a(col, colOff).b(x, xOff).run(n, (long) g.positions() * g.patchSize(),
                (j, i0, i1) -> col2imImages(i0, i1, j.g, j.da, j.oa, j.db, j.ob));
    }

    private static void col2imImages(int i0, int i1, ConvGeometry g, double[] col, int colOff, double[] x, int xOff) {
        int channels = g.channels();
        int h = g.height();
        int w = g.width();
        int fh = g.filterH();
        int fw = g.filterW();
        int s = g.stride();
        int p = g.pad();
        int oh = g.outH();
        int ow = g.outW();
        int k = g.patchSize();
        int plane = h * w;
        java.util.Arrays.fill(x, xOff + i0 * channels * plane, xOff + i1 * channels * plane, 0d);
        for (int i = i0; i < i1; i++) {
            int image = xOff + i * channels * plane;
            for (int oy = 0; oy < oh; oy++) {
                int rows = colOff + (i * oh + oy) * ow * k;
                for (int c = 0; c < channels; c++) {
                    for (int ky = 0; ky < fh; ky++) {
                        int iy = oy * s + ky - p;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int src = rows + (c * fh + ky) * fw;
                        int dst = image + c * plane + iy * w - p;
                        for (int ox = 0, ix = -p; ox < ow; ox++, src += k, dst += s, ix += s) {
                            if (ix >= 0 && ix + fw <= w) {
                                for (int kx = 0; kx < fw; kx++) {
                                    x[dst + kx] += col[src + kx];
                                }
                            } else {
                                for (int kx = Math.max(0, -ix); kx < Math.min(fw, w - ix); kx++) {
                                    x[dst + kx] += col[src + kx];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void im2colT(int n, ConvGeometry g, double[] x, int xOff, double[] colT, int colTOff) {
        RangeJob.of(this).geometry(g).a(x, xOff).b(colT, colTOff).run(n, (long) g.positions() * g.patchSize(),
                (j, i0, i1) -> im2colTImages(i0, i1, j.g, j.da, j.oa, j.db, j.ob));
    }

    /**
     * Row by row of colT: for window element (c, ky, kx) and output row oy, the output columns whose input column
     * {@code ox·stride + kx − pad} lies inside the image, {@code [oxLo, oxHi)}, are copied (a run of the input row for
     * stride 1), the others are 0.
     */
    private static void im2colTImages(int i0, int i1, ConvGeometry g, double[] x, int xOff, double[] colT,
                                      int colTOff) {
        int channels = g.channels();
        int h = g.height();
        int w = g.width();
        int s = g.stride();
        int p = g.pad();
        int oh = g.outH();
        int ow = g.outW();
        int plane = h * w;
        int positions = oh * ow;
        for (int i = i0; i < i1; i++) {
            int image = xOff + i * channels * plane;
            int row = colTOff + i * g.patchSize() * positions;
            for (int c = 0; c < channels; c++) {
                for (int ky = 0; ky < g.filterH(); ky++) {
                    for (int kx = 0; kx < g.filterW(); kx++, row += positions) {
                        int oxLo = Math.min(ow, Math.max(0, ceilDiv(p - kx, s)));
                        int oxHi = Math.max(oxLo, Math.min(ow, Math.floorDiv(w - 1 + p - kx, s) + 1));
                        for (int oy = 0; oy < oh; oy++) {
                            int dst = row + oy * ow;
                            int iy = oy * s + ky - p;
                            if (iy < 0 || iy >= h) {
                                java.util.Arrays.fill(colT, dst, dst + ow, 0d);
                                continue;
                            }
                            java.util.Arrays.fill(colT, dst, dst + oxLo, 0d);
                            int src = image + c * plane + iy * w + oxLo * s + kx - p;
                            if (s == 1) {
                                if (oxHi > oxLo) { // else this column of the window sees only padding: src is outside
                                    System.arraycopy(x, src, colT, dst + oxLo, oxHi - oxLo);
                                }
                            } else {
                                for (int ox = oxLo; ox < oxHi; ox++, src += s) {
                                    colT[dst + ox] = x[src];
                                }
                            }
                            java.util.Arrays.fill(colT, dst + oxHi, dst + ow, 0d);
                        }
                    }
                }
            }
        }
    }

    @Override
    public void col2imT(int n, ConvGeometry g, double[] colT, int colTOff, double[] x, int xOff) {
        RangeJob.of(this).geometry(g).a(colT, colTOff).b(x, xOff).run(n, (long) g.positions() * g.patchSize(),
                (j, i0, i1) -> col2imTImages(i0, i1, j.g, j.da, j.oa, j.db, j.ob));
    }

    /** The transpose of {@link #im2colTImages}: each copied element added back, in the same order. */
    private static void col2imTImages(int i0, int i1, ConvGeometry g, double[] colT, int colTOff, double[] x,
                                      int xOff) {
        int channels = g.channels();
        int h = g.height();
        int w = g.width();
        int s = g.stride();
        int p = g.pad();
        int oh = g.outH();
        int ow = g.outW();
        int plane = h * w;
        int positions = oh * ow;
        java.util.Arrays.fill(x, xOff + i0 * channels * plane, xOff + i1 * channels * plane, 0d);
        for (int i = i0; i < i1; i++) {
            int image = xOff + i * channels * plane;
            int row = colTOff + i * g.patchSize() * positions;
            for (int c = 0; c < channels; c++) {
                for (int ky = 0; ky < g.filterH(); ky++) {
                    for (int kx = 0; kx < g.filterW(); kx++, row += positions) {
                        int oxLo = Math.min(ow, Math.max(0, ceilDiv(p - kx, s)));
                        int oxHi = Math.max(oxLo, Math.min(ow, Math.floorDiv(w - 1 + p - kx, s) + 1));
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy * s + ky - p;
                            if (iy < 0 || iy >= h) {
                                continue;
                            }
                            int src = row + oy * ow;
                            int dst = image + c * plane + iy * w + oxLo * s + kx - p;
                            if (s == 1) {
                                // A loop over two arrays with one index: the JIT vectorises it.
                                int d = dst - oxLo;
                                for (int ox = oxLo; ox < oxHi; ox++) {
                                    x[d + ox] += colT[src + ox];
                                }
                            } else {
                                for (int ox = oxLo; ox < oxHi; ox++, dst += s) {
                                    x[dst] += colT[src + ox];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void gemmBatch(int batch, boolean transA, int m, int n, int k, double[] a, int aOff, double[] b, int bOff,
                          double[] bias, int biasOff, double[] c, int cOff) {
        // Each product whole on one thread: the sums do not depend on the thread count.
        RangeJob.of(this).flag(transA).ints(m, n, k).a(a, aOff).b(b, bOff).c(bias, biasOff).d(c, cOff)
                .run(batch, (long) m * n * k, (j, i0, i1) -> j.kernels.gemmBatchRange(i0, i1, j.flag, j.p0, j.p1,
                        j.p2, j.da, j.oa, j.db, j.ob, j.dc, j.oc, j.dd, j.od));
    }

    /** Products {@code [i0, i1)} of {@code gemmBatch}: {@code C_i} filled with the bias rows, op(A)·B_i added. */
    private void gemmBatchRange(int i0, int i1, boolean transA, int m, int n, int k, double[] a, int aOff, double[] b,
                                int bOff, double[] bias, int biasOff, double[] c, int cOff) {
        for (int i = i0; i < i1; i++) {
            int ci = cOff + i * m * n;
            if (bias != null) {
                for (int r = 0; r < m; r++) {
                    java.util.Arrays.fill(c, ci + r * n, ci + (r + 1) * n, bias[biasOff + r]);
                }
            }
            gemmSerial(transA, m, n, k, a, aOff, b, bOff + i * k * n, c, ci, bias != null);
        }
    }

    /**
     * One product {@code C = op(A)·B} ({@code +=} when {@code accumulate}), B row-major, on the calling thread: the
     * unit of work of {@code gemmBatch}.
     * The Vector API kernels override it.
     */
    protected void gemmSerial(boolean transA, int m, int n, int k, double[] a, int aOff, double[] b, int bOff,
                              double[] c, int cOff, boolean accumulate) {
        gemmRows(0, m, transA, false, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }

    @Override
    public void swapAxes01(int d0, int d1, int block, double[] x, int xOff, double[] out, int outOff) {
        RangeJob.of(this).ints(d0, d1, block).a(x, xOff).b(out, outOff).run(d1, (long) d0 * block,
                (j, j0, j1) -> swapAxes01Rows(j0, j1, j.p0, j.p1, j.p2, j.da, j.oa, j.db, j.ob));
    }

    /** Rows {@code [j0, j1)} of the output of {@code swapAxes01}. */
    private static void swapAxes01Rows(int j0, int j1, int d0, int d1, int block, double[] x, int xOff, double[] out,
                                       int outOff) {
        for (int j = j0; j < j1; j++) {
            for (int i = 0; i < d0; i++) {
                System.arraycopy(x, xOff + (i * d1 + j) * block, out, outOff + (j * d0 + i) * block, block);
            }
        }
    }

    @Override
    public void sumRows(int rows, int cols, double[] x, int xOff, double[] out, int outOff) {
        RangeJob.of(this).ints(cols, 0, 0).a(x, xOff).b(out, outOff).run(rows, cols, (j, r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                j.db[j.ob + r] = sum(j.da, j.oa + r * j.p0, j.p0);
            }
        });
    }

    /**
     * The sum of {@code n} elements from {@code from}, over four interleaved partial sums: four times the speed of one
     * running sum (whose additions wait for each other), and less rounding error on long rows.
     */
    private static double sum(double[] x, int from, int n) {
        double s0 = 0d;
        double s1 = 0d;
        double s2 = 0d;
        double s3 = 0d;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += x[from + j];
            s1 += x[from + j + 1];
            s2 += x[from + j + 2];
            s3 += x[from + j + 3];
        }
        for (; j < n; j++) {
            s0 += x[from + j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void maxPoolForward(int n, ConvGeometry g, double[] x, int xOff, int[] argMax, double[] out, int outOff) {
        RangeJob.of(this).geometry(g).a(x, xOff).ints(argMax).b(out, outOff)
                .run(n, (long) g.channels() * g.positions() * g.filterH() * g.filterW(),
                        (j, i0, i1) -> maxPoolImages(i0, i1, j.g, j.da, j.oa, j.ints, j.db, j.ob));
    }

    /**
     * For each output, the window is scanned in its row-major order and the first maximum kept, as NumPy's argmax
     * over an im2col row. Windows that lie inside the image (all of them without padding) take the fast path, over
     * precomputed offsets; the others read the padding as 0.
     */
    private static void maxPoolImages(int i0, int i1, ConvGeometry g, double[] x, int xOff, int[] argMax,
                                      double[] out, int outOff) {
        int h = g.height();
        int w = g.width();
        int fh = g.filterH();
        int fw = g.filterW();
        int s = g.stride();
        int p = g.pad();
        int oh = g.outH();
        int ow = g.outW();
        int plane = h * w;
        int[] offsets = windowOffsets(fh, fw, w);
        int window = offsets.length;
        int oxLo = Math.min(ow, ceilDiv(p, s));
        int oxHi = Math.max(oxLo, Math.min(ow, Math.floorDiv(w + p - fw, s) + 1));
        for (int q = i0 * g.channels(); q < i1 * g.channels(); q++) {
            int src = xOff + q * plane;
            for (int oy = 0; oy < oh; oy++) {
                int o = q * oh * ow + oy * ow;
                int iy0 = oy * s - p;
                boolean rowsInside = iy0 >= 0 && iy0 + fh <= h;
                int lo = rowsInside ? oxLo : ow;
                int hi = rowsInside ? oxHi : ow;
                for (int ox = 0; ox < lo; ox++) {
                    maxPoolPadded(g, x, src, iy0, ox * s - p, argMax, o + ox, out, outOff);
                }
                int at = iy0 * w + lo * s - p;
                // Without branches, whose mispredictions would cost more than the rest (which element wins is as
                // unpredictable as the data): Math.max, and the first element equal to the maximum found by bit
                // arithmetic, −0 counted as +0. A NaN is the maximum, and the first NaN wins, as for np.argmax.
                if (window == 4 && fw == 2) {
                    for (int ox = lo; ox < hi; ox++, at += s) {
                        int i = src + at;
                        double a = x[i];
                        double b = x[i + 1];
                        double c = x[i + w];
                        double d = x[i + w + 1];
                        double best = Math.max(Math.max(a, b), Math.max(c, d));
                        long bits = Double.doubleToRawLongBits(best + 0d);
                        int na = differs(a, bits);
                        int nb = differs(b, bits) & na;
                        int e0 = na + nb + (differs(c, bits) & nb);
                        out[outOff + o + ox] = best;
                        argMax[o + ox] = at + (best == best ? offsets[e0] : firstNaN(x, i, offsets));
                    }
                } else {
                    for (int ox = lo; ox < hi; ox++, at += s) {
                        int i = src + at;
                        double best = x[i];
                        int e0 = 0;
                        for (int e = 1; e < window; e++) {
                            double next = Math.max(best, x[i + offsets[e]]);
                            // 1 where the maximum so far moved on: the element's index replaces e0.
                            int moved = differs(next, Double.doubleToRawLongBits(best + 0d));
                            e0 ^= (e0 ^ e) & -moved;
                            best = next;
                        }
                        out[outOff + o + ox] = best;
                        argMax[o + ox] = at + (best == best ? offsets[e0] : firstNaN(x, i, offsets));
                    }
                }
                for (int ox = Math.max(lo, hi); ox < ow; ox++) {
                    maxPoolPadded(g, x, src, iy0, ox * s - p, argMax, o + ox, out, outOff);
                }
            }
        }
    }

    /** One output whose window at {@code (iy0, ix0)} reaches into the padding, which counts as 0 (index −1). */
    private static void maxPoolPadded(ConvGeometry g, double[] x, int src, int iy0, int ix0, int[] argMax, int o,
                                      double[] out, int outOff) {
        double best = 0d;
        int bestAt = -2;
        for (int ky = 0; ky < g.filterH(); ky++) {
            for (int kx = 0; kx < g.filterW(); kx++) {
                int iy = iy0 + ky;
                int ix = ix0 + kx;
                boolean inside = iy >= 0 && iy < g.height() && ix >= 0 && ix < g.width();
                double v = inside ? x[src + iy * g.width() + ix] : 0d;
                if (bestAt == -2 || (!(v <= best) && best == best)) {
                    best = v;
                    bestAt = inside ? iy * g.width() + ix : -1;
                }
            }
        }
        out[outOff + o] = best;
        argMax[o] = bestAt;
    }

    @Override
    public void maxPoolBackward(int n, ConvGeometry g, double[] dout, int doutOff, int[] argMax, double[] dx,
                                int dxOff) {
        RangeJob.of(this).geometry(g).a(dout, doutOff).ints(argMax).b(dx, dxOff)
                .run(n, (long) g.channels() * (g.positions() + g.height() * g.width()),
                        (j, i0, i1) -> maxPoolBackwardImages(i0, i1, j.g, j.da, j.oa, j.ints, j.db, j.ob));
    }

    /** Images {@code [i0, i1)} of {@code maxPoolBackward}. */
    private static void maxPoolBackwardImages(int i0, int i1, ConvGeometry g, double[] dout, int doutOff, int[] argMax,
                                              double[] dx, int dxOff) {
        int plane = g.height() * g.width();
        int positions = g.positions();
        java.util.Arrays.fill(dx, dxOff + i0 * g.channels() * plane, dxOff + i1 * g.channels() * plane, 0d);
        for (int q = i0 * g.channels(); q < i1 * g.channels(); q++) {
            int base = dxOff + q * plane;
            for (int o = q * positions; o < (q + 1) * positions; o++) {
                int a = argMax[o];
                if (a >= 0) {
                    dx[base + a] += dout[doutOff + o];
                }
            }
        }
    }

    // ---- chapter 6: optimizer steps, batch normalisation, dropout, weight decay ------------------------------------
    // Each expression keeps the book's NumPy evaluation order (e.g. (lr·g) / (√h + ε)), so float64 agrees bit for bit
    // where NumPy does the same element-wise operations.

    @Override
    public void momentumUpdate(int n, double lr, double momentum, float[] g, int gOff, float[] v, int vOff,
                               float[] w, int wOff) {
        float lrF = (float) lr;
        float mF = (float) momentum;
        for (int i = 0; i < n; i++) {
            float vi = mF * v[vOff + i] - lrF * g[gOff + i];
            v[vOff + i] = vi;
            w[wOff + i] += vi;
        }
    }

    @Override
    public void momentumUpdate(int n, double lr, double momentum, double[] g, int gOff, double[] v, int vOff,
                               double[] w, int wOff) {
        for (int i = 0; i < n; i++) {
            double vi = momentum * v[vOff + i] - lr * g[gOff + i];
            v[vOff + i] = vi;
            w[wOff + i] += vi;
        }
    }

    @Override
    public void nesterovUpdate(int n, double lr, double momentum, float[] g, int gOff, float[] v, int vOff,
                               float[] w, int wOff) {
        float mm = (float) (momentum * momentum);
        float step = (float) ((1 + momentum) * lr);
        float mF = (float) momentum;
        float lrF = (float) lr;
        for (int i = 0; i < n; i++) {
            float gi = g[gOff + i];
            float vi = v[vOff + i];
            float wi = w[wOff + i] + mm * vi;
            w[wOff + i] = wi - step * gi;
            vi *= mF;
            v[vOff + i] = vi - lrF * gi;
        }
    }

    @Override
    public void nesterovUpdate(int n, double lr, double momentum, double[] g, int gOff, double[] v, int vOff,
                               double[] w, int wOff) {
        double mm = momentum * momentum;
        double step = (1 + momentum) * lr;
        for (int i = 0; i < n; i++) {
            double gi = g[gOff + i];
            double vi = v[vOff + i];
            double wi = w[wOff + i] + mm * vi;
            w[wOff + i] = wi - step * gi;
            vi *= momentum;
            v[vOff + i] = vi - lr * gi;
        }
    }

    @Override
    public void adaGradUpdate(int n, double lr, double eps, float[] g, int gOff, float[] h, int hOff,
                              float[] w, int wOff) {
        float lrF = (float) lr;
        float epsF = (float) eps;
        for (int i = 0; i < n; i++) {
            float gi = g[gOff + i];
            float hi = h[hOff + i] + gi * gi;
            h[hOff + i] = hi;
            w[wOff + i] -= lrF * gi / ((float) Math.sqrt(hi) + epsF);
        }
    }

    @Override
    public void adaGradUpdate(int n, double lr, double eps, double[] g, int gOff, double[] h, int hOff,
                              double[] w, int wOff) {
        for (int i = 0; i < n; i++) {
            double gi = g[gOff + i];
            double hi = h[hOff + i] + gi * gi;
            h[hOff + i] = hi;
            w[wOff + i] -= lr * gi / (Math.sqrt(hi) + eps);
        }
    }

    @Override
    public void rmsPropUpdate(int n, double lr, double decayRate, double eps, float[] g, int gOff, float[] h,
                              int hOff, float[] w, int wOff) {
        float lrF = (float) lr;
        float epsF = (float) eps;
        float d = (float) decayRate;
        float oneMinusD = (float) (1 - decayRate);
        for (int i = 0; i < n; i++) {
            float gi = g[gOff + i];
            float hi = h[hOff + i] * d;
            hi += oneMinusD * gi * gi;
            h[hOff + i] = hi;
            w[wOff + i] -= lrF * gi / ((float) Math.sqrt(hi) + epsF);
        }
    }

    @Override
    public void rmsPropUpdate(int n, double lr, double decayRate, double eps, double[] g, int gOff, double[] h,
                              int hOff, double[] w, int wOff) {
        double oneMinusD = 1 - decayRate;
        for (int i = 0; i < n; i++) {
            double gi = g[gOff + i];
            double hi = h[hOff + i] * decayRate;
            hi += oneMinusD * gi * gi;
            h[hOff + i] = hi;
            w[wOff + i] -= lr * gi / (Math.sqrt(hi) + eps);
        }
    }

    @Override
    public void adamUpdate(int n, double lrT, double beta1, double beta2, double eps, float[] g, int gOff,
                           float[] m, int mOff, float[] v, int vOff, float[] w, int wOff) {
        RangeJob.of(this).scalars(lrT, beta1, beta2, eps).a(g, gOff).b(m, mOff).c(v, vOff).d(w, wOff).run(n, 4,
                (j, from, to) -> j.kernels.adamUpdateRange(from, to, j.s0, j.s1, j.s2, j.s3, j.fa, j.oa, j.fb, j.ob,
                        j.fc, j.oc, j.fd, j.od));
    }

    /**
     * Elements {@code [from, to)} of {@code adamUpdate}, on the calling thread: the unit of work it spreads over the
     * threads (each element is updated on its own, so the result does not depend on the split).
     */
    protected void adamUpdateRange(int from, int to, double lrT, double beta1, double beta2, double eps, float[] g,
                                   int gOff, float[] m, int mOff, float[] v, int vOff, float[] w, int wOff) {
        float lrF = (float) lrT;
        float epsF = (float) eps;
        float c1 = (float) (1 - beta1);
        float c2 = (float) (1 - beta2);
        for (int i = from; i < to; i++) {
            float gi = g[gOff + i];
            float mi = m[mOff + i];
            mi += c1 * (gi - mi);
            m[mOff + i] = mi;
            float vi = v[vOff + i];
            vi += c2 * (gi * gi - vi);
            v[vOff + i] = vi;
            w[wOff + i] -= lrF * mi / ((float) Math.sqrt(vi) + epsF);
        }
    }

    @Override
    public void adamUpdate(int n, double lrT, double beta1, double beta2, double eps, double[] g, int gOff,
                           double[] m, int mOff, double[] v, int vOff, double[] w, int wOff) {
        RangeJob.of(this).scalars(lrT, beta1, beta2, eps).a(g, gOff).b(m, mOff).c(v, vOff).d(w, wOff).run(n, 4,
                (j, from, to) -> j.kernels.adamUpdateRange(from, to, j.s0, j.s1, j.s2, j.s3, j.da, j.oa, j.db, j.ob,
                        j.dc, j.oc, j.dd, j.od));
    }

    /** Elements {@code [from, to)} of {@code adamUpdate}, on the calling thread. */
    protected void adamUpdateRange(int from, int to, double lrT, double beta1, double beta2, double eps, double[] g,
                                   int gOff, double[] m, int mOff, double[] v, int vOff, double[] w, int wOff) {
        double c1 = 1 - beta1;
        double c2 = 1 - beta2;
        for (int i = from; i < to; i++) {
            double gi = g[gOff + i];
            double mi = m[mOff + i];
            mi += c1 * (gi - mi);
            m[mOff + i] = mi;
            double vi = v[vOff + i];
            vi += c2 * (gi * gi - vi);
            v[vOff + i] = vi;
            w[wOff + i] -= lrT * mi / (Math.sqrt(vi) + eps);
        }
    }

    // Batch normalisation walks one column at a time (rows inner): each column's sums then run over the rows in order,
    // as NumPy's sum(axis=0) does, and no scratch array is needed. The strided reads stay in cache, since neighbouring
    // columns share cache lines.

    @Override
    public void batchNormForward(int rows, int cols, float[] x, int xOff, float[] gamma, int gammaOff, float[] beta,
                                 int betaOff, double eps, float[] mean, int meanOff, float[] var, int varOff,
                                 float[] std, int stdOff, float[] xc, int xcOff, float[] out, int outOff) {
        float epsF = (float) eps;
        float n = rows;
        for (int j = 0; j < cols; j++) {
            float sum = 0f;
            for (int i = 0; i < rows; i++) {
                sum += x[xOff + i * cols + j];
            }
            float mu = sum / n;
            float sq = 0f;
            for (int i = 0; i < rows; i++) {
                float c = x[xOff + i * cols + j] - mu;
                xc[xcOff + i * cols + j] = c;
                sq += c * c;
            }
            float v = sq / n;
            float s = (float) Math.sqrt(v + epsF);
            float gj = gamma[gammaOff + j];
            float bj = beta[betaOff + j];
            for (int i = 0; i < rows; i++) {
                out[outOff + i * cols + j] = gj * (xc[xcOff + i * cols + j] / s) + bj;
            }
            mean[meanOff + j] = mu;
            var[varOff + j] = v;
            std[stdOff + j] = s;
        }
    }

    @Override
    public void batchNormForward(int rows, int cols, double[] x, int xOff, double[] gamma, int gammaOff,
                                 double[] beta, int betaOff, double eps, double[] mean, int meanOff, double[] var,
                                 int varOff, double[] std, int stdOff, double[] xc, int xcOff, double[] out,
                                 int outOff) {
        double n = rows;
        for (int j = 0; j < cols; j++) {
            double sum = 0d;
            for (int i = 0; i < rows; i++) {
                sum += x[xOff + i * cols + j];
            }
            double mu = sum / n;
            double sq = 0d;
            for (int i = 0; i < rows; i++) {
                double c = x[xOff + i * cols + j] - mu;
                xc[xcOff + i * cols + j] = c;
                sq += c * c;
            }
            double v = sq / n;
            double s = Math.sqrt(v + eps);
            double gj = gamma[gammaOff + j];
            double bj = beta[betaOff + j];
            for (int i = 0; i < rows; i++) {
                out[outOff + i * cols + j] = gj * (xc[xcOff + i * cols + j] / s) + bj;
            }
            mean[meanOff + j] = mu;
            var[varOff + j] = v;
            std[stdOff + j] = s;
        }
    }

    @Override
    public void batchNormInference(int rows, int cols, float[] x, int xOff, float[] gamma, int gammaOff,
                                   float[] beta, int betaOff, double eps, float[] mean, int meanOff, float[] var,
                                   int varOff, float[] out, int outOff) {
        float epsF = (float) eps;
        for (int j = 0; j < cols; j++) {
            float mu = mean[meanOff + j];
            float s = (float) Math.sqrt(var[varOff + j] + epsF);
            float gj = gamma[gammaOff + j];
            float bj = beta[betaOff + j];
            for (int i = 0; i < rows; i++) {
                int at = i * cols + j;
                out[outOff + at] = gj * ((x[xOff + at] - mu) / s) + bj;
            }
        }
    }

    @Override
    public void batchNormInference(int rows, int cols, double[] x, int xOff, double[] gamma, int gammaOff,
                                   double[] beta, int betaOff, double eps, double[] mean, int meanOff, double[] var,
                                   int varOff, double[] out, int outOff) {
        for (int j = 0; j < cols; j++) {
            double mu = mean[meanOff + j];
            double s = Math.sqrt(var[varOff + j] + eps);
            double gj = gamma[gammaOff + j];
            double bj = beta[betaOff + j];
            for (int i = 0; i < rows; i++) {
                int at = i * cols + j;
                out[outOff + at] = gj * ((x[xOff + at] - mu) / s) + bj;
            }
        }
    }

    @Override
    public void batchNormBackward(int rows, int cols, float[] dout, int doutOff, float[] xc, int xcOff, float[] std,
                                  int stdOff, float[] gamma, int gammaOff, float[] dx, int dxOff, float[] dgamma,
                                  int dgammaOff, float[] dbeta, int dbetaOff) {
        float n = rows;
        float twoOverN = (float) (2.0 / rows);
        for (int j = 0; j < cols; j++) {
            float s = std[stdOff + j];
            float gj = gamma[gammaOff + j];
            float sumDout = 0f;
            float sumXnDout = 0f;
            float dstd = 0f;
            for (int i = 0; i < rows; i++) {
                int at = i * cols + j;
                float d = dout[doutOff + at];
                float c = xc[xcOff + at];
                sumDout += d;
                sumXnDout += (c / s) * d;
                float dxn = gj * d;
                dx[dxOff + at] = dxn / s;
                dstd += (dxn * c) / (s * s);
            }
            dstd = -dstd;
            float dvar = 0.5f * dstd / s;
            float dmu = 0f;
            for (int i = 0; i < rows; i++) {
                int at = i * cols + j;
                float dxc = dx[dxOff + at] + twoOverN * xc[xcOff + at] * dvar;
                dx[dxOff + at] = dxc;
                dmu += dxc;
            }
            float shift = dmu / n;
            for (int i = 0; i < rows; i++) {
                dx[dxOff + i * cols + j] -= shift;
            }
            dgamma[dgammaOff + j] = sumXnDout;
            dbeta[dbetaOff + j] = sumDout;
        }
    }

    @Override
    public void batchNormBackward(int rows, int cols, double[] dout, int doutOff, double[] xc, int xcOff,
                                  double[] std, int stdOff, double[] gamma, int gammaOff, double[] dx, int dxOff,
                                  double[] dgamma, int dgammaOff, double[] dbeta, int dbetaOff) {
        double n = rows;
        double twoOverN = 2.0 / rows;
        for (int j = 0; j < cols; j++) {
            double s = std[stdOff + j];
            double gj = gamma[gammaOff + j];
            double sumDout = 0d;
            double sumXnDout = 0d;
            double dstd = 0d;
            for (int i = 0; i < rows; i++) {
                int at = i * cols + j;
                double d = dout[doutOff + at];
                double c = xc[xcOff + at];
                sumDout += d;
                sumXnDout += (c / s) * d;
                double dxn = gj * d;
                dx[dxOff + at] = dxn / s;
                dstd += (dxn * c) / (s * s);
            }
            dstd = -dstd;
            double dvar = 0.5 * dstd / s;
            double dmu = 0d;
            for (int i = 0; i < rows; i++) {
                int at = i * cols + j;
                double dxc = dx[dxOff + at] + twoOverN * xc[xcOff + at] * dvar;
                dx[dxOff + at] = dxc;
                dmu += dxc;
            }
            double shift = dmu / n;
            for (int i = 0; i < rows; i++) {
                dx[dxOff + i * cols + j] -= shift;
            }
            dgamma[dgammaOff + j] = sumXnDout;
            dbeta[dbetaOff + j] = sumDout;
        }
    }

    @Override
    public void movingAverage(int n, double momentum, float[] x, int xOff, float[] avg, int avgOff) {
        float m = (float) momentum;
        float oneMinusM = (float) (1 - momentum);
        for (int i = 0; i < n; i++) {
            avg[avgOff + i] = m * avg[avgOff + i] + oneMinusM * x[xOff + i];
        }
    }

    @Override
    public void movingAverage(int n, double momentum, double[] x, int xOff, double[] avg, int avgOff) {
        double oneMinusM = 1 - momentum;
        for (int i = 0; i < n; i++) {
            avg[avgOff + i] = momentum * avg[avgOff + i] + oneMinusM * x[xOff + i];
        }
    }

    @Override
    public void maskedScale(int n, float[] x, int xOff, boolean[] mask, double scale, float[] out, int outOff) {
        float s = (float) scale;
        for (int i = 0; i < n; i++) {
            out[outOff + i] = mask[i] ? s * x[xOff + i] : 0f;
        }
    }

    @Override
    public void maskedScale(int n, double[] x, int xOff, boolean[] mask, double scale, double[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = mask[i] ? scale * x[xOff + i] : 0d;
        }
    }

    @Override
    public double dot(int n, float[] x, int xOff, float[] y, int yOff) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (double) x[xOff + i] * y[yOff + i];
        }
        return s;
    }

    @Override
    public double dot(int n, double[] x, int xOff, double[] y, int yOff) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += x[xOff + i] * y[yOff + i];
        }
        return s;
    }
}
