package dev.layerwise.data;

import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;

/**
 * Examples {@code x} (first dimension: one row per example) and their labels {@code t}, like the book's
 * {@code (x_train, t_train)} pair.
 */
public record DataSet(Tensor x, Labels t) {
    public DataSet {
        if (x.rank() < 1 || x.dim(0) != t.size()) {
            throw new IllegalArgumentException("data set of " + Shapes.toString(x.shape()) + " examples with "
                    + t.size() + " labels");
        }
    }

    /** The number of examples. */
    public int size() {
        return t.size();
    }

    /** The first {@code n} examples (views, no copy). */
    public DataSet head(int n) {
        int m = Math.min(n, size());
        int[] labels = java.util.Arrays.copyOf(t.indices(), m);
        return new DataSet(x.rows(0, m), t.isOneHot() ? Labels.oneHot(t.oneHotTensor().rows(0, m)) : Labels.of(labels));
    }

    /** Values per example ({@code 784} for flattened MNIST). */
    public int features() {
        return size() == 0 ? 0 : x.size() / size();
    }
}
