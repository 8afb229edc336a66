package dev.layerwise.tensor;

/** Shape arithmetic and formatting shared by tensors, layers and file readers. */
public final class Shapes {
    private Shapes() {
    }

    /** The number of elements of {@code shape}, or an exception if it does not fit in an {@code int}. */
    public static int size(int... shape) {
        long n = 1;
        for (int dim : shape) {
            n *= dim;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + toString(shape) + " has more than "
                        + Integer.MAX_VALUE + " elements");
            }
        }
        return (int) n;
    }

    /** A copy of {@code shape} after checking that no dimension is negative. */
    public static int[] checked(int... shape) {
        for (int dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + toString(shape));
            }
        }
        int[] copy = shape.clone();
        size(copy);
        return copy;
    }

    /** {@code shape} with a {@code -1} replaced so that it holds {@code size} elements. */
    static int[] infer(int[] shape, int size) {
        int[] s = shape.clone();
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1 && unknown < 0) {
                unknown = i;
            } else if (s[i] < 0) {
                throw new IllegalArgumentException("invalid shape " + toString(shape));
            } else {
                known *= s[i];
            }
        }
        if (unknown >= 0) {
            if (known == 0 || size % known != 0) {
                throw new IllegalArgumentException("cannot reshape " + size + " elements to " + toString(shape));
            }
            s[unknown] = (int) (size / known);
        } else if (known != size) {
            throw new IllegalArgumentException("cannot reshape " + size + " elements to " + toString(shape));
        }
        return s;
    }

    /** NumPy's notation: {@code (100, 784)}, {@code (10,)}, {@code ()}. */
    public static String toString(int... shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(shape[i]);
        }
        if (shape.length == 1) {
            sb.append(',');
        }
        return sb.append(')').toString();
    }
}
