package dev.layerwise.serve;

import dev.layerwise.kernel.Parallel;
import dev.layerwise.model.Model;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs inference on worker threads, each with its own {@link Replica}, and groups concurrent requests into batches
 * (dynamic batching, as TensorFlow Serving and Triton do): a worker takes the oldest request and whatever else is
 * queued, up to the maximum batch, and runs them at once; only when nothing else is queued does it wait, up to the
 * batch window from that request's arrival, for more to join. A batch of many examples costs little more than one (one
 * matrix product instead of many vector products), so under load the throughput approaches that of large in-process
 * batches; when idle a request waits at most the window.
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

    private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private final int[] exampleShape;
    private final DType dtype;
    private final long windowNanos;
    private final int maxBatch;
    private final Metrics metrics;
    private final Consumer<Runnable> completions;
    private volatile boolean closed;

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
                first = carried != null ? carried : queue.take();
            } catch (InterruptedException e) {
                return;
            }
            carried = null;
            if (first == STOP) {
                return;
            }
            if (first.answer.isDone()) {
                continue;   // timed out while queued
            }
            if (first.layers) {
                runLayers(replica, first);
                continue;
            }
            batch.clear();
            batch.add(first);
            int rows = first.rows;
            // Whatever is queued now joins at once: under load the queue is the window, and waiting would only add
            // latency. A worker that finds nothing else waits for company, up to the window from the first arrival.
            boolean waited = false;
            while (rows < maxBatch) {
                Job next = queue.poll();
                if (next == null) {
                    long wait = first.arrived + windowNanos - System.nanoTime();
                    if (batch.size() > 1 || waited || wait <= 0) {
                        break;
                    }
                    try {
                        next = queue.poll(wait, TimeUnit.NANOSECONDS);
                    } catch (InterruptedException e) {
                        break;
                    }
                    waited = true;
                    if (next == null) {
                        break;
                    }
                }
                if (next == STOP || next.layers || rows + next.rows > maxBatch) {
                    carried = next;
                    break;
                }
                if (!next.answer.isDone()) {
                    batch.add(next);
                    rows += next.rows;
                }
            }
            run(replica, batch, rows);
        }
    }

    private void run(Replica replica, List<Job> batch, int rows) {
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
