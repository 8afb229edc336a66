package dev.layerwise.kernel.portable;

import dev.layerwise.kernel.RangeTask;

/**
 * The portable {@link dev.layerwise.kernel.ElementwiseKernels} in float32: simple loops that the JIT compiles well,
 * the long ones split over {@link dev.layerwise.kernel.Parallel} by contiguous ranges.
 */
final class FloatElementwise {

    private FloatElementwise() {
    }


    static void addRowVector(int rows, int cols, float[] x, int xOff, float[] b, int bOff, float[] out, int outOff) {
        for (int i = 0; i < rows; i++) {
            int r = i * cols;
            for (int j = 0; j < cols; j++) {
                out[outOff + r + j] = x[xOff + r + j] + b[bOff + j];
            }
        }
    }

    static void sumColumns(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        java.util.Arrays.fill(out, outOff, outOff + cols, 0f);
        for (int i = 0; i < rows; i++) {
            int r = xOff + i * cols;
            for (int j = 0; j < cols; j++) {
                out[outOff + j] += x[r + j];
            }
        }
    }

    static void sumRows(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        SumRows.call(rows, cols, x, xOff, out, outOff);
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

    /**
     * {@link #sum} of two rows of {@code n} elements, from {@code from} and {@code from + n}, into {@code out[at]} and
     * {@code out[at + 1]}: each row's four partial sums as there, in the same order, so the same bits; the two rows'
     * eight chains side by side keep twice as many additions in flight as one row's four.
     */
    private static void sum2(float[] x, int from, int n, float[] out, int at) {
        int from2 = from + n;
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        float t0 = 0f;
        float t1 = 0f;
        float t2 = 0f;
        float t3 = 0f;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += x[from + j];
            t0 += x[from2 + j];
            s1 += x[from + j + 1];
            t1 += x[from2 + j + 1];
            s2 += x[from + j + 2];
            t2 += x[from2 + j + 2];
            s3 += x[from + j + 3];
            t3 += x[from2 + j + 3];
        }
        for (; j < n; j++) {
            s0 += x[from + j];
            t0 += x[from2 + j];
        }
        out[at] = (s0 + s1) + (s2 + s3);
        out[at + 1] = (t0 + t1) + (t2 + t3);
    }

