// Generated from FloatRanges.java by GenerateDoubleKernels: do not edit. To regenerate, run from the
// repository root: java core/src/test/java/dev/layerwise/kernel/GenerateDoubleKernels.java
package dev.layerwise.kernel.vector;

import dev.layerwise.kernel.ConvGeometry;
import dev.layerwise.kernel.RangeTask;
import java.util.Arrays;

/**
 * The float64 Vector API kernels that split their work over {@link dev.layerwise.kernel.Parallel}: each call's
 * arguments go into a task reused per calling thread, whose ranges run the whole-array kernels of
 * {@link DoubleElementwise}, {@link DoubleUpdate}, {@link DoubleIm2col} and {@link DoubleGemm} on their part.
 */
@SuppressWarnings("cast")
final class DoubleRanges {

    /** One image's {@code colT} (or {@code dcolT}) for {@link #convForward} and {@link #convBackwardInput}. */
    private static final ThreadLocal<double[]> COLUMNS = ThreadLocal.withInitial(() -> new double[0]);
    /** The whole batch's col, for {@link #convBackwardWeights} where {@link DoubleConvWeights} does not apply. */
    private static final ThreadLocal<double[]> WHOLE_COL = ThreadLocal.withInitial(() -> new double[0]);
    /** The images padded with their channels last, for {@link #convBackwardWeights} where it reads them so. */
    private static final ThreadLocal<double[]> CHANNELS_LAST = ThreadLocal.withInitial(() -> new double[0]);
    /** doutT transposed, for {@link #convBackwardWeights}: a row of filters per position. */
    private static final ThreadLocal<double[]> DOUT_ROWS = ThreadLocal.withInitial(() -> new double[0]);

    private DoubleRanges() {
    }

    /** ReLU forward over elements {@code [0, n)}, in contiguous ranges (mask from index 0, none when null). */
    static void reluForward(int n, double[] x, int xOff, boolean[] mask, double[] out, int outOff) {
        ReluForward j = RangeTask.acquire(ReluForward.CURRENT, ReluForward::new);
        j.x = x;
        j.xOff = xOff;
        j.mask = mask;
        j.out = out;
        j.outOff = outOff;
        j.run(n, 1);
    }

    /** ReLU backward over elements {@code [0, n)}, in contiguous ranges (mask from index 0). */
    static void reluBackward(int n, double[] dout, int doutOff, boolean[] mask, double[] dx, int dxOff) {
        reluBackward(n, dout, doutOff, mask, null, 0, dx, dxOff);
    }

    /** ReLU backward over elements {@code [0, n)}, masked where the forward's output {@code y <= 0}. */
    static void reluBackwardFromOutput(int n, double[] dout, int doutOff, double[] y, int yOff, double[] dx, int dxOff) {
        reluBackward(n, dout, doutOff, null, y, yOff, dx, dxOff);
    }

    private static void reluBackward(int n, double[] dout, int doutOff, boolean[] mask, double[] y, int yOff,
                                     double[] dx, int dxOff) {
        ReluBackward j = RangeTask.acquire(ReluBackward.CURRENT, ReluBackward::new);
        j.dout = dout;
        j.doutOff = doutOff;
        j.mask = mask;
        j.y = y;
        j.yOff = yOff;
        j.dx = dx;
        j.dxOff = dxOff;
        j.run(n, 1);
    }

