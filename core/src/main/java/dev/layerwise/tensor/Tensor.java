package dev.layerwise.tensor;

import java.util.Arrays;

/**
 * An n-dimensional array of {@code float} or {@code double}, stored contiguously in row-major (C) order.
 *
 * <p>A tensor is a window ({@link #offset()}, {@link #size()}) onto a Java array that several tensors may share:
 * {@link #reshape} and {@link #rows} return views, so writing through a view writes the original. This is how a
 * network keeps all its parameters in one flat array while each layer sees its own {@code W} and {@code b}.
 *
 * <p>Exactly one of {@link #floats()} and {@link #doubles()} is non-null, according to {@link #dtype()}. Kernels work
 * on those arrays directly; {@link #getDouble(int)} and friends are for tests, tools and cold paths.
 *
 * <p><b>Shape</b>: any rank from 0 (a scalar) up; every dimension is at least 0.
 */
public final class Tensor {
    private final DType dtype;
    private final int[] shape;
    private final int size;
    private final float[] f;
    private final double[] d;
    private final int offset;

    private Tensor(DType dtype, int[] shape, float[] f, double[] d, int offset) {
        this.dtype = dtype;
        this.shape = shape;
        this.size = Shapes.size(shape);
        this.f = f;
        this.d = d;
        this.offset = offset;
    }

    /** A new tensor of zeros. */
    public static Tensor zeros(DType dtype, int... shape) {
        int[] s = Shapes.checked(shape);
        int n = Shapes.size(s);
        return dtype == DType.FLOAT32
                ? new Tensor(dtype, s, new float[n], null, 0)
                : new Tensor(dtype, s, null, new double[n], 0);
    }

    /** Wraps {@code data} (not copied) as a float32 tensor of the given shape. */
    public static Tensor wrap(float[] data, int... shape) {
        return view(data, 0, shape);
    }

    /** Wraps {@code data} (not copied) as a float64 tensor of the given shape. */
    public static Tensor wrap(double[] data, int... shape) {
        return view(data, 0, shape);
    }

    /** Wraps part of {@code data}, starting at {@code offset}, as a float32 tensor of the given shape. */
    public static Tensor view(float[] data, int offset, int... shape) {
        int[] s = Shapes.checked(shape);
        checkWindow(data.length, offset, Shapes.size(s), s);
        return new Tensor(DType.FLOAT32, s, data, null, offset);
    }

    /** Wraps part of {@code data}, starting at {@code offset}, as a float64 tensor of the given shape. */
    public static Tensor view(double[] data, int offset, int... shape) {
        int[] s = Shapes.checked(shape);
        checkWindow(data.length, offset, Shapes.size(s), s);
        return new Tensor(DType.FLOAT64, s, null, data, offset);
    }

    /** A new tensor of the given dtype and shape holding {@code values} (converted; copied). */
    public static Tensor of(DType dtype, double[] values, int... shape) {
        Tensor t = zeros(dtype, shape);
        if (values.length != t.size) {
            throw new IllegalArgumentException(values.length + " values do not fill shape " + Shapes.toString(shape));
        }
        for (int i = 0; i < values.length; i++) {
            t.setDouble(i, values[i]);
        }
        return t;
    }

    /**
     * Returns {@code buffer} when it already has this dtype and shape, else a new tensor of zeros: the idiom with which
     * layers reuse their buffers while the batch shape stays the same.
     */
    public static Tensor reuse(Tensor buffer, DType dtype, int... shape) {
        if (buffer != null && buffer.dtype == dtype && Arrays.equals(buffer.shape, shape)) {
            return buffer;
        }
        return zeros(dtype, shape);
    }

    /** {@link #reuse(Tensor, DType, int...)} for the common 2-D case, without a varargs array. */
    public static Tensor reuse(Tensor buffer, DType dtype, int rows, int cols) {
        if (buffer != null && buffer.dtype == dtype && buffer.shape.length == 2
                && buffer.shape[0] == rows && buffer.shape[1] == cols) {
            return buffer;
        }
        return zeros(dtype, rows, cols);
    }

    /** {@link #reuse(Tensor, DType, int...)} for images {@code (N, C, H, W)}, without a varargs array. */
    public static Tensor reuse(Tensor buffer, DType dtype, int n, int c, int h, int w) {
        if (buffer != null && buffer.dtype == dtype && buffer.hasShape(n, c, h, w)) {
            return buffer;
        }
        return zeros(dtype, n, c, h, w);
    }

    /** {@link #reuse(Tensor, DType, int...)} with the dtype and shape of {@code like}. */
    public static Tensor reuseLike(Tensor buffer, Tensor like) {
        if (buffer != null && buffer.dtype == like.dtype && Arrays.equals(buffer.shape, like.shape)) {
            return buffer;
        }
        return zeros(like.dtype, like.shape);
    }

    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** The number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** The size of dimension {@code axis}; negative axes count from the end. */
    public int dim(int axis) {
        return shape[axis < 0 ? shape.length + axis : axis];
    }

    /** The number of elements. */
    public int size() {
        return size;
    }

    /** Whether the shape equals {@code other}'s. */
    public boolean sameShape(Tensor other) {
        return Arrays.equals(shape, other.shape);
    }

    /** Whether the shape equals {@code expected}. */
    public boolean hasShape(int... expected) {
        return Arrays.equals(shape, expected);
    }

    /** {@link #hasShape(int...)} for a vector, without a varargs array: a training step checks shapes allocation-free. */
    public boolean hasShape(int n) {
        return shape.length == 1 && shape[0] == n;
    }

