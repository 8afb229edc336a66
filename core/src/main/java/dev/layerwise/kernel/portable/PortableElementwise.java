package dev.layerwise.kernel.portable;

import dev.layerwise.kernel.ElementwiseKernels;

/**
 * The portable {@link ElementwiseKernels} ({@link FloatElementwise}, {@link DoubleElementwise}).
 */
public final class PortableElementwise implements ElementwiseKernels {

    @Override
    public void addRowVector(int rows, int cols, float[] x, int xOff, float[] b, int bOff, float[] out, int outOff) {
        FloatElementwise.addRowVector(rows, cols, x, xOff, b, bOff, out, outOff);
    }

    @Override
    public void addRowVector(int rows, int cols, double[] x, int xOff, double[] b, int bOff, double[] out, int outOff) {
        DoubleElementwise.addRowVector(rows, cols, x, xOff, b, bOff, out, outOff);
    }

    @Override
    public void sumColumns(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        FloatElementwise.sumColumns(rows, cols, x, xOff, out, outOff);
    }

    @Override
    public void sumColumns(int rows, int cols, double[] x, int xOff, double[] out, int outOff) {
        DoubleElementwise.sumColumns(rows, cols, x, xOff, out, outOff);
    }

    @Override
    public void sumRows(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        FloatElementwise.sumRows(rows, cols, x, xOff, out, outOff);
    }

    @Override
    public void sumRows(int rows, int cols, double[] x, int xOff, double[] out, int outOff) {
        DoubleElementwise.sumRows(rows, cols, x, xOff, out, outOff);
    }

    @Override
    public void rowMax(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        FloatElementwise.rowMax(rows, cols, x, xOff, out, outOff);
    }

    @Override
    public void rowMax(int rows, int cols, double[] x, int xOff, double[] out, int outOff) {
        DoubleElementwise.rowMax(rows, cols, x, xOff, out, outOff);
    }

    @Override
    public void argmaxRows(int rows, int cols, float[] x, int xOff, int[] out) {
        FloatElementwise.argmaxRows(rows, cols, x, xOff, out);
    }

    @Override
    public void argmaxRows(int rows, int cols, double[] x, int xOff, int[] out) {
        DoubleElementwise.argmaxRows(rows, cols, x, xOff, out);
    }

    @Override
    public void exp(int n, float[] x, int xOff, float[] out, int outOff) {
        FloatElementwise.exp(n, x, xOff, out, outOff);
    }

    @Override
    public void exp(int n, double[] x, int xOff, double[] out, int outOff) {
        DoubleElementwise.exp(n, x, xOff, out, outOff);
    }

    @Override
    public void log(int n, float[] x, int xOff, float[] out, int outOff) {
        FloatElementwise.log(n, x, xOff, out, outOff);
    }

    @Override
    public void log(int n, double[] x, int xOff, double[] out, int outOff) {
        DoubleElementwise.log(n, x, xOff, out, outOff);
    }

    @Override
    public void reluForward(int n, float[] x, int xOff, boolean[] mask, float[] out, int outOff) {
        FloatElementwise.reluForward(n, x, xOff, mask, out, outOff);
    }

    @Override
    public void reluForward(int n, double[] x, int xOff, boolean[] mask, double[] out, int outOff) {
        DoubleElementwise.reluForward(n, x, xOff, mask, out, outOff);
    }

    @Override
    public void reluBackward(int n, float[] dout, int doutOff, boolean[] mask, float[] dx, int dxOff) {
        FloatElementwise.reluBackward(n, dout, doutOff, mask, dx, dxOff);
    }

    @Override
    public void reluBackward(int n, double[] dout, int doutOff, boolean[] mask, double[] dx, int dxOff) {
        DoubleElementwise.reluBackward(n, dout, doutOff, mask, dx, dxOff);
    }

    @Override
    public void reluForward(int n, float[] x, int xOff, float[] out, int outOff) {
        FloatElementwise.reluForward(n, x, xOff, null, out, outOff);
    }

