package dev.layerwise.serve;

import dev.layerwise.kernel.Parallel;
import dev.layerwise.model.Model;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Runs inference on worker threads, each with its own {@link Replica}, and groups concurrent requests into batches
 * (dynamic batching, as TensorFlow Serving and Triton do): one worker at a time takes the oldest request and whatever
 * else is queued, up to the maximum batch, and runs them. With the other workers idle it runs them at once, and only a
 * lone request waits, up to the batch window from its arrival, for more to join; while another worker runs a batch, it
 * waits up to the window for a chunk's worth (see {@link #gather}). A batch of many examples costs little more than
 * one (one matrix product instead of many vector products), so under load the throughput approaches that of large
 * in-process batches; when idle a request waits at most the window.
 */
final class Batcher implements AutoCloseable {
    /** One request's examples, row-major, and where its answer goes. */
    static final class Job {
        final double[] x;
        final int rows;
        final boolean layers;
        final long arrived = System.nanoTime();
        final CompletableFuture<Object> answer = new CompletableFuture<>();

        Job(double[] x, int rows, boolean layers) {
            this.x = x;
            this.rows = rows;
            this.layers = layers;
        }
    }

    private static final Job STOP = new Job(new double[0], 0, false);
    /** Wakes a worker that waits for company once no other worker runs a batch. */
    private static final Job WAKE = new Job(new double[0], 0, false);

    private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private final int[] exampleShape;
    private final DType dtype;
    private final long windowNanos;
    private final int maxBatch;
    private final Metrics metrics;
    private final Consumer<Runnable> completions;
    private volatile boolean closed;
    /** One worker at a time forms a batch, so that two never split the waiting requests between them. */
    private final ReentrantLock gathering = new ReentrantLock();
    /** Requests left out of the last batch, to lead the next; guarded by {@code gathering}. */
    private final ArrayDeque<Job> heldBack = new ArrayDeque<>();
    /** Workers running a batch, from the end of its gathering to the last of its answers. */
    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean gathererWaits;

