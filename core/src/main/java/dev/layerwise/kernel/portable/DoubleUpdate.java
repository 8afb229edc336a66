// Generated from FloatUpdate.java by GenerateDoubleKernels: do not edit. To regenerate, run from the
// repository root: java core/src/test/java/dev/layerwise/kernel/GenerateDoubleKernels.java
package dev.layerwise.kernel.portable;

import dev.layerwise.kernel.RangeTask;

/**
 * The portable {@link dev.layerwise.kernel.UpdateKernels} in float64. Each expression keeps the book's NumPy
 * evaluation order (e.g. {@code (lr·g) / (√h + ε)}), so that float64 agrees bit for bit where NumPy does the same
 * element-wise operations; each coefficient (lr, 1 − β1, …) is converted to the arrays' type once, as NumPy does when
 * it combines a Python scalar with an array.
 */
@SuppressWarnings("cast")
final class DoubleUpdate {

    private DoubleUpdate() {
    }

    static void momentumUpdate(int n, double lr, double momentum, double[] g, int gOff, double[] v, int vOff,
                               double[] w, int wOff) {
        double lrF = (double) lr;
        double mF = (double) momentum;
        for (int i = 0; i < n; i++) {
            double vi = mF * v[vOff + i] - lrF * g[gOff + i];
            v[vOff + i] = vi;
            w[wOff + i] += vi;
        }
    }

    static void nesterovUpdate(int n, double lr, double momentum, double[] g, int gOff, double[] v, int vOff,
                               double[] w, int wOff) {
        double mm = (double) (momentum * momentum);
        double step = (double) ((1 + momentum) * lr);
        double mF = (double) momentum;
        double lrF = (double) lr;
        for (int i = 0; i < n; i++) {
            double gi = g[gOff + i];
            double vi = v[vOff + i];
            double wi = w[wOff + i] + mm * vi;
            w[wOff + i] = wi - step * gi;
            vi *= mF;
            v[vOff + i] = vi - lrF * gi;
        }
    }

    static void adaGradUpdate(int n, double lr, double eps, double[] g, int gOff, double[] h, int hOff,
                              double[] w, int wOff) {
        double lrF = (double) lr;
        double epsF = (double) eps;
        for (int i = 0; i < n; i++) {
            double gi = g[gOff + i];
            double hi = h[hOff + i] + gi * gi;
            h[hOff + i] = hi;
            w[wOff + i] -= lrF * gi / ((double) Math.sqrt(hi) + epsF);
        }
    }

    static void rmsPropUpdate(int n, double lr, double decayRate, double eps, double[] g, int gOff, double[] h,
                              int hOff, double[] w, int wOff) {
        double lrF = (double) lr;
        double epsF = (double) eps;
        double d = (double) decayRate;
        double oneMinusD = (double) (1 - decayRate);
        for (int i = 0; i < n; i++) {
            double gi = g[gOff + i];
            double hi = h[hOff + i] * d;
            hi += oneMinusD * gi * gi;
            h[hOff + i] = hi;
            w[wOff + i] -= lrF * gi / ((double) Math.sqrt(hi) + epsF);
        }
    }

    static void adamUpdate(int n, double lrT, double beta1, double beta2, double eps, double[] g, int gOff,
                           double[] m, int mOff, double[] v, int vOff, double[] w, int wOff) {
        Adam.call(n, lrT, beta1, beta2, eps, g, gOff, m, mOff, v, vOff, w, wOff);
    }

    /**
     * Elements {@code [from, to)} of {@code adamUpdate}, on the calling thread: the unit of work it spreads over the
     * threads (each element is updated on its own, so the result does not depend on the split).
     */
    static void adamUpdateRange(int from, int to, double lrT, double beta1, double beta2, double eps, double[] g,
                                   int gOff, double[] m, int mOff, double[] v, int vOff, double[] w, int wOff) {
        double lrF = (double) lrT;
        double epsF = (double) eps;
        double c1 = (double) (1 - beta1);
        double c2 = (double) (1 - beta2);
        for (int i = from; i < to; i++) {
            double gi = g[gOff + i];
            double mi = m[mOff + i];
            mi += c1 * (gi - mi);
            m[mOff + i] = mi;
            double vi = v[vOff + i];
            vi += c2 * (gi * gi - vi);
            v[vOff + i] = vi;
            w[wOff + i] -= lrF * mi / ((double) Math.sqrt(vi) + epsF);
        }
    }

