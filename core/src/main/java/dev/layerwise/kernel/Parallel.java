package dev.layerwise.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * Runs the independent tasks of one kernel call on a few dedicated threads, with low overhead for small kernels.
 *
 * <p>A kernel splits its output into tasks (blocks of rows, images of a batch, …) and calls
 * {@link #forEach(int, IntConsumer)}. The calling thread works too; the {@code threads - 1} helper threads spin for a
 * short while after each job before they park, so that the next kernel of a training step finds them awake: a
 * fork-join round trip per call would cost more than the gain on products that take tens of microseconds.
 *
 * <p><b>Determinism</b>: tasks must write disjoint outputs and never split a reduction, so the result does not depend
 * on which thread ran which task, nor on the thread count.
 *
 * <p>A call made while the pool is busy (from a task, or from a second application thread) runs its tasks inline on
 * the calling thread: correct, just not parallel.
 */
public final class Parallel {
    /** How long a helper spins for the next job before it parks, in nanoseconds. */
    private static final long SPIN_NANOS = 200_000;

    private static volatile Pool pool = new Pool(defaultThreads());
    /** The threads in {@link #withHelpersIdle}. */
    private static final AtomicInteger IDLERS = new AtomicInteger();

    private Parallel() {
    }

    /** The thread count used by the kernels: the number of available processors unless {@link #setThreads} says. */
    public static int threads() {
        return pool.threads;
    }

    /**
     * Sets how many threads kernels use (the caller included); 1 runs everything on the calling thread.
     *
     * @throws IllegalArgumentException if {@code threads} is below 1
     */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (threads != pool.threads) {
            Pool old = pool;
            pool = new Pool(threads);
            old.shutdown();
        }
    }

    /**
     * Runs {@code task.accept(i)} for every {@code i} in {@code [0, tasks)}, spread over the threads, and returns when
     * all are done. A task's exception is rethrown here after all tasks have finished.
     */
    public static void forEach(int tasks, IntConsumer task) {
        if (tasks <= 0) {
            return;
        }
        Pool p = pool;
        if (tasks == 1 || p.threads == 1 || IDLERS.get() > 0 || !p.tryAcquire()) {
            for (int i = 0; i < tasks; i++) {
                task.accept(i);
            }
            return;
        }
        try {
            p.run(tasks, task);
        } finally {
            p.release();
        }
    }

    /**
     * Runs {@code work} on the calling thread while the helper threads stay out of every kernel call started meanwhile,
     * its own and any other thread's: each runs its tasks inline, on the thread that made it. For two threads that
     * should have a core each, such as an evaluation beside training, where a helper spinning beside both would only
     * compete with them. The results are the same as ever (see Determinism above). Several threads may be in here at
     * once; the helpers come back when the last one leaves.
     */
    public static <T> T withHelpersIdle(Supplier<T> work) {
        IDLERS.incrementAndGet();
        try {
            return work.get();
        } finally {
            IDLERS.decrementAndGet();
        }
    }

    /**
     * The first item of chunk {@code chunk} when {@code n} items are cut into {@code chunks} contiguous chunks of
     * nearly equal size; chunk {@code c} is {@code [chunkStart(c, chunks, n), chunkStart(c + 1, chunks, n))}.
     */
    public static int chunkStart(int chunk, int chunks, int n) {
        return (int) ((long) chunk * n / chunks);
    }

    /** Splits {@code n} items into at most {@code threads()} chunks of at least {@code minChunk} items. */
    public static int chunks(int n, int minChunk) {
        int byWork = Math.max(1, n / Math.max(1, minChunk));
        return Math.min(byWork, threads());
    }

    private static int defaultThreads() {
        String forced = System.getProperty("layerwise.threads");
        if (forced != null) {
            try {
                int n = Integer.parseInt(forced.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the processor count
            }
            System.err.println("layerwise: ignoring -Dlayerwise.threads=" + forced + " (expected a whole number >= 1)");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * The helper threads and the job they share. The job's state is one long, {@code epoch << 32 | next task}: a helper
     * claims a task by a compare-and-set that fails as soon as the state has moved on. A new job first closes the
     * state ({@link #CLOSED}, a new epoch with no task to claim), then sets its body and task count, and only then
     * opens it. A helper late from the last job, which read that job's state before the body and count changed, would
     * otherwise claim a task of the new job from the old state, running one of its tasks twice and counting it done
     * twice, so that the job could end while a task still ran (a product's blocks added twice into C).
     */
    private static final class Pool {
        /** The next task of a job being set up: past any task count, so no helper claims one. */
        private static final int CLOSED = Integer.MAX_VALUE;

        final int threads;
        private final Thread[] helpers;
        private final AtomicIntegerArray parked;
        private final AtomicLong state = new AtomicLong();
        private final AtomicInteger done = new AtomicInteger();
        private final AtomicInteger busy = new AtomicInteger();
        private volatile boolean running = true;
        private volatile IntConsumer body;
        private volatile int tasks;
        private volatile Throwable failure;

        Pool(int threads) {
            this.threads = threads;
            this.helpers = new Thread[threads - 1];
            this.parked = new AtomicIntegerArray(threads - 1);
            for (int i = 0; i < helpers.length; i++) {
                int id = i;
                Thread t = new Thread(() -> helperLoop(id), "layerwise-kernel-" + (i + 1));
                t.setDaemon(true);
                helpers[i] = t;
                t.start();
            }
        }

        boolean tryAcquire() {
            return busy.compareAndSet(0, 1);
        }

        void release() {
            busy.set(0);
        }

        void run(int n, IntConsumer task) {
            long epoch = (state.get() >>> 32) + 1;
            state.set(epoch << 32 | CLOSED);
            body = task;
            tasks = n;
            failure = null;
            done.set(0);
            state.set(epoch << 32);
            for (int i = 0; i < helpers.length; i++) {
                if (parked.get(i) != 0) {
                    LockSupport.unpark(helpers[i]);
                }
            }
            work(epoch);
            while (done.get() < n) {
                Thread.onSpinWait();
            }
            body = null;
            Throwable t = failure;
            if (t instanceof RuntimeException) {
                throw (RuntimeException) t;
            } else if (t instanceof Error) {
                throw (Error) t;
            } else if (t != null) {
                throw new IllegalStateException(t);
            }
        }

        /** Claims and runs tasks of job {@code epoch} until none is left. */
        private void work(long epoch) {
            while (true) {
                long s = state.get();
                if ((s >>> 32) != epoch) {
                    return;
                }
                if ((int) s == CLOSED) {
                    Thread.onSpinWait(); // the job is being set up
                    continue;
                }
                IntConsumer b = body;
                int n = tasks;
                int next = (int) s;
                if (next >= n) {
                    return;
                }
                if (!state.compareAndSet(s, s + 1)) {
                    continue;
                }
                try {
                    b.accept(next);
                } catch (Throwable t) {
                    if (failure == null) {
                        failure = t;
                    }
                } finally {
                    done.incrementAndGet();
                }
            }
        }

        private void helperLoop(int id) {
            long seen = 0;
            while (running) {
                long spinStart = System.nanoTime();
                long epoch;
                while ((epoch = state.get() >>> 32) == seen && running) {
                    if (System.nanoTime() - spinStart < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        parked.set(id, 1);
                        if ((state.get() >>> 32) == seen && running) {
                            LockSupport.park(this);
                        }
                        parked.set(id, 0);
                        spinStart = System.nanoTime();
                    }
                }
                seen = epoch;
                work(epoch);
            }
        }

        void shutdown() {
            running = false;
            for (Thread t : helpers) {
                LockSupport.unpark(t);
            }
        }
    }
}
