package dev.layerwise.train;

import dev.layerwise.data.DataSet;
import dev.layerwise.kernel.Parallel;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;
import java.util.function.IntConsumer;

/**
 * A mini-batch gathered from a data set into buffers that are reused from one batch to the next: the book's
 * {@code x_train[batch_mask]}, {@code t_train[batch_mask]} without allocating.
 */
public final class MiniBatch {
    /** Elements copied below which a chunk of rows is not worth a thread. */
    private static final int MIN_TASK_FLOATS = 1 << 15;

    private final DataSet data;
    private final int rowSize;
    private final Tensor x;
    private final int[] t;
    private final Labels labels;
    /** The copy of a chunk of rows, made once: a lambda per call would allocate. */
    private final IntConsumer copyRows = this::copyRows;
    private int[] indices;
    private int tasks;

    /** Buffers for batches of {@code batchSize} rows of {@code data}. */
    public MiniBatch(DataSet data, int batchSize) {
        this.data = data;
        this.rowSize = data.features();
        int[] shape = data.shape();
        shape[0] = batchSize;
        this.x = Tensor.zeros(data.dtype(), shape);
        this.t = new int[batchSize];
        this.labels = Labels.of(t);
    }

    /**
     * Copies the rows {@code indices[0 … batchSize)} of the data set into the buffers, the rows split over the kernel
     * threads: the copy waits on memory (rows drawn at random from the whole set), and each thread then finds its rows
     * in its own cache when the first layer's product splits the batch the same way.
     *
     * @throws IllegalArgumentException if fewer than {@code batchSize} indices are given or one is out of range
     */
    public void gather(int[] indices) {
        if (indices.length < t.length) {
            throw new IllegalArgumentException("a batch of " + t.length + " needs as many indices, got "
                    + indices.length);
        }
        int size = data.size();
        for (int i = 0; i < t.length; i++) {
            if (indices[i] < 0 || indices[i] >= size) {
                throw new IllegalArgumentException("index " + indices[i] + " is outside the data set of " + size);
            }
        }
        this.indices = indices;
        try {
            tasks = Parallel.chunks(t.length, Math.max(1, MIN_TASK_FLOATS / rowSize));
            Parallel.forEach(tasks, copyRows);
        } finally {
            this.indices = null;
        }
    }

    /** Rows {@code [task·batch/tasks, (task+1)·batch/tasks)} of the last {@link #gather}. */
    private void copyRows(int task) {
        int from = Parallel.chunkStart(task, tasks, t.length);
        int to = Parallel.chunkStart(task + 1, tasks, t.length);
        data.copyExamples(indices, from, to, x);
        int[] all = data.t().indices();
        for (int i = from; i < to; i++) {
            t[i] = all[indices[i]];
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