    /**
     * {@code y += alpha·x} over elements {@code [0, n)}, split like the products that made x (by rows), so that each
     * thread updates what is in its cache.
     */
    static void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff) {
        Axpy j = RangeTask.acquire(Axpy.CURRENT, Axpy::new);
        j.alpha = alpha;
        j.x = x;
        j.xOff = xOff;
        j.y = y;
        j.yOff = yOff;
        j.run(n, 3);
    }

    /** Adam's step over elements {@code [0, n)}; each element is updated on its own, so the split changes nothing. */
    static void adamUpdate(int n, double lrT, double beta1, double beta2, double eps, double[] g, int gOff, double[] m,
                           int mOff, double[] v, int vOff, double[] w, int wOff) {
        Adam j = RangeTask.acquire(Adam.CURRENT, Adam::new);
        j.lrT = lrT;
        j.beta1 = beta1;
        j.beta2 = beta2;
        j.eps = eps;
        j.g = g;
        j.gOff = gOff;
        j.m = m;
        j.mOff = mOff;
        j.v = v;
        j.vOff = vOff;
        j.w = w;
        j.wOff = wOff;
        j.run(n, 4);
    }

    /** im2col of {@code n} images, split by image. */
    static void im2col(int n, ConvGeometry g, double[] x, int xOff, double[] col, int colOff) {
        Im2col j = RangeTask.acquire(Im2col.CURRENT, Im2col::new);
        j.g = g;
        j.x = x;
        j.xOff = xOff;
        j.col = col;
        j.colOff = colOff;
        j.run(n, (long) g.positions() * g.patchSize());
    }

    /** A batch of products {@code C_i = op(A)·B_i (+ bias rows)}, each whole on one thread. */
    static void gemmBatch(int batch, boolean transA, int m, int n, int k, double[] a, int aOff, double[] b, int bOff,
                          double[] bias, int biasOff, double[] c, int cOff) {
        GemmBatch j = RangeTask.acquire(GemmBatch.CURRENT, GemmBatch::new);
        j.transA = transA;
        j.m = m;
        j.n = n;
        j.k = k;
        j.a = a;
        j.aOff = aOff;
        j.b = b;
        j.bOff = bOff;
        j.bias = bias;
        j.biasOff = biasOff;
        j.c = c;
        j.cOff = cOff;
        j.run(batch, (long) m * n * k);
    }

    /** One product of a batch, on the calling thread: {@code C} filled with the bias rows, op(A)·B added. */
    private static void product(boolean transA, int m, int n, int k, double[] a, int aOff, double[] b, int bOff,
                                double[] bias, int biasOff, double[] c, int ci) {
        if (bias != null) {
            for (int r = 0; r < m; r++) {
                Arrays.fill(c, ci + r * n, ci + (r + 1) * n, bias[biasOff + r]);
            }
        }
        DoubleGemm.gemmSerial(transA, m, n, k, a, aOff, b, bOff, c, ci, bias != null);
    }

    /**
     * A convolution's forward pass ({@code ConvKernels.convForward}), split by image: by {@link DoubleConvForward}
     * where its sums are the product's, else each image unfolded by {@link DoubleIm2col#im2colT} into the thread's
     * scratch and multiplied there, as {@link #gemmBatch} would.
     */
    static void convForward(int n, ConvGeometry g, int fn, double[] x, int xOff, double[] w, int wOff, double[] b,
                            int bOff, double[] out, int outOff) {
        Convolution.call(true, n, g, fn, x, xOff, w, wOff, b, bOff, out, outOff);
    }

    /**
     * A convolution's input gradient ({@code ConvKernels.convBackwardInput}), split by image likewise: by
     * {@link DoubleConvInput}, or the product into the scratch and {@link DoubleIm2col#col2imT}.
     */
    static void convBackwardInput(int n, ConvGeometry g, int fn, double[] dout, int doutOff, double[] w, int wOff,
                                  double[] dx, int dxOff) {
        Convolution.call(false, n, g, fn, dout, doutOff, w, wOff, null, 0, dx, dxOff);
    }

    /**
     * A convolution's weight gradient ({@code ConvKernels.convBackwardWeights}): {@link DoubleConvWeights}, split by
     * window elements (columns of dW, or groups of filters and window elements where it runs along the channels),
     * where its sums are DoubleGemm's; else the book's col of the whole batch and DoubleGemm's product. doutT is first
     * transposed into the calling thread's scratch, split by positions, for all the tasks to read; so are the images
     * with their channels last, split by images, where the kernel reads them so.
     */
    static void convBackwardWeights(int n, ConvGeometry g, int fn, double[] x, int xOff, double[] doutT, int doutTOff,
                                    double[] dW, int dWOff) {
        int patch = g.patchSize();
        int rows = n * g.positions();
        int split = DoubleGemm.chainSplit(fn, patch, rows);
        if (split < 0) {
            double[] col = WHOLE_COL.get();
            if (col.length < rows * patch) {
                col = new double[rows * patch];
                WHOLE_COL.set(col);
            }
            im2col(n, g, x, xOff, col, 0);
            DoubleGemm.gemm(false, false, fn, patch, rows, doutT, doutTOff, col, 0, dW, dWOff, false, null, 0);
            return;
        }
        int fnPad = DoubleConvWeights.rowsOf(fn);
        double[] dout = DOUT_ROWS.get();
        if (dout.length < rows * fnPad) {
            dout = new double[rows * fnPad];
            DOUT_ROWS.set(dout);
        }
        Transpose t = RangeTask.acquire(Transpose.CURRENT, Transpose::new);
        t.fn = fn;
        t.rows = rows;
        t.doutT = doutT;
        t.doutTOff = doutTOff;
        t.dout = dout;
        t.run(rows, fnPad);
        double[] xc = null;
        if (DoubleConvWeights.byChannels(g, split)) {
            int size = n * DoubleConvWeights.channelsLastSize(g);
            xc = CHANNELS_LAST.get();
            if (xc.length < size) {
                xc = new double[size];
                CHANNELS_LAST.set(xc);
            }
            ChannelsLast c = RangeTask.acquire(ChannelsLast.CURRENT, ChannelsLast::new);
            c.g = g;
            c.x = x;
            c.xOff = xOff;
            c.xc = xc;
            c.run(n, DoubleConvWeights.channelsLastSize(g));
        }
        Weights j = RangeTask.acquire(Weights.CURRENT, Weights::new);
        j.xc = xc;
        j.n = n;
        j.g = g;
        j.fn = fn;
        j.x = x;
        j.xOff = xOff;
        j.dout = dout;
        j.split = split;
        j.dW = dW;
        j.dWOff = dWOff;
        if (xc != null) {
            j.run(DoubleConvWeights.channelItems(g, fn), (long) DoubleConvWeights.ROWS * DoubleGemm.L * rows);
            return;
        }
        int tiles = (patch + DoubleConvWeights.ROWS - 1) / DoubleConvWeights.ROWS;
        j.run(tiles, (long) DoubleConvWeights.ROWS * fn * rows);
    }

    /** The calling thread's scratch of at least {@code size} elements, grown as needed and then reused. */
    private static double[] columns(int size) {
        double[] s = COLUMNS.get();
        if (s.length < size) {
            s = new double[size];
            COLUMNS.set(s);
        }
        return s;
    }

    private static final class ReluForward extends RangeTask {
        static final ThreadLocal<ReluForward> CURRENT = ThreadLocal.withInitial(ReluForward::new);
        double[] x;
        int xOff;
        boolean[] mask;
        double[] out;
        int outOff;

        @Override
        protected void range(int from, int to) {
            if (mask == null) {
                DoubleElementwise.reluOutput(to - from, x, xOff + from, out, outOff + from);
            } else {
                DoubleElementwise.reluForward(to - from, x, xOff + from, mask, from, out, outOff + from);
            }
        }

        @Override
        protected void clear() {
            x = null;
            mask = null;
            out = null;
        }
    }

    private static final class ReluBackward extends RangeTask {
        static final ThreadLocal<ReluBackward> CURRENT = ThreadLocal.withInitial(ReluBackward::new);
        double[] dout;
        int doutOff;
        /** The forward's mask, or null when it is read off the forward's output {@code y}. */
        boolean[] mask;
        double[] y;
        int yOff;
        double[] dx;
        int dxOff;

        @Override
        protected void range(int from, int to) {
            if (mask == null) {
                DoubleElementwise.reluBackwardFromOutput(to - from, dout, doutOff + from, y, yOff + from, dx,
                        dxOff + from);
            } else {
                DoubleElementwise.reluBackward(to - from, dout, doutOff + from, mask, from, dx, dxOff + from);
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

    private static final class Axpy extends RangeTask {
        static final ThreadLocal<Axpy> CURRENT = ThreadLocal.withInitial(Axpy::new);
        double alpha;
        double[] x;
        int xOff;
        double[] y;
        int yOff;

        @Override
        protected void range(int from, int to) {
            DoubleElementwise.axpy(to - from, alpha, x, xOff + from, y, yOff + from);
        }

        @Override
        protected void clear() {
            x = null;
            y = null;
        }
    }

    private static final class Adam extends RangeTask {
        static final ThreadLocal<Adam> CURRENT = ThreadLocal.withInitial(Adam::new);
        double lrT;
        double beta1;
        double beta2;
        double eps;
        double[] g;
        int gOff;
        double[] m;
        int mOff;
        double[] v;
        int vOff;
        double[] w;
        int wOff;

        @Override
        protected void range(int from, int to) {
            DoubleUpdate.adamUpdate(to - from, lrT, beta1, beta2, eps, g, gOff + from, m, mOff + from, v, vOff + from, w,
                    wOff + from);
        }

        @Override
        protected void clear() {
            g = null;
            m = null;
            v = null;
            w = null;
        }
    }

    private static final class Im2col extends RangeTask {
        static final ThreadLocal<Im2col> CURRENT = ThreadLocal.withInitial(Im2col::new);
        ConvGeometry g;
        double[] x;
        int xOff;
        double[] col;
        int colOff;

        @Override
        protected void range(int from, int to) {
            DoubleIm2col.im2col(from, to, g, x, xOff, col, colOff);
        }

        @Override
        protected void clear() {
            g = null;
            x = null;
            col = null;
        }
    }

    private static final class GemmBatch extends RangeTask {
        static final ThreadLocal<GemmBatch> CURRENT = ThreadLocal.withInitial(GemmBatch::new);
        boolean transA;
        int m;
        int n;
        int k;
        double[] a;
        int aOff;
        double[] b;
        int bOff;
        double[] bias;
        int biasOff;
        double[] c;
        int cOff;

        @Override
        protected void range(int from, int to) {
            for (int i = from; i < to; i++) {
                product(transA, m, n, k, a, aOff, b, bOff + i * k * n, bias, biasOff, c, cOff + i * m * n);
            }
        }

        @Override
        protected void clear() {
            a = null;
            b = null;
            bias = null;
            c = null;
        }
    }
    /** The arguments of convForward and convBackwardInput; a task does images {@code [from, to)}. */
    private static final class Convolution extends RangeTask {
        static final ThreadLocal<Convolution> CURRENT = ThreadLocal.withInitial(Convolution::new);
        boolean forward;
        /**
         * The pass by {@link DoubleConvForward} or {@link DoubleConvInput}, whose sums are those of the product (and
         * col2imT) for the shapes they take.
         */
        boolean direct;
        ConvGeometry g;
        int fn;
        double[] in;
        int inOff;
        double[] w;
        int wOff;
        double[] b;
        int bOff;
        double[] out;
        int outOff;

        static void call(boolean forward, int n, ConvGeometry g, int fn, double[] in, int inOff, double[] w, int wOff,
                         double[] b, int bOff, double[] out, int outOff) {
            Convolution j = RangeTask.acquire(CURRENT, Convolution::new);
            j.forward = forward;
            j.g = g;
            j.fn = fn;
            j.in = in;
            j.inOff = inOff;
            j.w = w;
            j.wOff = wOff;
            j.b = b;
            j.bOff = bOff;
            j.out = out;
            j.outOff = outOff;
            j.direct = forward ? DoubleConvForward.supports(g, fn)
                    : DoubleConvInput.supports(g, fn) && DoubleConvInput.finite(w, wOff, fn * g.patchSize());
            j.run(n, (long) fn * g.positions() * g.patchSize());
        }

        @Override
        protected void range(int from, int to) {
            if (direct && forward) {
                DoubleConvForward.images(from, to, g, fn, in, inOff, w, wOff, b, bOff, out, outOff);
                return;
            }
            if (direct) {
                DoubleConvInput.images(from, to, g, fn, in, inOff, w, wOff, out, outOff);
                return;
            }
            int k = g.patchSize();
            int positions = g.positions();
            double[] cols = columns(k * positions);
            for (int i = from; i < to; i++) {
                if (forward) {
                    DoubleIm2col.im2colT(g, in, inOff + i * g.imageSize(), cols, 0);
                    product(false, fn, positions, k, w, wOff, cols, 0, b, bOff, out, outOff + i * fn * positions);
                } else {
                    product(true, k, positions, fn, w, wOff, in, inOff + i * fn * positions, null, 0, cols, 0);
                    DoubleIm2col.col2imT(g, cols, 0, out, outOff + i * g.imageSize());
                }
            }
        }

        @Override
        protected void clear() {
            g = null;
            in = null;
            w = null;
            b = null;
            out = null;
        }
    }

    /**
     * doutT {@code (fn, rows)} transposed into {@code dout}, a row of {@code fnPad} floats per position, the lanes past
     * fn zero; a task does positions {@code [from, to)}.
     */
    private static final class Transpose extends RangeTask {
        static final ThreadLocal<Transpose> CURRENT = ThreadLocal.withInitial(Transpose::new);
        int fn;
        int rows;
        double[] doutT;
        int doutTOff;
        double[] dout;

        @Override
        protected void range(int from, int to) {
            int fnPad = DoubleConvWeights.rowsOf(fn);
            DoubleGemm.transpose(fn, to - from, doutT, doutTOff + from, rows, dout, from * fnPad, fnPad);
            for (int q = from; q < to && fn < fnPad; q++) {
                Arrays.fill(dout, q * fnPad + fn, (q + 1) * fnPad, 0d);
            }
        }

        @Override
        protected void clear() {
            doutT = null;
            dout = null;
        }
    }

    /** Images {@code [from, to)} padded, channels last ({@code DoubleConvWeights.channelsLast}). */
    private static final class ChannelsLast extends RangeTask {
        static final ThreadLocal<ChannelsLast> CURRENT = ThreadLocal.withInitial(ChannelsLast::new);
        ConvGeometry g;
        double[] x;
        int xOff;
        double[] xc;

        @Override
        protected void range(int from, int to) {
            DoubleConvWeights.channelsLast(from, to, g, x, xOff, xc);
        }

        @Override
        protected void clear() {
            g = null;
            x = null;
            xc = null;
        }
    }

    /**
     * The arguments of convBackwardWeights; a task computes the columns of dW of tiles {@code [from, to)}, or its work
     * items where it reads the images with their channels last.
     */
    private static final class Weights extends RangeTask {
        static final ThreadLocal<Weights> CURRENT = ThreadLocal.withInitial(Weights::new);
        int n;
        ConvGeometry g;
        int fn;
        double[] x;
        int xOff;
        double[] dout;
        int split;
        double[] dW;
        int dWOff;

        /** The images with their channels last, or null where the kernel reads x itself. */
        double[] xc;

        @Override
        protected void range(int from, int to) {
            if (xc != null) {
                DoubleConvWeights.weightsByChannels(from, to, n, g, fn, xc, dout, dW, dWOff);
                return;
            }
            int rows = DoubleConvWeights.ROWS;
            DoubleConvWeights.weights(from * rows, Math.min(g.patchSize(), to * rows), n, g, fn, x, xOff, dout, split,
                    dW, dWOff);
        }

        @Override
        protected void clear() {
            g = null;
            x = null;
            xc = null;
            dout = null;
            dW = null;
        }
    }
}
