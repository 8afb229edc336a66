// Generated from FloatElementwise.java by GenerateDoubleKernels: do not edit. To regenerate, run from the
// repository root: java core/src/test/java/dev/layerwise/kernel/GenerateDoubleKernels.java
package dev.layerwise.kernel.vector;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise and reduction kernels in float64 with the Vector API.
 *
 * <p>Loops run whole vectors and finish the last {@code < L} elements in scalar code. Masked loads and stores would
 * avoid that tail, but on JDK 17 they, and storing a comparison mask into a {@code boolean[]}, allocate on every call;
 * the scalar tail keeps a training step allocation-free on every JDK. Where a row is shorter than a vector (the 10
 * scores of MNIST), kernels work on the whole contiguous block instead of row by row.
 */
@SuppressWarnings("cast")
final class DoubleElementwise {
    static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    static final int L = S.length();

    private DoubleElementwise() {
    }

    static void addRowVector(int rows, int cols, double[] x, int xOff, double[] b, int bOff, double[] out, int outOff) {
        for (int i = 0; i < rows; i++) {
            int xr = xOff + i * cols;
            int or = outOff + i * cols;
            int j = 0;
            for (; j <= cols - L; j += L) {
                DoubleVector.fromArray(S, x, xr + j).add(DoubleVector.fromArray(S, b, bOff + j)).intoArray(out, or + j);
            }
            for (; j < cols; j++) {
                out[or + j] = x[xr + j] + b[bOff + j];
            }
        }
    }

    /** Column sums, rows added in order (the order of the portable kernel, so the same bits). */
    static void sumColumns(int rows, int cols, double[] x, int xOff, double[] out, int outOff) {
        int j = 0;
        for (; j <= cols - L; j += L) {
            DoubleVector s = DoubleVector.zero(S);
            for (int i = 0; i < rows; i++) {
                s = s.add(DoubleVector.fromArray(S, x, xOff + i * cols + j));
            }
            s.intoArray(out, outOff + j);
        }
        for (; j < cols; j++) {
            double s = 0d;
            for (int i = 0; i < rows; i++) {
                s += x[xOff + i * cols + j];
            }
            out[outOff + j] = s;
        }
    }

    static double max(int n, double[] x, int off) {
        double max = Double.NEGATIVE_INFINITY;
        int j = 0;
        if (n >= L) {
            DoubleVector acc = DoubleVector.fromArray(S, x, off);
            for (j = L; j <= n - L; j += L) {
                acc = acc.max(DoubleVector.fromArray(S, x, off + j));
            }
            max = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; j < n; j++) {
            max = Math.max(max, x[off + j]);
        }
        return max;
    }

    static void rowMax(int rows, int cols, double[] x, int xOff, double[] out, int outOff) {
        for (int i = 0; i < rows; i++) {
            out[outOff + i] = max(cols, x, xOff + i * cols);
        }
    }

    static void exp(int n, double[] x, int xOff, double[] out, int outOff) {
        VectorMath.exp(n, x, xOff, out, outOff);
    }

    /** Scalar: the Vector API's {@code LOG} differs in the last bit between compiled and interpreted code. */
    static void log(int n, double[] x, int xOff, double[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (double) Math.log(x[xOff + i]);
        }
    }

    /** {@code mask = x <= 0}; {@code out = 0} there (positive zero, as the book's {@code out[mask] = 0}), else x. */
    static void reluForward(int n, double[] x, int xOff, boolean[] mask, int maskOff, double[] out, int outOff) {
        reluOutput(n, x, xOff, out, outOff);
        for (int j = 0; j < n; j++) {
            mask[maskOff + j] = x[xOff + j] <= 0d;
        }
    }

    /** {@code out = 0} where {@code x <= 0} (positive zero), else x: reluForward's output without its mask. */
    static void reluOutput(int n, double[] x, int xOff, double[] out, int outOff) {
        DoubleVector zero = DoubleVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) {
            DoubleVector v = DoubleVector.fromArray(S, x, xOff + i);
            v.blend(zero, v.compare(VectorOperators.LE, 0d)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            double v = x[xOff + i];
            out[outOff + i] = v <= 0d ? 0d : v;
        }
    }