    static void rowMax(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        for (int i = 0; i < rows; i++) {
            int r = xOff + i * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, x[r + j]);
            }
            out[outOff + i] = max;
        }
    }

    static void argmaxRows(int rows, int cols, float[] x, int xOff, int[] out) {
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


    static void exp(int n, float[] x, int xOff, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (float) Math.exp(x[xOff + i]);
        }
    }

    static void log(int n, float[] x, int xOff, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (float) Math.log(x[xOff + i]);
        }
    }

    /*
     * ReLU without branches, split over the threads: a branch on the sign mispredicts on half of the elements
     * of a layer's output, which makes such loops several times slower than their memory traffic. max(v, 0) is v where
     * v > 0 and +0 elsewhere (also for −0), and NaN for NaN, exactly as the masked version.
     */
    static void reluForward(int n, float[] x, int xOff, boolean[] mask, float[] out, int outOff) {
        ReluForward.call(n, x, xOff, mask, out, outOff);
    }

    /**
     * Elements {@code [from, to)} of {@code reluForward}, on the calling thread (mask from index 0; none written when
     * {@code mask} is null).
     */
    static void reluForwardRange(int from, int to, float[] x, int xOff, boolean[] mask, float[] out, int outOff) {
        if (mask == null) {
            for (int i = from; i < to; i++) {
                out[outOff + i] = Math.max(x[xOff + i], 0f);
            }
            return;
        }
        for (int i = from; i < to; i++) {
            float v = x[xOff + i];
            mask[i] = v <= 0f;
            out[outOff + i] = Math.max(v, 0f);
        }
    }

    /** Clears the bits of {@code dout} where masked (a conditional move, not a branch): exactly 0 there. */
    static void reluBackward(int n, float[] dout, int doutOff, boolean[] mask, float[] dx, int dxOff) {
        ReluBackward.call(n, dout, doutOff, mask, null, 0, dx, dxOff);
    }

    /** Elements {@code [from, to)} of {@code reluBackward}, on the calling thread (mask from index 0). */
    static void reluBackwardRange(int from, int to, float[] dout, int doutOff, boolean[] mask, float[] dx,
                                     int dxOff) {
        for (int i = from; i < to; i++) {
            int keep = mask[i] ? 0 : -1;
            dx[dxOff + i] = Float.intBitsToFloat(Float.floatToRawIntBits(dout[doutOff + i]) & keep);
        }
    }

    /** {@code reluBackward} with the mask read off the forward's output {@code y} ({@code y <= 0}). */
    static void reluBackwardFromOutput(int n, float[] dout, int doutOff, float[] y, int yOff, float[] dx, int dxOff) {
        ReluBackward.call(n, dout, doutOff, null, y, yOff, dx, dxOff);
    }

    /** Elements {@code [from, to)} of {@code reluBackwardFromOutput}, on the calling thread. */
    static void reluBackwardFromOutputRange(int from, int to, float[] dout, int doutOff, float[] y, int yOff,
                                            float[] dx, int dxOff) {
        for (int i = from; i < to; i++) {
            int keep = y[yOff + i] <= 0f ? 0 : -1;
            dx[dxOff + i] = Float.intBitsToFloat(Float.floatToRawIntBits(dout[doutOff + i]) & keep);
        }
    }

    static void sigmoidForward(int n, float[] x, int xOff, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (float) sigmoid(x[xOff + i]);
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

    static void sigmoidBackward(int n, float[] dout, int doutOff, float[] y, int yOff, float[] dx, int dxOff) {
        for (int i = 0; i < n; i++) {
            float yi = y[yOff + i];
            dx[dxOff + i] = dout[doutOff + i] * (1f - yi) * yi;
        }
    }

    static void softmaxRows(int rows, int cols, float[] x, int xOff, float[] y, int yOff) {
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

    static void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        // Split like the products that made x (by rows), so that each thread updates what is in its cache.
        Axpy.call(n, alpha, x, xOff, y, yOff);
    }

    /** Elements {@code [from, to)} of {@code axpy}, on the calling thread. */
    static void axpyRange(int from, int to, float alpha, float[] x, int xOff, float[] y, int yOff) {
        for (int i = from; i < to; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    static void scale(int n, float alpha, float[] x, int xOff) {
        for (int i = 0; i < n; i++) {
            x[xOff + i] *= alpha;
        }
    }

    static double dot(int n, float[] x, int xOff, float[] y, int yOff) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (double) x[xOff + i] * y[yOff + i];
        }
        return s;
    }

    static void fromUnsignedBytes(int n, byte[] x, int xOff, float divisor, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (x[xOff + i] & 0xFF) / divisor;
        }
    }

    static void swapAxes01(int d0, int d1, int block, float[] x, int xOff, float[] out, int outOff) {
        SwapAxes01.call(d0, d1, block, x, xOff, out, outOff);
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

    /** {@code sumRows}'s arguments; a task sums rows {@code [from, to)}. */
    private static final class SumRows extends RangeTask {
        private static final ThreadLocal<SumRows> CURRENT = ThreadLocal.withInitial(SumRows::new);
        private int cols;
        private float[] x;
        private int xOff;
        private float[] out;
        private int outOff;

        static void call(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
            SumRows j = acquire(CURRENT, SumRows::new);
            j.cols = cols;
            j.x = x;
            j.xOff = xOff;
            j.out = out;
            j.outOff = outOff;
            j.run(rows, cols);
        }

        @Override
        protected void range(int from, int to) {
            int r = from;
            for (; r + 1 < to; r += 2) {
                sum2(x, xOff + r * cols, cols, out, outOff + r);
            }
            if (r < to) {
                out[outOff + r] = sum(x, xOff + r * cols, cols);
            }
        }

        @Override
        protected void clear() {
            x = null;
            out = null;
        }
    }

    /** {@code reluForward}'s arguments; a task does elements {@code [from, to)}. */
    private static final class ReluForward extends RangeTask {
        private static final ThreadLocal<ReluForward> CURRENT = ThreadLocal.withInitial(ReluForward::new);
        private float[] x;
        private int xOff;
        private boolean[] mask;
        private float[] out;
        private int outOff;

        static void call(int n, float[] x, int xOff, boolean[] mask, float[] out, int outOff) {
            ReluForward j = acquire(CURRENT, ReluForward::new);
            j.x = x;
            j.xOff = xOff;
            j.mask = mask;
            j.out = out;
            j.outOff = outOff;
            j.run(n, 1);
        }

        @Override
        protected void range(int from, int to) {
            reluForwardRange(from, to, x, xOff, mask, out, outOff);
        }

        @Override
        protected void clear() {
            x = null;
            mask = null;
            out = null;
        }
    }

    /** {@code reluBackward}'s arguments; a task does elements {@code [from, to)}. */
    private static final class ReluBackward extends RangeTask {
        private static final ThreadLocal<ReluBackward> CURRENT = ThreadLocal.withInitial(ReluBackward::new);
        private float[] dout;
        private int doutOff;
        /** The forward's mask, or null when it is read off the forward's output {@code y}. */
        private boolean[] mask;
        private float[] y;
        private int yOff;
        private float[] dx;
        private int dxOff;

        static void call(int n, float[] dout, int doutOff, boolean[] mask, float[] y, int yOff, float[] dx,
                         int dxOff) {
            ReluBackward j = acquire(CURRENT, ReluBackward::new);
            j.dout = dout;
            j.doutOff = doutOff;
            j.mask = mask;
            j.y = y;
            j.yOff = yOff;
            j.dx = dx;
            j.dxOff = dxOff;
            j.run(n, 1);
        }

        @Override
        protected void range(int from, int to) {
            if (mask == null) {
                reluBackwardFromOutputRange(from, to, dout, doutOff, y, yOff, dx, dxOff);
            } else {
                reluBackwardRange(from, to, dout, doutOff, mask, dx, dxOff);
            }
        }

        @Override
        protected void clear() {
            dout = null;
            mask = null;
            y = null;
            dx = null;
        }
    }

    /**
     * {@code axpy}'s arguments; a task does elements {@code [from, to)}, split like the products that made x (by
     * rows), so that each thread updates what is in its cache.
     */
    private static final class Axpy extends RangeTask {
        private static final ThreadLocal<Axpy> CURRENT = ThreadLocal.withInitial(Axpy::new);
        private float alpha;
        private float[] x;
        private int xOff;
        private float[] y;
        private int yOff;

        static void call(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
            Axpy j = acquire(CURRENT, Axpy::new);
            j.alpha = alpha;
            j.x = x;
            j.xOff = xOff;
            j.y = y;
            j.yOff = yOff;
            j.run(n, 3);
        }

        @Override
        protected void range(int from, int to) {
            axpyRange(from, to, alpha, x, xOff, y, yOff);
        }

        @Override
        protected void clear() {
            x = null;
            y = null;
        }
    }

    /** {@code swapAxes01}'s arguments; a task writes output rows {@code [from, to)}. */
    private static final class SwapAxes01 extends RangeTask {
        private static final ThreadLocal<SwapAxes01> CURRENT = ThreadLocal.withInitial(SwapAxes01::new);
        private int d0;
        private int d1;
        private int block;
        private float[] x;
        private int xOff;
        private float[] out;
        private int outOff;

        static void call(int d0, int d1, int block, float[] x, int xOff, float[] out, int outOff) {
            SwapAxes01 j = acquire(CURRENT, SwapAxes01::new);
            j.d0 = d0;
            j.d1 = d1;
            j.block = block;
            j.x = x;
            j.xOff = xOff;
            j.out = out;
            j.outOff = outOff;
            j.run(d1, (long) d0 * block);
        }

        @Override
        protected void range(int from, int to) {
            swapAxes01Rows(from, to, d0, d1, block, x, xOff, out, outOff);
        }

        @Override
        protected void clear() {
            x = null;
            out = null;
        }
    }
}
