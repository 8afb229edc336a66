package dev.layerwise.kernel.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise and reduction kernels in float32 with the Vector API.
 *
 * <p>Loops run whole vectors and finish the last {@code < L} elements in scalar code. Masked loads and stores would
 * avoid that tail, but on JDK 17 they, and storing a comparison mask into a {@code boolean[]}, allocate on every call;
 * the scalar tail keeps a training step allocation-free on every JDK. Where a row is shorter than a vector (the 10
 * scores of MNIST), kernels work on the whole contiguous block instead of row by row.
 */
final class FloatElementwise {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    private FloatElementwise() {
    }

    static void addRowVector(int rows, int cols, float[] x, int xOff, float[] b, int bOff, float[] out, int outOff) {
        for (int i = 0; i < rows; i++) {
            int xr = xOff + i * cols;
            int or = outOff + i * cols;
            int j = 0;
            for (; j <= cols - L; j += L) {
                FloatVector.fromArray(S, x, xr + j).add(FloatVector.fromArray(S, b, bOff + j)).intoArray(out, or + j);
            }
            for (; j < cols; j++) {
                out[or + j] = x[xr + j] + b[bOff + j];
            }
        }
    }

    /** Column sums, rows added in order (the order of the portable kernel, so the same bits). */
    static void sumColumns(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        int j = 0;
        for (; j <= cols - L; j += L) {
            FloatVector s = FloatVector.zero(S);
            for (int i = 0; i < rows; i++) {
                s = s.add(FloatVector.fromArray(S, x, xOff + i * cols + j));
            }
            s.intoArray(out, outOff + j);
        }
        for (; j < cols; j++) {
            float s = 0f;
            for (int i = 0; i < rows; i++) {
                s += x[xOff + i * cols + j];
            }
            out[outOff + j] = s;
        }
    }

    static float max(int n, float[] x, int off) {
        float max = Float.NEGATIVE_INFINITY;
        int j = 0;
        if (n >= L) {
            FloatVector acc = FloatVector.fromArray(S, x, off);
            for (j = L; j <= n - L; j += L) {
                acc = acc.max(FloatVector.fromArray(S, x, off + j));
            }
            max = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; j < n; j++) {
            max = Math.max(max, x[off + j]);
        }
        return max;
    }

    static void rowMax(int rows, int cols, float[] x, int xOff, float[] out, int outOff) {
        for (int i = 0; i < rows; i++) {
            out[outOff + i] = max(cols, x, xOff + i * cols);
        }
    }

    static void exp(int n, float[] x, int xOff, float[] out, int outOff) {
        VectorMath.exp(n, x, xOff, out, outOff);
    }

    /** Scalar: the Vector API's {@code LOG} differs in the last bit between compiled and interpreted code. */
    static void log(int n, float[] x, int xOff, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (float) Math.log(x[xOff + i]);
        }
    }

    /** {@code mask = x <= 0}; {@code out = 0} there (positive zero, as the book's {@code out[mask] = 0}), else x. */
    static void reluForward(int n, float[] x, int xOff, boolean[] mask, int maskOff, float[] out, int outOff) {
        reluOutput(n, x, xOff, out, outOff);
        for (int j = 0; j < n; j++) {
            mask[maskOff + j] = x[xOff + j] <= 0f;
        }
    }

    /** {@code out = 0} where {@code x <= 0} (positive zero), else x: reluForward's output without its mask. */
    static void reluOutput(int n, float[] x, int xOff, float[] out, int outOff) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            v.blend(zero, v.compare(VectorOperators.LE, 0f)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            float v = x[xOff + i];
            out[outOff + i] = v <= 0f ? 0f : v;
        }
    }

    /** {@code dx = 0} where the forward's output {@code y <= 0}, else dout: reluBackward without the mask. */
    static void reluBackwardFromOutput(int n, float[] dout, int doutOff, float[] y, int yOff, float[] dx, int dxOff) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) {
            VectorMask<Float> off = FloatVector.fromArray(S, y, yOff + i).compare(VectorOperators.LE, 0f);
            FloatVector.fromArray(S, dout, doutOff + i).blend(zero, off).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            dx[dxOff + i] = y[yOff + i] <= 0f ? 0f : dout[doutOff + i];
        }
    }

    static void reluBackward(int n, float[] dout, int doutOff, boolean[] mask, int maskOff, float[] dx, int dxOff) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) {
            VectorMask<Float> off = VectorMask.fromArray(S, mask, maskOff + i);
            FloatVector.fromArray(S, dout, doutOff + i).blend(zero, off).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            dx[dxOff + i] = mask[maskOff + i] ? 0f : dout[doutOff + i];
        }
    }

    /**
     * {@code 1 / (1 + e^−x)} in three passes: {@code −x}, its exponential ({@link VectorMath}), then the quotient. For
     * very negative x the exponential overflows to infinity and the result is exactly 0; nothing becomes NaN.
     */
    static void sigmoidForward(int n, float[] x, int xOff, float[] out, int outOff) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(S, x, xOff + i).neg().intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = -x[xOff + i];
        }
        VectorMath.exp(n, out, outOff, out, outOff);
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (i = 0; i <= n - L; i += L) {
            one.div(FloatVector.fromArray(S, out, outOff + i).add(one)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = 1f / (out[outOff + i] + 1f);
        }
    }

    static void sigmoidBackward(int n, float[] dout, int doutOff, float[] y, int yOff, float[] dx, int dxOff) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector yv = FloatVector.fromArray(S, y, yOff + i);
            FloatVector.fromArray(S, dout, doutOff + i).mul(yv.neg().add(1f)).mul(yv).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            float yi = y[yOff + i];
            dx[dxOff + i] = dout[doutOff + i] * (1f - yi) * yi;
        }
    }

    /**
     * Per row {@code exp(x − max) / Σ exp(x − max)}: the maximum, the subtraction, the sum and the division row by
     * row in scalar code (rows of a classifier's scores are short), and the exponential over the whole contiguous
     * block at once, on whole vectors ({@link VectorMath}). Keeping vector code out of this method also keeps C2 from
     * mixing it with the exponential's when it inlines.
     */
    static void softmaxRows(int rows, int cols, float[] x, int xOff, float[] y, int yOff) {
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * cols;
            int yr = yOff + r * cols;
            float max = Float.NEGATIVE_INFINITY;
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
            float sum = 0f;
            for (int j = 0; j < cols; j++) {
                sum += y[yr + j];
            }
            for (int j = 0; j < cols; j++) {
                y[yr + j] /= sum;
            }
        }
    }

    static void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(S, x, xOff + i).mul(alpha).add(FloatVector.fromArray(S, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    static void scale(int n, float alpha, float[] x, int xOff) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(S, x, xOff + i).mul(alpha).intoArray(x, xOff + i);
        }
        for (; i < n; i++) {
            x[xOff + i] *= alpha;
        }
    }
}
