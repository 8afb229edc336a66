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
            int i0 = (int) ((long) t * m / tasks);
            int i1 = (int) ((long) (t + 1) * m / tasks);
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

    /** Rows {@code [i0, i1)} of C: C[i,:] += A(i,p)·B[p,:] (i-k-j order), or dot products when B is transposed. */
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

    @Override
    public void reluForward(int n, float[] x, int xOff, boolean[] mask, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            boolean off = v <= 0f;
            mask[i] = off;
            out[outOff + i] = off ? 0f : v;
        }
    }

    @Override
    public void reluForward(int n, double[] x, int xOff, boolean[] mask, double[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            double v = x[xOff + i];
            boolean off = v <= 0d;
            mask[i] = off;
            out[outOff + i] = off ? 0d : v;
        }
    }

    @Override
    public void reluBackward(int n, float[] dout, int doutOff, boolean[] mask, float[] dx, int dxOff) {
        for (int i = 0; i < n; i++) {
            dx[dxOff + i] = mask[i] ? 0f : dout[doutOff + i];
        }
    }

    @Override
    public void reluBackward(int n, double[] dout, int doutOff, boolean[] mask, double[] dx, int dxOff) {
        for (int i = 0; i < n; i++) {
            dx[dxOff + i] = mask[i] ? 0d : dout[doutOff + i];
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
        for (int i = 0; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    @Override
    public void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff) {
        for (int i = 0; i < n; i++) {
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
}
