package dev.layerwise.kernel.portable;

import dev.layerwise.kernel.ConvGeometry;
import dev.layerwise.kernel.ConvKernels;

/**
 * The portable {@link ConvKernels} ({@link FloatConv}, {@link DoubleConv}).
 */
public final class PortableConv implements ConvKernels {

    @Override
    public void im2col(int n, ConvGeometry g, float[] x, int xOff, float[] col, int colOff) {
        FloatConv.im2col(n, g, x, xOff, col, colOff);
    }

    @Override
    public void im2col(int n, ConvGeometry g, double[] x, int xOff, double[] col, int colOff) {
        DoubleConv.im2col(n, g, x, xOff, col, colOff);
    }

    @Override
    public void col2im(int n, ConvGeometry g, float[] col, int colOff, float[] x, int xOff) {
        FloatConv.col2im(n, g, col, colOff, x, xOff);
    }

    @Override
    public void col2im(int n, ConvGeometry g, double[] col, int colOff, double[] x, int xOff) {
        DoubleConv.col2im(n, g, col, colOff, x, xOff);
    }

    @Override
    public void im2colT(int n, ConvGeometry g, float[] x, int xOff, float[] colT, int colTOff) {
        FloatConv.im2colT(n, g, x, xOff, colT, colTOff);
    }

    @Override
    public void im2colT(int n, ConvGeometry g, double[] x, int xOff, double[] colT, int colTOff) {
        DoubleConv.im2colT(n, g, x, xOff, colT, colTOff);
    }

    @Override
    public void col2imT(int n, ConvGeometry g, float[] colT, int colTOff, float[] x, int xOff) {
        FloatConv.col2imT(n, g, colT, colTOff, x, xOff);
    }

    @Override
    public void col2imT(int n, ConvGeometry g, double[] colT, int colTOff, double[] x, int xOff) {
        DoubleConv.col2imT(n, g, colT, colTOff, x, xOff);
    }

    @Override
    public void convBackwardWeights(int n, ConvGeometry g, int fn, float[] x, int xOff, float[] doutT, int doutTOff,
                                    float[] dW, int dWOff) {
        FloatConv.convBackwardWeights(n, g, fn, x, xOff, doutT, doutTOff, dW, dWOff);
    }

    @Override
    public void convBackwardWeights(int n, ConvGeometry g, int fn, double[] x, int xOff, double[] doutT,
                                    int doutTOff, double[] dW, int dWOff) {
        DoubleConv.convBackwardWeights(n, g, fn, x, xOff, doutT, doutTOff, dW, dWOff);
    }

    @Override
    public void maxPoolForward(int n, ConvGeometry g, float[] x, int xOff, int[] argMax, float[] out, int outOff) {
        FloatConv.maxPoolForward(n, g, x, xOff, argMax, out, outOff);
    }

    @Override
    public void maxPoolForward(int n, ConvGeometry g, double[] x, int xOff, int[] argMax, double[] out, int outOff) {
        DoubleConv.maxPoolForward(n, g, x, xOff, argMax, out, outOff);
    }

    @Override
    public void maxPoolBackward(int n, ConvGeometry g, float[] dout, int doutOff, int[] argMax, float[] dx, int dxOff) {
        FloatConv.maxPoolBackward(n, g, dout, doutOff, argMax, dx, dxOff);
    }

    @Override
    public void maxPoolBackward(int n, ConvGeometry g, double[] dout, int doutOff, int[] argMax, double[] dx,
                                int dxOff) {
        DoubleConv.maxPoolBackward(n, g, dout, doutOff, argMax, dx, dxOff);
    }

    @Override
    public void convForward(int n, ConvGeometry g, int fn, float[] x, int xOff, float[] w, int wOff, float[] b,
                            int bOff, float[] out, int outOff) {
        FloatConv.convForward(n, g, fn, x, xOff, w, wOff, b, bOff, out, outOff);
    }

    @Override
    public void convForward(int n, ConvGeometry g, int fn, double[] x, int xOff, double[] w, int wOff, double[] b,
                            int bOff, double[] out, int outOff) {
        DoubleConv.convForward(n, g, fn, x, xOff, w, wOff, b, bOff, out, outOff);
    }

    @Override
    public void convBackwardInput(int n, ConvGeometry g, int fn, float[] dout, int doutOff, float[] w, int wOff,
                                  float[] dx, int dxOff) {
        FloatConv.convBackwardInput(n, g, fn, dout, doutOff, w, wOff, dx, dxOff);
    }

    @Override
    public void convBackwardInput(int n, ConvGeometry g, int fn, double[] dout, int doutOff, double[] w, int wOff,
                                  double[] dx, int dxOff) {
        DoubleConv.convBackwardInput(n, g, fn, dout, doutOff, w, wOff, dx, dxOff);
    }
}
