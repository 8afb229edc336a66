package dev.layerwise.kernel.portable;

import dev.layerwise.kernel.ConvGeometry;
import dev.layerwise.kernel.FloatMaxWindow;
import dev.layerwise.kernel.RangeTask;

/**
 * The portable {@link dev.layerwise.kernel.ConvKernels} in float32: each kernel splits its images over
 * {@link dev.layerwise.kernel.Parallel}, every task writing its own part of the output.
 */
final class FloatConv {
    /** One image's {@code colT} (or {@code dcolT}) for {@link #convForward} and {@link #convBackwardInput}. */
    private static final ThreadLocal<float[]> COLUMNS = ThreadLocal.withInitial(() -> new float[0]);

    private FloatConv() {
    }


    /** {@code ⌈a / b⌉} for {@code b > 0} ({@code Math.ceilDiv} is Java 18). */
    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    static void im2col(int n, ConvGeometry g, float[] x, int xOff, float[] col, int colOff) {
        Images.call(FloatConv::im2colImages, n, g, x, xOff, col, colOff);
    }

    /**
     * Images {@code [i0, i1)} of {@code im2col}, on the calling thread; the unit of work {@code im2col} spreads over
     * the threads.
     */
    private static void im2colImages(int i0, int i1, ConvGeometry g, float[] x, int xOff, float[] col, int colOff) {
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

    static void col2im(int n, ConvGeometry g, float[] col, int colOff, float[] x, int xOff) {
        Images.call(FloatConv::col2imImages, n, g, col, colOff, x, xOff);
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

    static void im2colT(int n, ConvGeometry g, float[] x, int xOff, float[] colT, int colTOff) {
        Images.call(FloatConv::im2colTImages, n, g, x, xOff, colT, colTOff);
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

    static void col2imT(int n, ConvGeometry g, float[] colT, int colTOff, float[] x, int xOff) {
        Images.call(FloatConv::col2imTImages, n, g, colT, colTOff, x, xOff);
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

    static void convForward(int n, ConvGeometry g, int fn, float[] x, int xOff, float[] w, int wOff, float[] b,
                            int bOff, float[] out, int outOff) {
        Convolution.call(true, n, g, fn, x, xOff, w, wOff, b, bOff, out, outOff);
    }

    static void convBackwardInput(int n, ConvGeometry g, int fn, float[] dout, int doutOff, float[] w, int wOff,
                                  float[] dx, int dxOff) {
        Convolution.call(false, n, g, fn, dout, doutOff, w, wOff, null, 0, dx, dxOff);
    }

    /** Images {@code [i0, i1)} of {@code convForward}: each unfolded into the thread's scratch, then multiplied. */
    private static void convForwardImages(int i0, int i1, ConvGeometry g, int fn, float[] x, int xOff, float[] w,
                                          int wOff, float[] b, int bOff, float[] out, int outOff) {
        int k = g.patchSize();
        int positions = g.positions();
        float[] colT = columns(k * positions);
        for (int i = i0; i < i1; i++) {
            im2colTImages(0, 1, g, x, xOff + i * g.imageSize(), colT, 0);
            FloatProducts.gemmBatchRange(0, 1, false, fn, positions, k, w, wOff, colT, 0, b, bOff, out,
                    outOff + i * fn * positions);
        }
    }

    /** Images {@code [i0, i1)} of {@code convBackwardInput}: each {@code Wᵀ·dout[i]} into the scratch, then folded. */
    private static void convBackwardInputImages(int i0, int i1, ConvGeometry g, int fn, float[] dout, int doutOff,
                                                float[] w, int wOff, float[] dx, int dxOff) {
        int k = g.patchSize();
        int positions = g.positions();
        float[] dcolT = columns(k * positions);
        for (int i = i0; i < i1; i++) {
            FloatProducts.gemmBatchRange(0, 1, true, k, positions, fn, w, wOff, dout, doutOff + i * fn * positions,
                    null, 0, dcolT, 0);
            col2imTImages(0, 1, g, dcolT, 0, dx, dxOff + i * g.imageSize());
        }
    }

    /**
     * {@code dW = doutT·col} ({@code ConvKernels.convBackwardWeights}), split by rows of dW: each task unfolds one
     * image at a time into its scratch and adds its products to its rows.
     */
    static void convBackwardWeights(int n, ConvGeometry g, int fn, float[] x, int xOff, float[] doutT, int doutTOff,
                                    float[] dW, int dWOff) {
        Weights.call(n, g, fn, x, xOff, doutT, doutTOff, dW, dWOff);
    }

    /**
     * Rows {@code [f0, f1)} of {@code dW = doutT·col}, image by image: the operations of {@link FloatProducts}'s
     * product of doutT and the whole col (a row of dW accumulates over the rows of col in order, skipping the zeros
     * of doutT), so the same sums, with only one image's col at a time.
     */
    private static void convBackwardWeightsRows(int f0, int f1, int n, ConvGeometry g, float[] x, int xOff,
                                                float[] doutT, int doutTOff, float[] dW, int dWOff) {
        int k = g.patchSize();
        int positions = g.positions();
        int total = n * positions;
        float[] col = columns(k * positions);
        for (int f = f0; f < f1; f++) {
            java.util.Arrays.fill(dW, dWOff + f * k, dWOff + (f + 1) * k, 0f);
        }
        for (int i = 0; i < n; i++) {
            im2colImages(0, 1, g, x, xOff + i * g.imageSize(), col, 0);
            for (int f = f0; f < f1; f++) {
                int cRow = dWOff + f * k;
                int aRow = doutTOff + f * total + i * positions;
                for (int p = 0; p < positions; p++) {
                    float aip = doutT[aRow + p];
                    if (aip == 0) {
                        continue;
                    }
                    int bRow = p * k;
                    for (int j = 0; j < k; j++) {
                        dW[cRow + j] += aip * col[bRow + j];
                    }
                }
            }
        }
    }

    /** The calling thread's scratch of at least {@code size} elements, grown as needed and then reused. */
    private static float[] columns(int size) {
        float[] s = COLUMNS.get();
        if (s.length < size) {
            s = new float[size];
            COLUMNS.set(s);
        }
        return s;
    }

    static void maxPoolForward(int n, ConvGeometry g, float[] x, int xOff, int[] argMax, float[] out, int outOff) {
        Pooling.call(FloatConv::maxPoolImages, n, (long) g.channels() * g.positions() * g.filterH() * g.filterW(), g, x,
                xOff, argMax, out, outOff);
    }

    /**
     * Images {@code [i0, i1)} of {@code maxPoolForward}, on the calling thread. For each output, the window is scanned
     * in its row-major order and the first maximum kept, as NumPy's argmax over an im2col row. Windows that lie inside
     * the image (all of them without padding) take the fast path, over precomputed offsets; the others read the
     * padding as 0.
     */
    private static void maxPoolImages(int i0, int i1, ConvGeometry g, float[] x, int xOff, int[] argMax, float[] out,
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
        int[] offsets = FloatMaxWindow.windowOffsets(fh, fw, w);
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
                        int na = FloatMaxWindow.differs(a, bits);
                        int nb = FloatMaxWindow.differs(b, bits) & na;
                        int e0 = na + nb + (FloatMaxWindow.differs(c, bits) & nb);
                        out[outOff + o + ox] = best;
                        argMax[o + ox] = at + (best == best ? offsets[e0] : FloatMaxWindow.firstNaN(x, i, offsets));
                    }
                } else {
                    for (int ox = lo; ox < hi; ox++, at += s) {
                        FloatMaxWindow.maxPoolWindow(x, src, at, offsets, argMax, o + ox, out, outOff);
                    }
                }
                for (int ox = Math.max(lo, hi); ox < ow; ox++) {
                    maxPoolPadded(g, x, src, iy0, ox * s - p, argMax, o + ox, out, outOff);
                }
            }
        }
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

    static void maxPoolBackward(int n, ConvGeometry g, float[] dout, int doutOff, int[] argMax, float[] dx,
                                int dxOff) {
        Pooling.call(FloatConv::maxPoolBackwardImages, n, (long) g.channels() * (g.positions() + g.height() * g.width()),
                g, dout, doutOff, argMax, dx, dxOff);
    }

    /** Images {@code [i0, i1)} of {@code maxPoolBackward}. */
    private static void maxPoolBackwardImages(int i0, int i1, ConvGeometry g, float[] dout, int doutOff, int[] argMax,
                                              float[] dx, int dxOff) {
        int plane = g.height() * g.width();
        int positions = g.positions();
        int c = g.channels();
        // Each image is cleared just before its additions, which then find it in the cache.
        for (int i = i0; i < i1; i++) {
            java.util.Arrays.fill(dx, dxOff + i * c * plane, dxOff + (i + 1) * c * plane, 0f);
            for (int q = i * c; q < (i + 1) * c; q++) {
                int base = dxOff + q * plane;
                for (int o = q * positions; o < (q + 1) * positions; o++) {
                    int a = argMax[o];
                    if (a >= 0) {
                        dx[base + a] += dout[doutOff + o];
                    }
                }
            }
        }
    }

    /** A kernel over images {@code [i0, i1)} from one array into another, on the calling thread. */
    @FunctionalInterface
    private interface ImagesBody {
        void images(int i0, int i1, ConvGeometry g, float[] in, int inOff, float[] out, int outOff);
    }

    /** The arguments of im2col, col2im and their transposed forms; a task does images {@code [from, to)}. */
    private static final class Images extends RangeTask {
        private static final ThreadLocal<Images> CURRENT = ThreadLocal.withInitial(Images::new);
        private ImagesBody body;
        private ConvGeometry g;
        private float[] in;
        private int inOff;
        private float[] out;
        private int outOff;

        static void call(ImagesBody body, int n, ConvGeometry g, float[] in, int inOff, float[] out, int outOff) {
            Images j = acquire(CURRENT, Images::new);
            j.body = body;
            j.g = g;
            j.in = in;
            j.inOff = inOff;
            j.out = out;
            j.outOff = outOff;
            j.run(n, (long) g.positions() * g.patchSize());
        }

        @Override
        protected void range(int from, int to) {
            body.images(from, to, g, in, inOff, out, outOff);
        }

        @Override
        protected void clear() {
            body = null;
            g = null;
            in = null;
            out = null;
        }
    }

    /** A pooling kernel over images {@code [i0, i1)}, with the window maxima's indices, on the calling thread. */
    @FunctionalInterface
    private interface PoolingBody {
        void images(int i0, int i1, ConvGeometry g, float[] in, int inOff, int[] argMax, float[] out, int outOff);
    }

    /** The arguments of max pooling forward and backward; a task does images {@code [from, to)}. */
    private static final class Pooling extends RangeTask {
        private static final ThreadLocal<Pooling> CURRENT = ThreadLocal.withInitial(Pooling::new);
        private PoolingBody body;
        private ConvGeometry g;
        private float[] in;
        private int inOff;
        private int[] argMax;
        private float[] out;
        private int outOff;

        static void call(PoolingBody body, int n, long workPerImage, ConvGeometry g, float[] in, int inOff,
                         int[] argMax, float[] out, int outOff) {
            Pooling j = acquire(CURRENT, Pooling::new);
            j.body = body;
            j.g = g;
            j.in = in;
            j.inOff = inOff;
            j.argMax = argMax;
            j.out = out;
            j.outOff = outOff;
            j.run(n, workPerImage);
        }

        @Override
        protected void range(int from, int to) {
            body.images(from, to, g, in, inOff, argMax, out, outOff);
        }

        @Override
        protected void clear() {
            body = null;
            g = null;
            in = null;
            argMax = null;
            out = null;
        }
    }
    /** The arguments of convForward and convBackwardInput; a task does images {@code [from, to)}. */
    private static final class Convolution extends RangeTask {
        private static final ThreadLocal<Convolution> CURRENT = ThreadLocal.withInitial(Convolution::new);
        private boolean forward;
        private ConvGeometry g;
        private int fn;
        private float[] in;
        private int inOff;
        private float[] w;
        private int wOff;
        private float[] b;
        private int bOff;
        private float[] out;
        private int outOff;

        static void call(boolean forward, int n, ConvGeometry g, int fn, float[] in, int inOff, float[] w, int wOff,
                         float[] b, int bOff, float[] out, int outOff) {
            Convolution j = acquire(CURRENT, Convolution::new);
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
            j.run(n, (long) fn * g.positions() * g.patchSize());
        }

        @Override
        protected void range(int from, int to) {
            if (forward) {
                convForwardImages(from, to, g, fn, in, inOff, w, wOff, b, bOff, out, outOff);
            } else {
                convBackwardInputImages(from, to, g, fn, in, inOff, w, wOff, out, outOff);
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

    /** The arguments of convBackwardWeights; a task computes rows {@code [from, to)} of dW. */
    private static final class Weights extends RangeTask {
        private static final ThreadLocal<Weights> CURRENT = ThreadLocal.withInitial(Weights::new);
        private int n;
        private ConvGeometry g;
        private float[] x;
        private int xOff;
        private float[] doutT;
        private int doutTOff;
        private float[] dW;
        private int dWOff;

        static void call(int n, ConvGeometry g, int fn, float[] x, int xOff, float[] doutT, int doutTOff, float[] dW,
                         int dWOff) {
            Weights j = acquire(CURRENT, Weights::new);
            j.n = n;
            j.g = g;
            j.x = x;
            j.xOff = xOff;
            j.doutT = doutT;
            j.doutTOff = doutTOff;
            j.dW = dW;
            j.dWOff = dWOff;
            j.run(fn, (long) n * g.positions() * g.patchSize());
        }

        @Override
        protected void range(int from, int to) {
            convBackwardWeightsRows(from, to, n, g, x, xOff, doutT, doutTOff, dW, dWOff);
        }

        @Override
        protected void clear() {
            g = null;
            x = null;
            doutT = null;
            dW = null;
        }
    }
}