    @Override
    public void reluForward(int n, double[] x, int xOff, double[] out, int outOff) {
        DoubleElementwise.reluForward(n, x, xOff, null, out, outOff);
    }

    @Override
    public void reluBackwardFromOutput(int n, float[] dout, int doutOff, float[] y, int yOff, float[] dx, int dxOff) {
        FloatElementwise.reluBackwardFromOutput(n, dout, doutOff, y, yOff, dx, dxOff);
    }

    @Override
    public void reluBackwardFromOutput(int n, double[] dout, int doutOff, double[] y, int yOff, double[] dx,
                                       int dxOff) {
        DoubleElementwise.reluBackwardFromOutput(n, dout, doutOff, y, yOff, dx, dxOff);
    }

    @Override
    public void sigmoidForward(int n, float[] x, int xOff, float[] out, int outOff) {
        FloatElementwise.sigmoidForward(n, x, xOff, out, outOff);
    }

    @Override
    public void sigmoidForward(int n, double[] x, int xOff, double[] out, int outOff) {
        DoubleElementwise.sigmoidForward(n, x, xOff, out, outOff);
    }

    @Override
    public void sigmoidBackward(int n, float[] dout, int doutOff, float[] y, int yOff, float[] dx, int dxOff) {
        FloatElementwise.sigmoidBackward(n, dout, doutOff, y, yOff, dx, dxOff);
    }

    @Override
    public void sigmoidBackward(int n, double[] dout, int doutOff, double[] y, int yOff, double[] dx, int dxOff) {
        DoubleElementwise.sigmoidBackward(n, dout, doutOff, y, yOff, dx, dxOff);
    }

    @Override
    public void softmaxRows(int rows, int cols, float[] x, int xOff, float[] y, int yOff) {
        FloatElementwise.softmaxRows(rows, cols, x, xOff, y, yOff);
    }

    @Override
    public void softmaxRows(int rows, int cols, double[] x, int xOff, double[] y, int yOff) {
        DoubleElementwise.softmaxRows(rows, cols, x, xOff, y, yOff);
    }

    @Override
    public void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        FloatElementwise.axpy(n, alpha, x, xOff, y, yOff);
    }

    @Override
    public void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff) {
        DoubleElementwise.axpy(n, alpha, x, xOff, y, yOff);
    }

    @Override
    public void scale(int n, float alpha, float[] x, int xOff) {
        FloatElementwise.scale(n, alpha, x, xOff);
    }

    @Override
    public void scale(int n, double alpha, double[] x, int xOff) {
        DoubleElementwise.scale(n, alpha, x, xOff);
    }

    @Override
    public double dot(int n, float[] x, int xOff, float[] y, int yOff) {
        return FloatElementwise.dot(n, x, xOff, y, yOff);
    }

    @Override
    public double dot(int n, double[] x, int xOff, double[] y, int yOff) {
        return DoubleElementwise.dot(n, x, xOff, y, yOff);
    }

    @Override
    public void fromUnsignedBytes(int n, byte[] x, int xOff, float divisor, float[] out, int outOff) {
        FloatElementwise.fromUnsignedBytes(n, x, xOff, divisor, out, outOff);
    }

    @Override
    public void fromUnsignedBytes(int n, byte[] x, int xOff, double divisor, double[] out, int outOff) {
        DoubleElementwise.fromUnsignedBytes(n, x, xOff, divisor, out, outOff);
    }

    @Override
    public void swapAxes01(int d0, int d1, int block, float[] x, int xOff, float[] out, int outOff) {
        FloatElementwise.swapAxes01(d0, d1, block, x, xOff, out, outOff);
    }

    @Override
    public void swapAxes01(int d0, int d1, int block, double[] x, int xOff, double[] out, int outOff) {
        DoubleElementwise.swapAxes01(d0, d1, block, x, xOff, out, outOff);
    }
}
