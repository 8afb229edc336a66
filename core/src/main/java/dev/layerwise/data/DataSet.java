package dev.layerwise.data;

import dev.layerwise.kernel.Kernels;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;
import java.util.Arrays;

/**
 * Examples {@code x} (first dimension: one row per example) and their labels {@code t}, like the book's
 * {@code (x_train, t_train)} pair.
 *
 * <p>The examples are a tensor, or ({@link #ofUnsignedBytes}) bytes that read as {@code value / divisor}, as MNIST's
 * pixels do: a quarter of the memory in float32. Such a data set makes its tensor at the first call to {@link #x()};
 * training and evaluation read it example by example ({@link #copyExample}, {@link #rows}), converting as they go, and
 * need no tensor at all.
 */
public final class DataSet {
    /** Bytes in a cache line of the processors the library runs on. */
    private static final int CACHE_LINE = 64;

    private final Labels t;
    private final int[] shape;
    private final DType dtype;
    /** Values per example: the product of the shape after its first dimension. */
    private final int features;
    /** The examples as bytes ({@code null} for a data set made from a tensor) and what each is divided by. */
    private final byte[] bytes;
    private final double divisor;
    /** The examples as a tensor: given, or made from the bytes at the first call to {@link #x()}. */
    private volatile Tensor x;
    /**
     * Where {@link #copyExamples} keeps what its first pass read, so that the compiler cannot drop those reads; the
     * value is never used.
     */
    private int touched;

    /** The examples {@code x}, {@code x.dim(0)} of them, and one label each. */
    public DataSet(Tensor x, Labels t) {
        this(x, t, x.shape(), x.dtype(), null, 1);
    }

    private DataSet(Tensor x, Labels t, int[] shape, DType dtype, byte[] bytes, double divisor) {
        if (shape.length < 1 || shape[0] != t.size()) {
            throw new IllegalArgumentException("data set of " + Shapes.toString(shape) + " examples with "
                    + t.size() + " labels");
        }
        this.x = x;
        this.t = t;
        this.shape = shape;
        this.dtype = dtype;
        this.features = Shapes.size(Arrays.copyOfRange(shape, 1, shape.length));
        this.bytes = bytes;
        this.divisor = divisor;
    }

    /**
     * Examples of the given {@code shape} ({@code shape[0]} of them) stored as unsigned bytes, each value {@code v}
     * read as {@code v / divisor} computed in {@code dtype} (the book's {@code x.astype(dtype) / 255.0} for MNIST).
     * The array is kept, not copied.
     */
    public static DataSet ofUnsignedBytes(byte[] values, int[] shape, double divisor, DType dtype, Labels t) {
        int[] s = Shapes.checked(shape);
        if (Shapes.size(s) != values.length) {
            throw new IllegalArgumentException(values.length + " bytes for examples of shape " + Shapes.toString(s)
                    + " (" + Shapes.size(s) + " values)");
        }
        if (!(divisor > 0) || Double.isInfinite(divisor)) {
            throw new IllegalArgumentException("divisor must be positive and finite, got " + divisor);
        }
        return new DataSet(null, t, s, dtype, values, divisor);
    }

    /**
     * The examples as a tensor. For a data set stored as bytes it is made at the first call (and kept): a data set that
     * is only trained on and evaluated never needs it.
     */
    public Tensor x() {
        Tensor made = x;
        if (made == null) {
            synchronized (this) {
                made = x;
                if (made == null) {
                    made = Tensor.zeros(dtype, shape);
                    convert(0, size(), made, 0);
                    x = made;
                }
            }
        }
        return made;
    }

    /** Whether {@link #x()} exists (given, or made): {@link #rows} then returns views of it and needs no buffer. */
    public boolean hasTensor() {
        return x != null;
    }

    /** The labels. */
    public Labels t() {
        return t;
    }

    /** The number of examples. */
    public int size() {
        return t.size();
    }

    /** The shape of {@link #x()}: the number of examples first. */
    public int[] shape() {
        return shape.clone();
    }

    /** The dtype of {@link #x()}. */
    public DType dtype() {
        return dtype;
    }

    /** Values per example ({@code 784} for flattened MNIST). */
    public int features() {
        return features;
    }

    /** The first {@code n} examples (views, no copy: of the tensor, or of the bytes). */
    public DataSet head(int n) {
        int m = Math.min(n, size());
        if (m == size()) {
            return this;
        }
        Labels labels = t.isOneHot() ? Labels.oneHot(t.oneHotTensor().rows(0, m))
                : Labels.of(Arrays.copyOf(t.indices(), m));
        if (bytes == null) {
            return new DataSet(x.rows(0, m), labels);
        }
        int[] s = shape.clone();
        s[0] = m;
        return new DataSet(null, labels, s, dtype, bytes, divisor); // a prefix: examples [0, m) of the same bytes
    }