    /** {@link #hasShape(int...)} for a matrix, without a varargs array. */
    public boolean hasShape(int rows, int cols) {
        return shape.length == 2 && shape[0] == rows && shape[1] == cols;
    }

    /** {@link #hasShape(int...)} for images {@code (N, C, H, W)}, without a varargs array. */
    public boolean hasShape(int n, int c, int h, int w) {
        return shape.length == 4 && shape[0] == n && shape[1] == c && shape[2] == h && shape[3] == w;
    }

    /** Whether the shape is {@code other}'s with its first two dimensions swapped. */
    public boolean hasSwappedShape(Tensor other) {
        int[] s = other.shape;
        if (shape.length != s.length || s.length < 2 || shape[0] != s[1] || shape[1] != s[0]) {
            return false;
        }
        for (int i = 2; i < s.length; i++) {
            if (shape[i] != s[i]) {
                return false;
            }
        }
        return true;
    }

    /** The backing float array (float32 only, else {@code null}); elements start at {@link #offset()}. */
    public float[] floats() {
        return f;
    }

    /** The backing double array (float64 only, else {@code null}); elements start at {@link #offset()}. */
    public double[] doubles() {
        return d;
    }

    /** The index of element 0 in the backing array. */
    public int offset() {
        return offset;
    }

    /** A view with another shape and the same elements; one dimension may be {@code -1} (inferred). */
    public Tensor reshape(int... newShape) {
        int[] s = Shapes.infer(newShape, size);
        return new Tensor(dtype, s, f, d, offset);
    }

    /** A view of the rows {@code [from, to)} along the first dimension. */
    public Tensor rows(int from, int to) {
        if (shape.length == 0 || from < 0 || to > shape[0] || from > to) {
            throw new IndexOutOfBoundsException("rows [" + from + ", " + to + ") of a tensor of shape "
                    + Shapes.toString(shape));
        }
        int[] s = shape.clone();
        s[0] = to - from;
        int rowSize = shape[0] == 0 ? 0 : size / shape[0];
        return new Tensor(dtype, s, f, d, offset + from * rowSize);
    }

    /** Element {@code i} in row-major order, widened to double. */
    public double getDouble(int i) {
        checkIndex(i);
        return f != null ? f[offset + i] : d[offset + i];
    }

    /** Sets element {@code i} in row-major order (rounded to float for float32). */
    public void setDouble(int i, double value) {
        checkIndex(i);
        if (f != null) {
            f[offset + i] = (float) value;
        } else {
            d[offset + i] = value;
        }
    }

    /** The element at a multi-dimensional index. */
    public double get(int... index) {
        return getDouble(flatIndex(index));
    }

    /** Sets the element at a multi-dimensional index. */
    public void set(double value, int... index) {
        setDouble(flatIndex(index), value);
    }

    /** Sets every element to {@code value}. */
    public Tensor fill(double value) {
        if (f != null) {
            Arrays.fill(f, offset, offset + size, (float) value);
        } else {
            Arrays.fill(d, offset, offset + size, value);
        }
        return this;
    }

    /** Copies {@code src}'s elements (converting the dtype if needed) into this tensor of the same size. */
    public Tensor copyFrom(Tensor src) {
        if (src.size != size) {
            throw new IllegalArgumentException("cannot copy a tensor of shape " + Shapes.toString(src.shape)
                    + " into one of shape " + Shapes.toString(shape));
        }
        if (f != null && src.f != null) {
            System.arraycopy(src.f, src.offset, f, offset, size);
        } else if (d != null && src.d != null) {
            System.arraycopy(src.d, src.offset, d, offset, size);
        } else if (f != null) {
            for (int i = 0; i < size; i++) {
                f[offset + i] = (float) src.d[src.offset + i];
            }
        } else {
            for (int i = 0; i < size; i++) {
                d[offset + i] = src.f[src.offset + i];
            }
        }
        return this;
    }

    /** A new tensor with the same shape and elements, backed by its own array. */
    public Tensor copy() {
        return zeros(dtype, shape).copyFrom(this);
    }

    /** This tensor converted to {@code target} (a copy, even when the dtype is already {@code target}). */
    public Tensor to(DType target) {
        return zeros(target, shape).copyFrom(this);
    }

    /** The elements as a new double array, in row-major order. */
    public double[] toDoubleArray() {
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            out[i] = f != null ? f[offset + i] : d[offset + i];
        }
        return out;
    }

    /** The elements as a new float array, in row-major order. */
    public float[] toFloatArray() {
        float[] out = new float[size];
        for (int i = 0; i < size; i++) {
            out[i] = f != null ? f[offset + i] : (float) d[offset + i];
        }
        return out;
    }

    /** Prints dtype and shape, e.g. {@code Tensor(float32, (100, 784))}. */
    @Override
    public String toString() {
        return "Tensor(" + dtype + ", " + Shapes.toString(shape) + ")";
    }

    private int flatIndex(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index of rank " + index.length + " into a tensor of shape "
                    + Shapes.toString(shape));
        }
        int flat = 0;
        for (int axis = 0; axis < shape.length; axis++) {
            if (index[axis] < 0 || index[axis] >= shape[axis]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of bounds for shape "
                        + Shapes.toString(shape));
            }
            flat = flat * shape[axis] + index[axis];
        }
        return flat;
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("element " + i + " of a tensor of " + size + " elements");
        }
    }

    private static void checkWindow(int length, int offset, int size, int[] shape) {
        if (offset < 0 || (long) offset + size > length) {
            throw new IllegalArgumentException("an array of " + length + " elements from offset " + offset
                    + " cannot hold shape " + Shapes.toString(shape));
        }
    }
}
