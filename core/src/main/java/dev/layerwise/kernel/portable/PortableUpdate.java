package dev.layerwise.kernel.portable;

import dev.layerwise.kernel.UpdateKernels;

/**
 * The portable {@link UpdateKernels} ({@link FloatUpdate}, {@link DoubleUpdate}).
 */
public final class PortableUpdate implements UpdateKernels {

    @Override
    public void momentumUpdate(int n, double lr, double momentum, float[] g, int gOff, float[] v, int vOff, float[] w,
                               int wOff) {
        FloatUpdate.momentumUpdate(n, lr, momentum, g, gOff, v, vOff, w, wOff);
    }

    @Override
    public void momentumUpdate(int n, double lr, double momentum, double[] g, int gOff, double[] v, int vOff,
                               double[] w, int wOff) {
        DoubleUpdate.momentumUpdate(n, lr, momentum, g, gOff, v, vOff, w, wOff);
    }

    @Override
    public void nesterovUpdate(int n, double lr, double momentum, float[] g, int gOff, float[] v, int vOff, float[] w,
                               int wOff) {
        FloatUpdate.nesterovUpdate(n, lr, momentum, g, gOff, v, vOff, w, wOff);
    }

    @Override
    public void nesterovUpdate(int n, double lr, double momentum, double[] g, int gOff, double[] v, int vOff,
                               double[] w, int wOff) {
        DoubleUpdate.nesterovUpdate(n, lr, momentum, g, gOff, v, vOff, w, wOff);
    }

    @Override
    public void adaGradUpdate(int n, double lr, double eps, float[] g, int gOff, float[] h, int hOff, float[] w,
                              int wOff) {
        FloatUpdate.adaGradUpdate(n, lr, eps, g, gOff, h, hOff, w, wOff);
    }

    @Override
    public void adaGradUpdate(int n, double lr, double eps, double[] g, int gOff, double[] h, int hOff, double[] w,
                              int wOff) {
        DoubleUpdate.adaGradUpdate(n, lr, eps, g, gOff, h, hOff, w, wOff);
    }

    @Override
    public void rmsPropUpdate(int n, double lr, double decayRate, double eps, float[] g, int gOff, float[] h, int hOff,
                              float[] w, int wOff) {
        FloatUpdate.rmsPropUpdate(n, lr, decayRate, eps, g, gOff, h, hOff, w, wOff);
    }

    @Override
    public void rmsPropUpdate(int n, double lr, double decayRate, double eps, double[] g, int gOff, double[] h,
                              int hOff, double[] w, int wOff) {
        DoubleUpdate.rmsPropUpdate(n, lr, decayRate, eps, g, gOff, h, hOff, w, wOff);
    }

    @Override
    public void adamUpdate(int n, double lrT, double beta1, double beta2, double eps, float[] g, int gOff, float[] m,
                           int mOff, float[] v, int vOff, float[] w, int wOff) {
        FloatUpdate.adamUpdate(n, lrT, beta1, beta2, eps, g, gOff, m, mOff, v, vOff, w, wOff);
    }

    @Override
    public void adamUpdate(int n, double lrT, double beta1, double beta2, double eps, double[] g, int gOff, double[] m,
                           int mOff, double[] v, int vOff, double[] w, int wOff) {
        DoubleUpdate.adamUpdate(n, lrT, beta1, beta2, eps, g, gOff, m, mOff, v, vOff, w, wOff);
    }

    @Override
    public void batchNormForward(int rows, int cols, float[] x, int xOff, float[] gamma, int gammaOff, float[] beta,
                                 int betaOff, double eps, float[] mean, int meanOff, float[] var, int varOff,
                                 float[] std, int stdOff, float[] xc, int xcOff, float[] out, int outOff) {
        FloatUpdate.batchNormForward(rows, cols, x, xOff, gamma, gammaOff, beta, betaOff, eps, mean, meanOff, var,
                varOff, std, stdOff, xc, xcOff, out, outOff);
    }

    @Override
    public void batchNormForward(int rows, int cols, double[] x, int xOff, double[] gamma, int gammaOff, double[] beta,
                                 int betaOff, double eps, double[] mean, int meanOff, double[] var, int varOff,
                                 double[] std, int stdOff, double[] xc, int xcOff, double[] out, int outOff) {
        DoubleUpdate.batchNormForward(rows, cols, x, xOff, gamma, gammaOff, beta, betaOff, eps, mean, meanOff, var,
                varOff, std, stdOff, xc, xcOff, out, outOff);
    }

    @Override
    public void batchNormInference(int rows, int cols, float[] x, int xOff, float[] gamma, int gammaOff, float[] beta,
                                   int betaOff, double eps, float[] mean, int meanOff, float[] var, int varOff,
                                   float[] out, int outOff) {
        FloatUpdate.batchNormInference(rows, cols, x, xOff, gamma, gammaOff, beta, betaOff, eps, mean, meanOff, var,
                varOff, out, outOff);
    }

    @Override
    public void batchNormInference(int rows, int cols, double[] x, int xOff, double[] gamma, int gammaOff,
                                   double[] beta, int betaOff, double eps, double[] mean, int meanOff, double[] var,
                                   int varOff, double[] out, int outOff) {
        DoubleUpdate.batchNormInference(rows, cols, x, xOff, gamma, gammaOff, beta, betaOff, eps, mean, meanOff, var,
                varOff, out, outOff);
    }

    @Override
    public void batchNormBackward(int rows, int cols, float[] dout, int doutOff, float[] xc, int xcOff, float[] std,
                                  int stdOff, float[] gamma, int gammaOff, float[] dx, int dxOff, float[] dgamma,
                                  int dgammaOff, float[] dbeta, int dbetaOff) {
        FloatUpdate.batchNormBackward(rows, cols, dout, doutOff, xc, xcOff, std, stdOff, gamma, gammaOff, dx, dxOff,
                dgamma, dgammaOff, dbeta, dbetaOff);
    }

    @Override
    public void batchNormBackward(int rows, int cols, double[] dout, int doutOff, double[] xc, int xcOff, double[] std,
                                  int stdOff, double[] gamma, int gammaOff, double[] dx, int dxOff, double[] dgamma,
                                  int dgammaOff, double[] dbeta, int dbetaOff) {
        DoubleUpdate.batchNormBackward(rows, cols, dout, doutOff, xc, xcOff, std, stdOff, gamma, gammaOff, dx, dxOff,
                dgamma, dgammaOff, dbeta, dbetaOff);
    }

    @Override
    public void movingAverage(int n, double momentum, float[] x, int xOff, float[] avg, int avgOff) {
        FloatUpdate.movingAverage(n, momentum, x, xOff, avg, avgOff);
    }

    @Override
    public void movingAverage(int n, double momentum, double[] x, int xOff, double[] avg, int avgOff) {
        DoubleUpdate.movingAverage(n, momentum, x, xOff, avg, avgOff);
    }

    @Override
    public void maskedScale(int n, float[] x, int xOff, boolean[] mask, double scale, float[] out, int outOff) {
        FloatUpdate.maskedScale(n, x, xOff, mask, scale, out, outOff);
    }

    @Override
    public void maskedScale(int n, double[] x, int xOff, boolean[] mask, double scale, double[] out, int outOff) {
        DoubleUpdate.maskedScale(n, x, xOff, mask, scale, out, outOff);
    }
}