    /**
     * {@code completions} runs the completion of each batch's jobs, which writes their answers, so that it can do what
     * those writes hand on once they are all written ({@link ServerThreads#answeringBatch}).
     */
    Batcher(Model model, ServeOptions options, Metrics metrics, Consumer<Runnable> completions) {
        this.exampleShape = model.contract().exampleShape();
        this.dtype = model.network().dtype();
        this.windowNanos = options.batching() ? options.batchWindow().toNanos() : 0;
        this.maxBatch = options.batching() ? options.maxBatch() : 1;
        this.metrics = metrics;
        this.completions = completions;
        // Several workers are the parallelism: each runs its kernels on its own thread, and the kernels' helper threads
        // stay out, where they would only compete with the workers for the cores. A single worker lends them its
        // batches.
        boolean ownCores = options.workers() > 1;
        for (int i = 0; i < options.workers(); i++) {
            Replica replica = new Replica(model);
            Runnable loop = () -> work(replica);
            Thread t = new Thread(ownCores ? () -> Parallel.withHelpersIdle(() -> {
                loop.run();
                return null;
            }) : loop, "layerwise-inference-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    /** Queues a job; its future completes with a {@link Replica.Answer}, or a list of layer outputs for a layers job. */
    Job submit(double[] x, int rows, boolean layers) {
        Job job = new Job(x, rows, layers);
        if (closed) {
            job.answer.completeExceptionally(new IllegalStateException("the server is shutting down"));
        } else {
            queue.add(job);
        }
        return job;
    }

    private void work(Replica replica) {
        Job carried = null;
        List<Job> batch = new ArrayList<>();
        while (true) {
            Job first;
            try {
                gathering.lockInterruptibly();
            } catch (InterruptedException e) {
                return;
            }
            try {
                first = carried != null ? carried : heldBack.isEmpty() ? queue.take() : heldBack.poll();
                carried = null;
                if (first == STOP) {
                    return;
                }
                if (first == WAKE || first.answer.isDone()) {
                    continue;   // a wake-up that came too late, or a job that timed out while queued
                }
                if (!first.layers) {
                    carried = gather(first, batch);
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                gathering.unlock();
            }
            running.incrementAndGet();
            try {
                if (first.layers) {
                    runLayers(replica, first);
                } else {
                    run(replica, batch);
                }
            } finally {
                // The gatherer may be waiting for company because this worker kept the other core busy; with the
                // cores now free, it had better run what it has.
                if (running.decrementAndGet() == 0 && gathererWaits) {
                    queue.add(WAKE);
                }
            }
        }
    }

    /**
     * Fills {@code batch} with {@code first} and the jobs that join it; returns the job that must wait for a later
     * batch (one that would overflow this one, a layers job or STOP), or null. Runs holding {@code gathering}.
     *
     * <p>Whatever is queued joins at once: under load the queue is the window. How long to wait for more depends on
     * the other workers. With none of them running, the cores are free and waiting would only add latency, so only a
     * lone request waits for company, up to the window from its arrival. While another runs a batch, a worker that
     * ran the first few requests to arrive would pay for a batch, its wake-ups and its chunks smaller than
     * {@link Replica#FULL_CHUNK}, which cost more an example, for a handful of examples, and leave the next arrivals to
     * the other worker's next batch, as small: it waits instead, up to the window, until it has a full chunk, and
     * leaves a ragged remainder past whole chunks to lead the next batch. Once no other worker runs, it runs what it
     * has.
     */
    private Job gather(Job first, List<Job> batch) {
        batch.clear();
        batch.add(first);
        int rows = first.rows;
        boolean waited = false;
        Job carry = null;
        while (rows < maxBatch) {
            Job next = heldBack.isEmpty() ? queue.poll() : heldBack.poll();
            if (next == null) {
                long wait = first.arrived + windowNanos - System.nanoTime();
                // Set before reading running, and running is decremented before this is read: a worker that ends
                // its batch either is seen running here or sees this and sends WAKE.
                gathererWaits = true;
                boolean othersRun = running.get() > 0;
                if (wait <= 0 || (othersRun ? rows >= Replica.FULL_CHUNK : batch.size() > 1 || waited)) {
                    gathererWaits = false;
                    break;
                }
                try {
                    next = queue.poll(wait, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    break;
                } finally {
                    gathererWaits = false;
                }
                waited = true;
                if (next == null) {
                    break;
                }
            }
            if (next == WAKE) {
                continue;
            }
            if (next == STOP || next.layers || rows + next.rows > maxBatch) {
                carry = next;
                break;
            }
            if (!next.answer.isDone()) {
                batch.add(next);
                rows += next.rows;
            }
        }
        if (running.get() > 0 && !closed) {
            int ragged = rows % Replica.FULL_CHUNK;
            while (ragged > 0 && rows > Replica.FULL_CHUNK && batch.size() > 1
                    && batch.get(batch.size() - 1).rows <= ragged) {
                Job last = batch.remove(batch.size() - 1);
                rows -= last.rows;
                ragged -= last.rows;
                heldBack.addFirst(last);
            }
        }
        return carry;
    }

    private void run(Replica replica, List<Job> batch) {
        int rows = 0;
        for (Job j : batch) {
            rows += j.rows;
        }
        try {
            List<double[]> parts = new ArrayList<>(batch.size());
            for (Job j : batch) {
                parts.add(j.x);
            }
            Replica.Answer a = replica.predict(parts, rows);
            metrics.batch(rows);
            completions.accept(() -> {
                int row = 0;
                for (Job j : batch) {
                    int[] classes = Arrays.copyOfRange(a.classes(), row, row + j.rows);
                    double[] probs = Arrays.copyOfRange(a.probabilities(), row * a.classCount(),
                            (row + j.rows) * a.classCount());
                    j.answer.complete(new Replica.Answer(classes, probs, a.classCount()));
                    row += j.rows;
                }
            });
        } catch (RuntimeException e) {
            batch.forEach(j -> j.answer.completeExceptionally(e));
        }
    }

    private void runLayers(Replica replica, Job job) {
        try {
            List<Replica.LayerOutput> layers = replica.layers(Tensor.of(dtype, job.x, shape(1)));
            Replica.Answer a = replica.predict(job.x, 1);
            metrics.batch(1);
            job.answer.complete(new Object[] {a, layers});
        } catch (RuntimeException e) {
            job.answer.completeExceptionally(e);
        }
    }

    private int[] shape(int rows) {
        int[] s = new int[exampleShape.length + 1];
        s[0] = rows;
        System.arraycopy(exampleShape, 0, s, 1, exampleShape.length);
        return s;
    }

    /** Finishes the queued jobs, then stops the workers. */
    @Override
    public void close() {
        closed = true;
        for (int i = 0; i < threads.size(); i++) {
            queue.add(STOP);
        }
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
