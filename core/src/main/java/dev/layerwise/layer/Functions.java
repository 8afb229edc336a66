package dev.layerwise.layer;

import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Ops;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;

/**
 * The book's {@code common/functions.py}: stand-alone softmax and cross-entropy error. Both return new values and
 * leave their arguments unchanged.
 */
public final class Functions {
    /** The δ added inside the logarithm of the cross-entropy error, as in the book: {@code log(y + 1e-7)}. */
    public static final double DELTA = 1e-7;

    private Functions() {
    }

    /**
     * Softmax of a vector {@code (C)} or of each row of a matrix {@code (N, C)}, with the maximum subtracted first so
     * that large inputs do not overflow. Returns a new tensor of the same shape.
     */
    public static Tensor softmax(Tensor x) {
        if (x.rank() != 1 && x.rank() != 2) {
            throw new IllegalArgumentException("softmax takes a vector or a matrix, got shape "
                    + Shapes.toString(x.shape()));
        }
        Tensor x2 = x.rank() == 1 ? x.reshape(1, x.size()) : x;
        Tensor y = Tensor.zeros(x.dtype(), x2.shape());
        Ops.softmaxRows(x2, y);
        return x.rank() == 1 ? y.reshape(x.size()) : y;
    }

    /**
     * Mean cross-entropy error {@code −Σ log(y[i, t_i] + 1e-7) / N} of probabilities {@code y} ({@code (C)} or
     * {@code (N, C)}) against labels {@code t} (one per row, indices or one-hot).
     */
    public static double crossEntropyError(Tensor y, Labels t) {
        if (y.rank() != 1 && y.rank() != 2) {
            throw new IllegalArgumentException("cross-entropy takes a vector or a matrix, got shape "
                    + Shapes.toString(y.shape()));
        }
        int n = y.rank() == 1 ? 1 : y.dim(0);
        int classes = y.dim(-1);
        t.check(n, classes, "crossEntropyError");
        int[] idx = t.indices();
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.log(y.getDouble(i * classes + idx[i]) + DELTA);
        }
        return -sum / n;
    }
}