    /**
     * The examples at {@code indices}, in that order, with their labels: a copy (of the bytes, or of the tensor's
     * rows), so that the parts of a split share nothing. Labels must be class indices.
     */
    public DataSet select(int[] indices) {
        if (t.isOneHot()) {
            throw new IllegalArgumentException("selecting examples needs class-index labels, not one-hot rows");
        }
        int[] all = t.indices();
        int[] labels = new int[indices.length];
        int[] s = shape.clone();
        s[0] = indices.length;
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= size()) {
                throw new IndexOutOfBoundsException("example " + indices[i] + " of a data set of " + size());
            }
            labels[i] = all[indices[i]];
        }
        if (bytes != null) {
            byte[] picked = new byte[indices.length * features];
            for (int i = 0; i < indices.length; i++) {
                System.arraycopy(bytes, indices[i] * features, picked, i * features, features);
            }
            return new DataSet(null, Labels.of(labels), s, dtype, picked, divisor);
        }
        Tensor picked = Tensor.zeros(dtype, s);
        Tensor flat = picked.reshape(indices.length, features);
        for (int i = 0; i < indices.length; i++) {
            copyExample(indices[i], flat, i);
        }
        return new DataSet(picked, Labels.of(labels));
    }

    /**
     * Copies example {@code example} into row {@code row} of {@code into}, a tensor of this data set's dtype whose rows
     * hold {@link #features()} values each (a mini-batch buffer).
     */
    public void copyExample(int example, Tensor into, int row) {
        checkExample(example);
        checkBuffer(into, row, 1);
        copy(example, into, row);
    }

    /** {@link #copyExample} once the example and the buffer are checked. */
    private void copy(int example, Tensor into, int row) {
        if (bytes != null) {
            convert(example, 1, into, row * features);
        } else if (dtype == DType.FLOAT32) {
            System.arraycopy(x.floats(), x.offset() + example * features, into.floats(), into.offset()
                    + row * features, features);
        } else {
            System.arraycopy(x.doubles(), x.offset() + example * features, into.doubles(), into.offset()
                    + row * features, features);
        }
    }

    /**
     * Copies examples {@code indices[from … to)} into rows {@code from … to} of {@code into}, as {@link #copyExample}
     * does each. Examples drawn at random from a large data set lie in memory, not in a cache, and a copy that reads
     * them in turn waits for each; so it first reads one value from each cache line of each, loads that do not wait on
     * one another and are in flight together, and the copy then finds them in the cache.
     *
     * @throws IndexOutOfBoundsException if one of those indices is not an example of this data set
     */
    public void copyExamples(int[] indices, int from, int to, Tensor into) {
        checkBuffer(into, from, to - from);
        for (int i = from; i < to; i++) {
            checkExample(indices[i]);
        }
        touched = touch(indices, from, to);
        for (int i = from; i < to; i++) {
            copy(indices[i], into, i);
        }
    }

    private void checkExample(int example) {
        if (example < 0 || example >= size()) {
            throw new IndexOutOfBoundsException("example " + example + " of a data set of " + size());
        }
    }

    /**
     * Reads a value from each cache line of examples {@code indices[from … to)}, the first line of every example, then
     * the second, and so on (a little faster than example by example); their sum means nothing.
     */
    private int touch(int[] indices, int from, int to) {
        Tensor made = bytes == null ? x : null;
        int step = CACHE_LINE / (made == null ? 1 : dtype.bytes());
        int sum = 0;
        // Up to the last element, which starts one more line when the examples are not aligned to the lines.
        for (int at = 0; at < features + step - 1; at += step) {
            int element = Math.min(at, features - 1);
            for (int i = from; i < to; i++) {
                int index = indices[i] * features + element;
                if (made == null) {
                    sum += bytes[index];
                } else if (dtype == DType.FLOAT32) {
                    sum += (int) made.floats()[made.offset() + index];
                } else {
                    sum += (int) made.doubles()[made.offset() + index];
                }
            }
        }
        return sum;
    }

    /**
     * Examples {@code [from, to)} as a tensor: a view of {@link #x()} where it exists ({@link #hasTensor()});
     * otherwise converted into the first rows of {@code buffer} (of this data set's dtype and example shape, with at
     * least {@code to - from} rows) and a view of those.
     */
    public Tensor rows(int from, int to, Tensor buffer) {
        if (from < 0 || to > size() || from > to) {
            throw new IndexOutOfBoundsException("examples [" + from + ", " + to + ") of a data set of " + size());
        }
        Tensor made = x;
        if (made != null) {
            return made.rows(from, to);
        }
        if (buffer == null) {
            throw new IllegalArgumentException("examples stored as bytes need a buffer to be read into");
        }
        checkBuffer(buffer, 0, to - from);
        Tensor view = buffer.rows(0, to - from);
        convert(from, to - from, view, 0);
        return view;
    }

    /** Checks that rows {@code [row, row + count)} of {@code buffer} can take examples of this data set. */
    private void checkBuffer(Tensor buffer, int row, int count) {
        int bufferRows = buffer.rank() == 0 ? 0 : buffer.dim(0);
        if (buffer.dtype() != dtype || buffer.size() != bufferRows * features || row < 0 || row + count > bufferRows) {
            throw new IllegalArgumentException("cannot put " + count + " " + dtype + " examples of "
                    + Shapes.toString(Arrays.copyOfRange(shape, 1, shape.length)) + " at row " + row + " of a "
                    + buffer.dtype() + " tensor of shape " + Shapes.toString(buffer.shape()));
        }
    }

    /** Converts {@code count} examples from {@code example} into {@code into} from its element {@code at}. */
    private void convert(int example, int count, Tensor into, int at) {
        Kernels k = Kernels.get();
        if (dtype == DType.FLOAT32) {
            k.elementwise().fromUnsignedBytes(count * features, bytes, example * features, (float) divisor, into.floats(),
                    into.offset() + at);
        } else {
            k.elementwise().fromUnsignedBytes(count * features, bytes, example * features, divisor, into.doubles(),
                    into.offset() + at);
        }
    }
}
