package dev.layerwise.kernel;

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
            Parallel.forEach(tasks, t -> gemmRows(t * m / tasks, (t + 1) * m / tasks,
                    transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate));
        }
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, boolean accumulate) {
        int tasks = rowTasks(m, n, k);
        if (tasks == 1) {
            gemmRows(0, m, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
        } else {
            Parallel.forEach(tasks, t -> gemmRows(t * m / tasks, (t + 1) * m / tasks,
                    transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate));
        }
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

    // ---- chapter 6: optimizer steps, batch normalisation, dropout, weight decay ------------------------------------
    // Each expression keeps the book's NumPy evaluation order (e.g. (lr·g) / (√h + ε)), so float64 agrees bit for bit
    // where NumPy does the same element-wise operations.

    @Override
    public void momentumUpdate(int n, double lr, double momentum, float[] g, int gOff, float[] v, int vOff,
                               float[] w, int wOff) {
        float lrF = (float) lr;
        float mF = (float) momentum;
        for (int i = 0; i < n; i++) {
            float vi = mF * v[vOff + i] - lrF * g[gOff + i];
            v[vOff + i] = vi;
            w[wOff + i] += vi;
        }
    }

    @Override
    public void momentumUpdate(int n, double lr, double momentum, double[] g, int gOff, double[] v, int vOff,
                               double[] w, int wOff) {
        for (int i = 0; i < n; i++) {
            double vi = momentum * v[vOff + i] - lr * g[gOff + i];
            v[vOff + i] = vi;
            w[wOff + i] += vi;
        }
    }

    @Override
    public void nesterovUpdate(int n, double lr, double momentum, float[] g, int gOff, float[] v, int vOff,
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

    @Override
    public void nesterovUpdate(int n, double lr, double momentum, double[] g, int gOff, double[] v, int vOff,
                               double[] w, int wOff) {
        double mm = momentum * momentum;
        double step = (1 + momentum) * lr;
        for (int i = 0; i < n; i++) {
            double gi = g[gOff + i];
            double vi = v[vOff + i];
            double wi = w[wOff + i] + mm * vi;
            w[wOff + i] = wi - step * gi;
            vi *= momentum;
            v[vOff + i] = vi - lr * gi;
        }
    }

    @Override
    public void adaGradUpdate(int n, double lr, double eps, float[] g, int gOff, float[] h, int hOff,
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

    @Override
    public void adaGradUpdate(int n, double lr, double eps, double[] g, int gOff, double[] h, int hOff,
                              double[] w, int wOff) {
        for (int i = 0; i < n; i++) {
            double gi = g[gOff + i];
            double hi = h[hOff + i] + gi * gi;
            h[hOff + i] = hi;
            w[wOff + i] -= lr * gi / (Math.sqrt(hi) + eps);
        }
    }

    @Override
    public void rmsPropUpdate(int n, double lr, double decayRate, double eps, float[] g, int gOff, float[] h,
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

    @Override
    public void rmsPropUpdate(int n, double lr, double decayRate, double eps, double[] g, int gOff, double[] h,
                              int hOff, double[] w, int wOff) {
        double oneMinusD = 1 - decayRate;
        for (int i = 0; i < n; i++) {
            double gi = g[gOff + i];
            double hi = h[hOff + i] * decayRate;
            hi += oneMinusD * gi * gi;
            h[hOff + i] = hi;
            w[wOff + i] -= lr * gi / (Math.sqrt(hi) + eps);
        }
    }

    @Override
    public void adamUpdate(int n, double lrT, double beta1, double beta2, double eps, float[] g, int gOff,
                           float[] m, int mOff, float[] v, int vOff, float[] w, int wOff) {
        float lrF = (float) lrT;
        float epsF = (float) eps;
        float c1 = (float) (1 - beta1);
        float c2 = (float) (1 - beta2);
        for (int i = 0; i < n; i++) {
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

    @Override
    public void adamUpdate(int n, double lrT, double beta1, double beta2, double eps, double[] g, int gOff,
                           double[] m, int mOff, double[] v, int vOff, double[] w, int wOff) {
        double c1 = 1 - beta1;
        double c2 = 1 - beta2;
        for (int i = 0; i < n; i++) {
            double gi = g[gOff + i];
            double mi = m[mOff + i];
            mi += c1 * (gi - mi);
            m[mOff + i] = mi;
            double vi = v[vOff + i];
            vi += c2 * (gi * gi - vi);
            v[vOff + i] = vi;
            w[wOff + i] -= lrT * mi / (Math.sqrt(vi) + eps);
        }
    }

    // Batch normalisation walks one column at a time (rows inner): each column's sums then run over the rows in order,
    // as NumPy's sum(axis=0) does, and no scratch array is needed. The strided reads stay in cache, since neighbouring
    // columns share cache lines.

    @Override
    public void batchNormForward(int rows, int cols, float[] x, int xOff, float[] gamma, int gammaOff, float[] beta,
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

    @Override
    public void batchNormForward(int rows, int cols, double[] x, int xOff, double[] gamma, int gammaOff,
                                 double[] beta, int betaOff, double eps, double[] mean, int meanOff, double[] var,
                                 int varOff, double[] std, int stdOff, double[] xc, int xcOff, double[] out,
                                 int outOff) {
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
            double s = Math.sqrt(v + eps);
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

    @Override
    public void batchNormInference(int rows, int cols, float[] x, int xOff, float[] gamma, int gammaOff,
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

    @Override
    public void batchNormInference(int rows, int cols, double[] x, int xOff, double[] gamma, int gammaOff,
                                   double[] beta, int betaOff, double eps, double[] mean, int meanOff, double[] var,
                                   int varOff, double[] out, int outOff) {
        for (int j = 0; j < cols; j++) {
            double mu = mean[meanOff + j];
            double s = Math.sqrt(var[varOff + j] + eps);
            double gj = gamma[gammaOff + j];
            double bj = beta[betaOff + j];
            for (int i = 0; i < rows; i++) {
                int at = i * cols + j;
                out[outOff + at] = gj * ((x[xOff + at] - mu) / s) + bj;
            }
        }
    }

    @Override
    public void batchNormBackward(int rows, int cols, float[] dout, int doutOff, float[] xc, int xcOff, float[] std,
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

    @Override
    public void batchNormBackward(int rows, int cols, double[] dout, int doutOff, double[] xc, int xcOff,
                                  double[] std, int stdOff, double[] gamma, int gammaOff, double[] dx, int dxOff,
                                  double[] dgamma, int dgammaOff, double[] dbeta, int dbetaOff) {
        double n = rows;
        double twoOverN = 2.0 / rows;
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
            double dvar = 0.5 * dstd / s;
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

    @Override
    public void movingAverage(int n, double momentum, float[] x, int xOff, float[] avg, int avgOff) {
        float m = (float) momentum;
        float oneMinusM = (float) (1 - momentum);
        for (int i = 0; i < n; i++) {
            avg[avgOff + i] = m * avg[avgOff + i] + oneMinusM * x[xOff + i];
        }
    }

    @Override
    public void movingAverage(int n, double momentum, double[] x, int xOff, double[] avg, int avgOff) {
        double oneMinusM = 1 - momentum;
        for (int i = 0; i < n; i++) {
            avg[avgOff + i] = momentum * avg[avgOff + i] + oneMinusM * x[xOff + i];
        }
    }

    @Override
    public void maskedScale(int n, float[] x, int xOff, boolean[] mask, double scale, float[] out, int outOff) {
        float s = (float) scale;
        for (int i = 0; i < n; i++) {
            out[outOff + i] = mask[i] ? s * x[xOff + i] : 0f;
        }
    }

    @Override
    public void maskedScale(int n, double[] x, int xOff, boolean[] mask, double scale, double[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = mask[i] ? scale * x[xOff + i] : 0d;
        }
    }

    @Override
    public double dot(int n, float[] x, int xOff, float[] y, int yOff) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (double) x[xOff + i] * y[yOff + i];
        }
        return s;
    }

    @Override
    public double dot(int n, double[] x, int xOff, double[] y, int yOff) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += x[xOff + i] * y[yOff + i];
        }
        return s;
    }
}
