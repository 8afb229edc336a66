package dev.layerwise.tensor;

import java.util.Arrays;

/**
 * Class labels for a batch, in either of the book's two forms: class indices ({@code t = [2, 7, …]}) or one-hot rows
 * ({@code t} of shape (N, C)). The class indices are always available; for one-hot labels they are the arg-max of each
 * row, as in the book's {@code cross_entropy_error}.
 *
 * <p>Labels made with {@link #of(int[])} wrap the array without copying it, so a trainer can refill one array per
 * mini-batch without allocating.
 */
public final class Labels {
    private final int[] indices;
    private final Tensor oneHot;

    private Labels(int[] indices, Tensor oneHot) {
        this.indices = indices;
        this.oneHot = oneHot;
    }

    /** Class indices (not copied). */
    public static Labels of(int... indices) {
        return new Labels(indices, null);
    }

    /** One-hot rows of shape (N, C); the class index of a row is its first maximum. */
    public static Labels oneHot(Tensor t) {
        if (t.rank() != 2) {
            throw new IllegalArgumentException("one-hot labels must be 2-D (N, classes), got shape "
                    + Shapes.toString(t.shape()));
        }
        int n = t.dim(0);
        int classes = t.dim(1);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int j = 1; j < classes; j++) {
                if (t.getDouble(i * classes + j) > t.getDouble(i * classes + best)) {
                    best = j;
                }
            }
            idx[i] = best;
        }
        return new Labels(idx, t);
    }

    /** The one-hot encoding (N, classes) of class indices, in the given dtype. */
    public static Tensor toOneHot(int[] indices, int classes, DType dtype) {
        Tensor t = Tensor.zeros(dtype, indices.length, classes);
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= classes) {
                throw new IllegalArgumentException("label " + indices[i] + " at row " + i + " is out of range for "
                        + classes + " classes");
            }
            t.setDouble(i * classes + indices[i], 1.0);
        }
        return t;
    }

    /** The number of labels. */
    public int size() {
        return indices.length;
    }

    /** The class indices (the array itself, not a copy). */
    public int[] indices() {
        return indices;
    }

    /** Whether these labels came as one-hot rows. */
    public boolean isOneHot() {
        return oneHot != null;
    }

    /** The one-hot rows these labels came as, or {@code null} for class indices. */
    public Tensor oneHotTensor() {
        return oneHot;
    }

    /**
     * Checks that there is one label per row and that each names one of {@code classes} classes.
     *
     * @throws IllegalArgumentException naming the offending row and label, or the two counts
     */
    public void check(int rows, int classes, String who) {
        if (indices.length != rows) {
            throw new IllegalArgumentException(who + ": " + indices.length + " labels for " + rows + " rows");
        }
        if (oneHot != null) {
            if (oneHot.dim(1) != classes) {
                throw new IllegalArgumentException(who + ": one-hot labels of shape "
                        + Shapes.toString(oneHot.shape()) + " for " + classes + " classes");
            }
            return;
        }
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= classes) {
                throw new IllegalArgumentException(who + ": label " + indices[i] + " at row " + i
                        + " is out of range for " + classes + " classes");
            }
        }
    }

    @Override
    public String toString() {
        return "Labels(" + indices.length + (oneHot != null ? ", one-hot" : "") + ", "
                + Arrays.toString(Arrays.copyOf(indices, Math.min(indices.length, 8)))
                + (indices.length > 8 ? "…" : "") + ")";
    }
}
