package dev.layerwise.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.data.DataContract;
import dev.layerwise.model.Model;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * How two workers form batches while one of them is busy. A worker counts as running a batch until its answers are
 * written, so a test holds a worker in that state by blocking its completion.
 */
class BatcherTest {
    /** Far longer than any step of a test takes, so that a batch that runs before it expires did not wait for it. */
    private static final Duration WINDOW = Duration.ofSeconds(60);
    private static final Model MODEL = Model.of(new TwoLayerNet(784, 50, 10)).withContract(DataContract.mnist());

    /** Completions that block, in turn, on the latches queued here; the rest run freely. */
    private final ConcurrentLinkedQueue<CountDownLatch> blocks = new ConcurrentLinkedQueue<>();
    private final Consumer<Runnable> completions = answers -> {
        answers.run();
        CountDownLatch block = blocks.poll();
        if (block != null) {
            try {
                block.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    };

    private Batcher batcher() {
        return new Batcher(MODEL, ServeOptions.defaults().withWorkers(2).withBatching(WINDOW, 64), new Metrics(),
                completions);
    }

    /** Occupies a worker: a full batch runs at once, and its completion blocks until {@code block} is released. */
    private Batcher.Job occupy(Batcher b, CountDownLatch block) throws Exception {
        blocks.add(block);
        Batcher.Job job = b.submit(ServerTest.inputs(64, 3), 64, false);
        assertTrue(waitUntil(() -> job.answer.isDone(), 10_000), "a full batch runs at once");
        return job;
    }

    private static List<Batcher.Job> submit(Batcher b, int n, long seed) {
        List<Batcher.Job> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            jobs.add(b.submit(ServerTest.inputs(1, seed + i), 1, false));
        }
        return jobs;
    }

    private static long done(List<Batcher.Job> jobs) {
        return jobs.stream().filter(j -> j.answer.isDone()).count();
    }

    private static boolean waitUntil(java.util.function.BooleanSupplier condition, long millis) throws Exception {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(2);
        }
        return true;
    }

    @Test
    void whileAnotherWorkerRunsAFewRequestsWaitForAFullChunk() throws Exception {
        CountDownLatch busy = new CountDownLatch(1);
        try (Batcher b = batcher()) {
            occupy(b, busy);
            List<Batcher.Job> few = submit(b, Replica.FULL_CHUNK - 1, 10);
            Thread.sleep(200);
            assertEquals(0, done(few), "with another worker running, a few requests wait for company");
            List<Batcher.Job> all = new ArrayList<>(few);
            all.addAll(submit(b, 1, 20));
            assertTrue(waitUntil(() -> done(all) == all.size(), 10_000), "a full chunk runs at once");
            busy.countDown();
        }
    }

    @Test
    void aWaitingBatchRunsOnceNoOtherWorkerRuns() throws Exception {
        CountDownLatch busy = new CountDownLatch(1);
        try (Batcher b = batcher()) {
            occupy(b, busy);
            List<Batcher.Job> few = submit(b, 3, 10);
            Thread.sleep(200);
            assertEquals(0, done(few));
            busy.countDown();
            assertTrue(waitUntil(() -> done(few) == few.size(), 10_000),
                    "the cores are free: no wait for the window");
        }
    }

    @Test
    void aRaggedRemainderLeadsTheNextBatch() throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch second = new CountDownLatch(1);
        try (Batcher b = batcher()) {
            occupy(b, first);
            occupy(b, second);
            // Both workers run: these queue, and the worker released next finds them all at once.
            List<Batcher.Job> jobs = submit(b, Replica.FULL_CHUNK + 3, 10);
            second.countDown();
            assertTrue(waitUntil(() -> done(jobs) >= Replica.FULL_CHUNK, 10_000), "a full chunk runs");
            Thread.sleep(200);
            List<Batcher.Job> oldest = jobs.subList(0, Replica.FULL_CHUNK);
            assertEquals(Replica.FULL_CHUNK, done(oldest), "the oldest run first");
            assertEquals(Replica.FULL_CHUNK, done(jobs), "the remainder waits for company");
            first.countDown();
            assertTrue(waitUntil(() -> done(jobs) == jobs.size(), 10_000));
        }
    }

    @Test
    void withTheOtherWorkersIdleALoneRequestRunsOnceAnotherJoinsIt() throws Exception {
        try (Batcher b = batcher()) {
            List<Batcher.Job> jobs = submit(b, 2, 10);
            assertTrue(waitUntil(() -> done(jobs) == jobs.size(), 10_000));
        }
    }

    @Test
    void everyAnswerIsTheModels() throws Exception {
        CountDownLatch busy = new CountDownLatch(1);
        try (Batcher b = batcher()) {
            occupy(b, busy);
            List<Batcher.Job> jobs = submit(b, Replica.FULL_CHUNK + 3, 30);
            busy.countDown();
            assertTrue(waitUntil(() -> done(jobs) == jobs.size(), 10_000));
            for (int i = 0; i < jobs.size(); i++) {
                int[] shape = new int[] {1, 1, 28, 28};
                Tensor t = Tensor.of(DType.FLOAT32, ServerTest.inputs(1, 30 + i), shape);
                Replica.Answer a = (Replica.Answer) jobs.get(i).answer.get();
                assertArrayEquals(MODEL.classify(t), a.classes(), "job " + i);
                assertArrayEquals(MODEL.probabilities(t).toDoubleArray(), a.probabilities(), 1e-6, "job " + i);
            }
        }
    }
}
