// Generated from FloatMaxWindow.java by GenerateDoubleKernels: do not edit. To regenerate, run from the
// repository root: java core/src/test/java/dev/layerwise/kernel/GenerateDoubleKernels.java
package dev.layerwise.kernel;

/**
 * The scalar code of a max-pooling window in float64, for the portable pooling and for the Vector API pooling where
 * a vector does not fit the window: the first maximum in the window's row-major order wins, −0 and
 * +0 counting as equal, and a NaN is the maximum (the first NaN), as NumPy's {@code argmax} over an im2col row.
 */
@SuppressWarnings("cast")
public final class DoubleMaxWindow {

    private DoubleMaxWindow() {
    }

    /** 1 when {@code v} (with −0 as +0) does not have the given bits, else 0; no branch. */
    public static int differs(double v, long bits) {
        long d = Double.doubleToRawLongBits(v + 0d) ^ bits;
        return (int) ((d | -d) >>> 63);
    }

    /** The offset of the first NaN of the window at {@code i} (which has one). */
    public static int firstNaN(double[] x, int i, int[] offsets) {
        int e = 0;
        while (!Double.isNaN(x[i + offsets[e]])) {
            e++;
        }
        return offsets[e];
    }

    /**
     * The offsets {@code ky·w + kx} of a window's elements from its first, in row-major order.
     */
    public static int[] windowOffsets(int fh, int fw, int w) {
        int[] offsets = new int[fh * fw];
        for (int ky = 0; ky < fh; ky++) {
            for (int kx = 0; kx < fw; kx++) {
                offsets[ky * fw + kx] = ky * w + kx;
            }
        }
        return offsets;
    }

    /**
     * One output of max pooling whose window lies inside the image: its first element at {@code at} in the plane from
     * {@code src}, the others {@code offsets} further ({@link #windowOffsets}).
     */
    public static void maxPoolWindow(double[] x, int src, int at, int[] offsets, int[] argMax, int o, double[] out,
                                     int outOff) {
        int i = src + at;
        double best = x[i];
        int e0 = 0;
        for (int e = 1; e < offsets.length; e++) {
            double next = Math.max(best, x[i + offsets[e]]);
            // 1 where the maximum so far moved on: the element's index replaces e0.
            int moved = differs(next, Double.doubleToRawLongBits(best + 0d));
            e0 ^= (e0 ^ e) & -moved;
            best = next;
        }
        out[outOff + o] = best;
        argMax[o] = at + (best == best ? offsets[e0] : firstNaN(x, i, offsets));
    }
}
