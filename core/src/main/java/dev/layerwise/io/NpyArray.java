package dev.layerwise.io;

import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;

/**
 * An array read from or written to a NumPy {@code .npy} file: its shape, its element type, and its values widened to
 * {@code double} (floating point) or {@code long} (integers and booleans).
 *
 * <p>Convert with {@link #toTensor(DType)}, {@link #toIntArray()} and friends; each conversion checks that the values
 * fit.
 */
public final class NpyArray {
    /** The element types we read and write. */
    public enum Kind {
        FLOAT32, FLOAT64, INT, BOOL
    }

    private final Kind kind;
    private final String descr;
    private final int[] shape;
    private final double[] floating;
    private final long[] integral;

    private NpyArray(Kind kind, String descr, int[] shape, double[] floating, long[] integral) {
        this.kind = kind;
        this.descr = descr;
        this.shape = shape.clone();
        this.floating = floating;
        this.integral = integral;
    }

    static NpyArray ofFloating(Kind kind, String descr, int[] shape, double[] values) {
        return new NpyArray(kind, descr, shape, values, null);
    }

    static NpyArray ofIntegral(Kind kind, String descr, int[] shape, long[] values) {
        return new NpyArray(kind, descr, shape, null, values);
    }

    /** A float32 or float64 array holding a copy of {@code t}. */
    public static NpyArray of(Tensor t) {
        Kind kind = t.dtype() == DType.FLOAT32 ? Kind.FLOAT32 : Kind.FLOAT64;
        return new NpyArray(kind, kind == Kind.FLOAT32 ? "<f4" : "<f8", t.shape(), t.toDoubleArray(), null);
    }

    /** An int64 array. */
    public static NpyArray ofLongs(long[] values, int... shape) {
        checkSize(values.length, shape);
        return new NpyArray(Kind.INT, "<i8", shape, null, values.clone());
    }

    /** An int64 array of the given ints. */
    public static NpyArray ofInts(int[] values, int... shape) {
        checkSize(values.length, shape);
        long[] v = new long[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = values[i];
        }
        return new NpyArray(Kind.INT, "<i8", shape, null, v);
    }

    /** A float64 array. */
    public static NpyArray ofDoubles(double[] values, int... shape) {
        checkSize(values.length, shape);
        return new NpyArray(Kind.FLOAT64, "<f8", shape, values.clone(), null);
    }

    private static void checkSize(int length, int[] shape) {
        if (Shapes.size(Shapes.checked(shape)) != length) {
            throw new IllegalArgumentException(length + " values do not fill shape " + Shapes.toString(shape));
        }
    }

    public Kind kind() {
        return kind;
    }

    /** The NumPy type descriptor as read ({@code <f8}, {@code >i4}, {@code |u1}, …) or as it will be written. */
    public String descr() {
        return descr;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int size() {
        return Shapes.size(shape);
    }

    /** Whether the values are floating point. */
    public boolean isFloating() {
        return floating != null;
    }

    /** The values as a tensor of {@code dtype} (integers converted). */
    public Tensor toTensor(DType dtype) {
        Tensor t = Tensor.zeros(dtype, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setDouble(i, floating != null ? floating[i] : integral[i]);
        }
        return t;
    }

    /** The values as a tensor of their own float type (float32 or float64; integers become float64). */
    public Tensor toTensor() {
        return toTensor(kind == Kind.FLOAT32 ? DType.FLOAT32 : DType.FLOAT64);
    }

    /** The values as doubles, row-major. */
    public double[] toDoubleArray() {
        if (floating != null) {
            return floating.clone();
        }
        double[] out = new double[integral.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = integral[i];
        }
        return out;
    }

    /** The values as longs; floating values must be whole. */
    public long[] toLongArray() {
        if (integral != null) {
            return integral.clone();
        }
        long[] out = new long[floating.length];
        for (int i = 0; i < out.length; i++) {
            double v = floating[i];
            if (v != Math.rint(v) || Math.abs(v) > 0x1p62) {
                throw new IllegalArgumentException("element " + i + " = " + v + " is not a whole number");
            }
            out[i] = (long) v;
        }
        return out;
    }

    /** The values as ints; each must fit. */
    public int[] toIntArray() {
        long[] l = toLongArray();
        int[] out = new int[l.length];
        for (int i = 0; i < out.length; i++) {
            if (l[i] < Integer.MIN_VALUE || l[i] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("element " + i + " = " + l[i] + " does not fit in an int");
            }
            out[i] = (int) l[i];
        }
        return out;
    }

    /** The values as booleans (non-zero is true). */
    public boolean[] toBooleanArray() {
        int n = size();
        boolean[] out = new boolean[n];
        for (int i = 0; i < n; i++) {
            out[i] = floating != null ? floating[i] != 0 : integral[i] != 0;
        }
        return out;
    }

    /** The only value of a scalar or one-element array. */
    public double scalar() {
        if (size() != 1) {
            throw new IllegalArgumentException("not a scalar: shape " + Shapes.toString(shape));
        }
        return floating != null ? floating[0] : integral[0];
    }

    @Override
    public String toString() {
        return "NpyArray(" + descr + ", " + Shapes.toString(shape) + ")";
    }
}