    // Batch normalisation walks one column at a time (rows inner): each column's sums then run over the rows in order,
    // as NumPy's sum(axis=0) does, and no scratch array is needed. The strided reads stay in cache, since neighbouring
    // columns share cache lines.

    static void batchNormForward(int rows, int cols, double[] x, int xOff, double[] gamma, int gammaOff, double[] beta,
                                 int betaOff, double eps, double[] mean, int meanOff, double[] var, int varOff,
                                 double[] std, int stdOff, double[] xc, int xcOff, double[] out, int outOff) {
        double epsF = (double) eps;
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
            double s = (double) Math.sqrt(v + epsF);
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

    static void batchNormInference(int rows, int cols, double[] x, int xOff, double[] gamma, int gammaOff,
                                   double[] beta, int betaOff, double eps, double[] mean, int meanOff, double[] var,
                                   int varOff, double[] out, int outOff) {
        double epsF = (double) eps;
        for (int j = 0; j < cols; j++) {
            double mu = mean[meanOff + j];
            double s = (double) Math.sqrt(var[varOff + j] + epsF);
            double gj = gamma[gammaOff + j];
            double bj = beta[betaOff + j];
            for (int i = 0; i < rows; i++) {
                int at = i * cols + j;
                out[outOff + at] = gj * ((x[xOff + at] - mu) / s) + bj;
            }
        }
    }

    static void batchNormBackward(int rows, int cols, double[] dout, int doutOff, double[] xc, int xcOff, double[] std,
                                  int stdOff, double[] gamma, int gammaOff, double[] dx, int dxOff, double[] dgamma,
                                  int dgammaOff, double[] dbeta, int dbetaOff) {
        double n = rows;
        double twoOverN = (double) (2.0 / rows);
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
            double dvar = 0.5d * dstd / s;
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

    static void movingAverage(int n, double momentum, double[] x, int xOff, double[] avg, int avgOff) {
        double m = (double) momentum;
        double oneMinusM = (double) (1 - momentum);
        for (int i = 0; i < n; i++) {
            avg[avgOff + i] = m * avg[avgOff + i] + oneMinusM * x[xOff + i];
        }
    }

    static void maskedScale(int n, double[] x, int xOff, boolean[] mask, double scale, double[] out, int outOff) {
        double s = (double) scale;
        for (int i = 0; i < n; i++) {
            out[outOff + i] = mask[i] ? s * x[xOff + i] : 0d;
        }
    }

    /** {@code adamUpdate}'s arguments; a task updates elements {@code [from, to)}. */
    private static final class Adam extends RangeTask {
        private static final ThreadLocal<Adam> CURRENT = ThreadLocal.withInitial(Adam::new);
        private double lrT;
        private double beta1;
        private double beta2;
        private double eps;
        private double[] g;
        private int gOff;
        private double[] m;
        private int mOff;
        private double[] v;
        private int vOff;
        private double[] w;
        private int wOff;

        static void call(int n, double lrT, double beta1, double beta2, double eps, double[] g, int gOff, double[] m,
                         int mOff, double[] v, int vOff, double[] w, int wOff) {
            Adam j = acquire(CURRENT, Adam::new);
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

        @Override
        protected void range(int from, int to) {
            adamUpdateRange(from, to, lrT, beta1, beta2, eps, g, gOff, m, mOff, v, vOff, w, wOff);
        }

        @Override
        protected void clear() {
            g = null;
            m = null;
            v = null;
            w = null;
        }
    }
}
