package dev.layerwise.kernel.vector;

import dev.layerwise.kernel.ConvGeometry;
import dev.layerwise.kernel.ConvKernels;
import dev.layerwise.kernel.RangeTask;

/**
 * The {@link ConvKernels} on the Vector API: im2col with vector copies ({@link FloatIm2col}, {@link DoubleIm2col}),
 * float32 max pooling without padding ({@link FloatMaxPooling}), and a convolution's three passes, which for the
 * common shapes read the images (or dout) in place of the unfolded matrices, with the products' sums
 * ({@link FloatConvForward}, {@link FloatConvInput}, {@link FloatConvWeights} and their float64 twins). The other
 * kernels, mostly scattered additions that vectors do not speed up, are those of {@code plain}, the portable
 * implementation the provider hands in.
 */
final class VectorConv implements ConvKernels {
    private final WarmUp warmUp;
    private final ConvKernels plain;

    VectorConv(WarmUp warmUp, ConvKernels plain) {
        this.warmUp = warmUp;
        this.plain = plain;
    }

    @Override
    public void im2col(int n, ConvGeometry g, float[] x, int xOff, float[] col, int colOff) {
        FloatRanges.im2col(n, g, x, xOff, col, colOff);
    }

    @Override
    public void im2col(int n, ConvGeometry g, double[] x, int xOff, double[] col, int colOff) {
        warmUp.doublesBeforeFirstUse();
        DoubleRanges.im2col(n, g, x, xOff, col, colOff);
    }

    @Override
    public void col2im(int n, ConvGeometry g, float[] col, int colOff, float[] x, int xOff) {
        plain.col2im(n, g, col, colOff, x, xOff);
    }

    @Override
    public void col2im(int n, ConvGeometry g, double[] col, int colOff, double[] x, int xOff) {
        plain.col2im(n, g, col, colOff, x, xOff);
    }

    @Override
    public void im2colT(int n, ConvGeometry g, float[] x, int xOff, float[] colT, int colTOff) {
        plain.im2colT(n, g, x, xOff, colT, colTOff);
    }

    @Override
    public void im2colT(int n, ConvGeometry g, double[] x, int xOff, double[] colT, int colTOff) {
        plain.im2colT(n, g, x, xOff, colT, colTOff);
    }

    @Override
    public void col2imT(int n, ConvGeometry g, float[] colT, int colTOff, float[] x, int xOff) {
        plain.col2imT(n, g, colT, colTOff, x, xOff);
    }

    @Override
    public void col2imT(int n, ConvGeometry g, double[] colT, int colTOff, double[] x, int xOff) {
        plain.col2imT(n, g, colT, colTOff, x, xOff);
    }

    /** Geometries with padding take the portable kernel, whose results are the same bits. */
    @Override
    public void maxPoolForward(int n, ConvGeometry g, float[] x, int xOff, int[] argMax, float[] out, int outOff) {
        if (!FloatMaxPooling.supports(g)) {
            plain.maxPoolForward(n, g, x, xOff, argMax, out, outOff);
            return;
        }
        MaxPool j = RangeTask.acquire(MaxPool.CURRENT, MaxPool::new);
        j.g = g;
        j.x = x;
        j.xOff = xOff;
        j.argMax = argMax;
        j.out = out;
        j.outOff = outOff;
        j.run(n, (long) g.channels() * g.positions() * g.filterH() * g.filterW());
    }

    @Override
    public void maxPoolForward(int n, ConvGeometry g, double[] x, int xOff, int[] argMax, double[] out, int outOff) {
        plain.maxPoolForward(n, g, x, xOff, argMax, out, outOff);
    }

    @Override
    public void maxPoolBackward(int n, ConvGeometry g, float[] dout, int doutOff, int[] argMax, float[] dx,
                                int dxOff) {
        plain.maxPoolBackward(n, g, dout, doutOff, argMax, dx, dxOff);
    }

    @Override
    public void maxPoolBackward(int n, ConvGeometry g, double[] dout, int doutOff, int[] argMax, double[] dx,
                                int dxOff) {
        plain.maxPoolBackward(n, g, dout, doutOff, argMax, dx, dxOff);
    }

    @Override
    public void convForward(int n, ConvGeometry g, int fn, float[] x, int xOff, float[] w, int wOff, float[] b,
                            int bOff, float[] out, int outOff) {
        FloatRanges.convForward(n, g, fn, x, xOff, w, wOff, b, bOff, out, outOff);
    }

    @Override
    public void convForward(int n, ConvGeometry g, int fn, double[] x, int xOff, double[] w, int wOff, double[] b,
                            int bOff, double[] out, int outOff) {
        warmUp.doublesBeforeFirstUse();
        DoubleRanges.convForward(n, g, fn, x, xOff, w, wOff, b, bOff, out, outOff);
    }

    @Override
    public void convBackwardInput(int n, ConvGeometry g, int fn, float[] dout, int doutOff, float[] w, int wOff,
                                  float[] dx, int dxOff) {
        FloatRanges.convBackwardInput(n, g, fn, dout, doutOff, w, wOff, dx, dxOff);
    }

    @Override
    public void convBackwardInput(int n, ConvGeometry g, int fn, double[] dout, int doutOff, double[] w, int wOff,
                                  double[] dx, int dxOff) {
        warmUp.doublesBeforeFirstUse();
        DoubleRanges.convBackwardInput(n, g, fn, dout, doutOff, w, wOff, dx, dxOff);
    }

    @Override
    public void convBackwardWeights(int n, ConvGeometry g, int fn, float[] x, int xOff, float[] doutT, int doutTOff,
                                    float[] dW, int dWOff) {
        FloatRanges.convBackwardWeights(n, g, fn, x, xOff, doutT, doutTOff, dW, dWOff);
    }

    @Override
    public void convBackwardWeights(int n, ConvGeometry g, int fn, double[] x, int xOff, double[] doutT,
                                    int doutTOff, double[] dW, int dWOff) {
        warmUp.doublesBeforeFirstUse();
        DoubleRanges.convBackwardWeights(n, g, fn, x, xOff, doutT, doutTOff, dW, dWOff);
    }

    /** {@code maxPoolForward}'s arguments; a task pools images {@code [from, to)}. */
    private static final class MaxPool extends RangeTask {
        static final ThreadLocal<MaxPool> CURRENT = ThreadLocal.withInitial(MaxPool::new);
        ConvGeometry g;
        float[] x;
        int xOff;
        int[] argMax;
        float[] out;
        int outOff;

        @Override
        protected void range(int from, int to) {
            FloatMaxPooling.maxPool(from, to, g, x, xOff, argMax, out, outOff);
        }

        @Override
        protected void clear() {
            g = null;
            x = null;
            argMax = null;
            out = null;
        }
    }
}
