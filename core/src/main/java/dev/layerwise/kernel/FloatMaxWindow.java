package dev.layerwise.kernel;

/**
 * The scalar code of a max-pooling window in float32, for the portable pooling and for the Vector API pooling where
 * a vector does not fit the window: the first maximum in the window's row-major order wins, −0 and
 * +0 counting as equal, and a NaN is the maximum (the first NaN), as NumPy's {@code argmax} over an im2col row.
 */
public final class FloatMaxWindow {

    private FloatMaxWindow() {
    }

    /** 1 when {@code v} (with −0 as +0) does not have the given bits, else 0; no branch. */
    public static int differs(float v, int bits) {
        int d = Float.floatToRawIntBits(v + 0f) ^ bits;
        return (d | -d) >>> 31;
    }

    /** The offset of the first NaN of the window at {@code i} (which has one). */
    public static int firstNaN(float[] x, int i, int[] offsets) {
        int e = 0;
        while (!Float.isNaN(x[i + offsets[e]])) {
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
    public static void maxPoolWindow(float[] x, int src, int at, int[] offsets, int[] argMax, int o, float[] out,
                                     int outOff) {
        int i = src + at;
        float best = x[i];
        int e0 = 0;
        for (int e = 1; e < offsets.length; e++) {
            float next = Math.max(best, x[i + offsets[e]]);
            // 1 where the maximum so far moved on: the element's index replaces e0.
            int moved = differs(next, Float.floatToRawIntBits(best + 0f));
            e0 ^= (e0 ^ e) & -moved;
            best = next;
        }
        out[outOff + o] = best;
        argMax[o] = at + (best == best ? offsets[e0] : firstNaN(x, i, offsets));
    }
}