    /** {@code dx = 0} where the forward's output {@code y <= 0}, else dout: reluBackward without the mask. */
    static void reluBackwardFromOutput(int n, double[] dout, int doutOff, double[] y, int yOff, double[] dx, int dxOff) {
        DoubleVector zero = DoubleVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) {
            VectorMask<Double> off = DoubleVector.fromArray(S, y, yOff + i).compare(VectorOperators.LE, 0d);
            DoubleVector.fromArray(S, dout, doutOff + i).blend(zero, off).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            dx[dxOff + i] = y[yOff + i] <= 0d ? 0d : dout[doutOff + i];
        }
    }

    static void reluBackward(int n, double[] dout, int doutOff, boolean[] mask, int maskOff, double[] dx, int dxOff) {
        DoubleVector zero = DoubleVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) {
            VectorMask<Double> off = VectorMask.fromArray(S, mask, maskOff + i);
            DoubleVector.fromArray(S, dout, doutOff + i).blend(zero, off).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            dx[dxOff + i] = mask[maskOff + i] ? 0d : dout[doutOff + i];
        }
    }

    /**
     * {@code 1 / (1 + e^−x)} in three passes: {@code −x}, its exponential ({@link VectorMath}), then the quotient. For
     * very negative x the exponential overflows to infinity and the result is exactly 0; nothing becomes NaN.
     */
    static void sigmoidForward(int n, double[] x, int xOff, double[] out, int outOff) {
        int i = 0;
        for (; i <= n - L; i += L) {
            DoubleVector.fromArray(S, x, xOff + i).neg().intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = -x[xOff + i];
        }
        VectorMath.exp(n, out, outOff, out, outOff);
        DoubleVector one = DoubleVector.broadcast(S, 1d);
        for (i = 0; i <= n - L; i += L) {
            one.div(DoubleVector.fromArray(S, out, outOff + i).add(one)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = 1d / (out[outOff + i] + 1d);
        }
    }

    static void sigmoidBackward(int n, double[] dout, int doutOff, double[] y, int yOff, double[] dx, int dxOff) {
        int i = 0;
        for (; i <= n - L; i += L) {
            DoubleVector yv = DoubleVector.fromArray(S, y, yOff + i);
            DoubleVector.fromArray(S, dout, doutOff + i).mul(yv.neg().add(1d)).mul(yv).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            double yi = y[yOff + i];
            dx[dxOff + i] = dout[doutOff + i] * (1d - yi) * yi;
        }
    }

    /**
     * Per row {@code exp(x − max) / Σ exp(x − max)}: the maximum, the subtraction, the sum and the division row by
     * row in scalar code (rows of a classifier's scores are short), and the exponential over the whole contiguous
     * block at once, on whole vectors ({@link VectorMath}). Keeping vector code out of this method also keeps C2 from
     * mixing it with the exponential's when it inlines.
     */
    static void softmaxRows(int rows, int cols, double[] x, int xOff, double[] y, int yOff) {
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * cols;
            int yr = yOff + r * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, x[xr + j]);
            }
            for (int j = 0; j < cols; j++) {
                y[yr + j] = x[xr + j] - max;
            }
        }
        VectorMath.exp(rows * cols, y, yOff, y, yOff);
        for (int r = 0; r < rows; r++) {
            int yr = yOff + r * cols;
            double sum = 0d;
            for (int j = 0; j < cols; j++) {
                sum += y[yr + j];
            }
            for (int j = 0; j < cols; j++) {
                y[yr + j] /= sum;
            }
        }
    }

    static void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff) {
        int i = 0;
        for (; i <= n - L; i += L) {
            DoubleVector.fromArray(S, x, xOff + i).mul(alpha).add(DoubleVector.fromArray(S, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    static void scale(int n, double alpha, double[] x, int xOff) {
        int i = 0;
        for (; i <= n - L; i += L) {
            DoubleVector.fromArray(S, x, xOff + i).mul(alpha).intoArray(x, xOff + i);
        }
        for (; i < n; i++) {
            x[xOff + i] *= alpha;
        }
    }
}
