package dev.layerwise.kernel.portable;

import dev.layerwise.kernel.RangeTask;

/**
 * The portable {@link dev.layerwise.kernel.UpdateKernels} in float32. Each expression keeps the book's NumPy
 * evaluation order (e.g. {@code (lr·g) / (√h + ε)}), so that float64 agrees bit for bit where NumPy does the same
 * element-wise operations; each coefficient (lr, 1 − β1, …) is converted to the arrays' type once, as NumPy does when
 * it combines a Python scalar with an array.
 */
final class FloatUpdate {

    private FloatUpdate() {
    }

    static void momentumUpdate(int n, double lr, double momentum, float[] g, int gOff, float[] v, int vOff,
                               float[] w, int wOff) {
        float lrF = (float) lr;
        float mF = (float) momentum;
        for (int i = 0; i < n; i++) {
            float vi = mF * v[vOff + i] - lrF * g[gOff + i];
            v[vOff + i] = vi;
            w[wOff + i] += vi;
        }
    }

    static void nesterovUpdate(int n, double lr, double momentum, float[] g, int gOff, float[] v, int vOff,
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

    static void adaGradUpdate(int n, double lr, double eps, float[] g, int gOff, float[] h, int hOff,
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

    static void rmsPropUpdate(int n, double lr, double decayRate, double eps, float[] g, int gOff, float[] h,
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

    static void adamUpdate(int n, double lrT, double beta1, double beta2, double eps, float[] g, int gOff,
                           float[] m, int mOff, float[] v, int vOff, float[] w, int wOff) {
        Adam.call(n, lrT, beta1, beta2, eps, g, gOff, m, mOff, v, vOff, w, wOff);
    }

    /**
     * Elements {@code [from, to)} of {@code adamUpdate}, on the calling thread: the unit of work it spreads over the
     * threads (each element is updated on its own, so the result does not depend on the split).
     */
    static void adamUpdateRange(int from, int to, double lrT, double beta1, double beta2, double eps, float[] g,
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

    // Batch normalisation walks one column at a time (rows inner): each column's sums then run over the rows in order,
    // as NumPy's sum(axis=0) does, and no scratch array is needed. The strided reads stay in cache, since neighbouring
    // columns share cache lines.

    static void batchNormForward(int rows, int cols, float[] x, int xOff, float[] gamma, int gammaOff, float[] beta,
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

    static void batchNormInference(int rows, int cols, float[] x, int xOff, float[] gamma, int gammaOff,
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

    static void batchNormBackward(int rows, int cols, float[] dout, int doutOff, float[] xc, int xcOff, float[] std,
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

    static void movingAverage(int n, double momentum, float[] x, int xOff, float[] avg, int avgOff) {
        float m = (float) momentum;
        float oneMinusM = (float) (1 - momentum);
        for (int i = 0; i < n; i++) {
            avg[avgOff + i] = m * avg[avgOff + i] + oneMinusM * x[xOff + i];
        }
    }

    static void maskedScale(int n, float[] x, int xOff, boolean[] mask, double scale, float[] out, int outOff) {
        float s = (float) scale;
        for (int i = 0; i < n; i++) {
            out[outOff + i] = mask[i] ? s * x[xOff + i] : 0f;
        }
    }

    /** {@code adamUpdate}'s arguments; a task updates elements {@code [from, to)}. */
    private static final class Adam extends RangeTask {
        private static final ThreadLocal<Adam> CURRENT = ThreadLocal.withInitial(Adam::new);
        private double lrT;
        private double beta1;
        private double beta2;
        private double eps;
        private float[] g;
        private int gOff;
        private float[] m;
        private int mOff;
        private float[] v;
        private int vOff;
        private float[] w;
        private int wOff;

        static void call(int n, double lrT, double beta1, double beta2, double eps, float[] g, int gOff, float[] m,
                         int mOff, float[] v, int vOff, float[] w, int wOff) {
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
