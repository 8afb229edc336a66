package dev.layerwise.train;

import dev.layerwise.data.DataSet;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;

/**
 * A mini-batch gathered from a data set into buffers that are reused from one batch to the next: the book's
 * {@code x_train[batch_mask]}, {@code t_train[batch_mask]} without allocating.
 */
public final class MiniBatch {
    private final DataSet data;
    private final int rowSize;
    private final Tensor x;
    private final int[] t;
    private final Labels labels;

    /** Buffers for batches of {@code batchSize} rows of {@code data}. */
    public MiniBatch(DataSet data, int batchSize) {
        this.data = data;
        this.rowSize = data.features();
        int[] shape = data.x().shape();
        shape[0] = batchSize;
        this.x = Tensor.zeros(data.x().dtype(), shape);
        this.t = new int[batchSize];
        this.labels = Labels.of(t);
    }

    /** Copies the rows {@code indices[0 … batchSize)} of the data set into the buffers. */
    public void gather(int[] indices) {
        Tensor src = data.x();
        int[] all = data.t().indices();
        for (int i = 0; i < t.length; i++) {
            int row = indices[i];
            if (src.dtype() == DType.FLOAT32) {
                System.arraycopy(src.floats(), src.offset() + row * rowSize, x.floats(), i * rowSize, rowSize);
            } else {
                System.arraycopy(src.doubles(), src.offset() + row * rowSize, x.doubles(), i * rowSize, rowSize);
            }
            t[i] = all[row];
        }
    }

    /** The examples of the last {@link #gather}. */
    public Tensor x() {
        return x;
    }

    /** Their labels (class indices). */
    public Labels t() {
        return labels;
    }
}
