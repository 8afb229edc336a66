package dev.layerwise.kernel;

import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * One call of a kernel that splits items {@code [0, n)} (elements, rows, images) into contiguous chunks over
 * {@link Parallel}, without allocating. A kernel family declares a small final subclass whose fields are the call's
 * arguments by name ({@code x, xOff, mask, out, outOff}); one instance per calling thread is reused, since a lambda
 * that captured the arguments would be a new object per call.
 *
 * <pre>{@code
 * ReluForward j = acquire(CURRENT, ReluForward::new);
 * j.x = x; j.xOff = xOff; j.mask = mask; j.out = out; j.outOff = outOff;
 * j.run(n, 1);
 * }</pre>
 *
 * <p>{@link #run} calls {@link #clear()} when it returns, so that a reused task keeps no array alive. A task started
 * from inside another one (a kernel called by a task) gets a fresh instance.
 */
public abstract class RangeTask implements IntConsumer {
    /**
     * Work (elements touched) below which a chunk is not worth a thread. An element-wise kernel's input was mostly
     * just written by a product split over the threads, half of it in each core's cache, and one thread alone reads
     * the other half across cores: the ReLU of batch inference's 1000×50 hidden outputs took more than twice as long
     * on one thread as on two, where over outputs all in one core's cache one thread was the faster.
     */
    private static final long MIN_TASK_WORK = 1 << 14;

    private boolean busy;
    private int n;
    private int tasks;

    protected RangeTask() {
    }

    /**
     * The calling thread's task from {@code current}, or a new one from {@code fresh} when that one is running (a
     * kernel called from inside a task); marked busy until {@link #run} returns.
     */
    public static <T extends RangeTask> T acquire(ThreadLocal<T> current, Supplier<T> fresh) {
        T t = current.get();
        if (((RangeTask) t).busy) {
            t = fresh.get();
        }
        ((RangeTask) t).busy = true;
        return t;
    }

    /** Items {@code [from, to)} of the call, on the calling thread. */
    protected abstract void range(int from, int to);

    /** Drops the call's array references. */
    protected abstract void clear();

    /**
     * Runs {@link #range} over items {@code [0, n)} of {@code workPerItem} each, in contiguous chunks (as many as
     * there are threads, each of at least {@link #MIN_TASK_WORK} work), then clears and releases the task.
     */
    public final void run(int n, long workPerItem) {
        try {
            int minItems = (int) Math.min(n, Math.max(1, MIN_TASK_WORK / Math.max(1, workPerItem)));
            int t = Parallel.chunks(n, minItems);
            if (t <= 1) {
                range(0, n);
            } else {
                this.n = n;
                this.tasks = t;
                Parallel.forEach(t, this);
            }
        } finally {
            clear();
            busy = false;
        }
    }

    @Override
    public final void accept(int t) {
        range(Parallel.chunkStart(t, tasks, n), Parallel.chunkStart(t + 1, tasks, n));
    }
}
