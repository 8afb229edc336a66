package dev.layerwise.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The ring all-reduce on loopback, workers as threads, without Spark: sums, bit-identical copies, bytes sent. */
class RingAllReduceTest {

    @ParameterizedTest
    @CsvSource({"2, 1000, FLOAT64", "3, 1001, FLOAT32", "4, 3, FLOAT64", "3, 0, FLOAT32", "1, 10, FLOAT64"})
    void everyWorkerEndsWithTheSumOfAll(int workers, int n, DType dtype) throws Exception {
        Tensor[] inputs = new Tensor[workers];
        double[] expected = new double[n];
        Rng rng = new Rng(7);
        for (int r = 0; r < workers; r++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = rng.nextGaussian();
            }
            inputs[r] = Tensor.of(dtype, v, n);
            for (int i = 0; i < n; i++) {
                expected[i] += inputs[r].getDouble(i);
            }
        }
        long[] sent = run(inputs);
        for (int r = 0; r < workers; r++) {
            for (int i = 0; i < n; i++) {
                assertEquals(expected[i], inputs[r].getDouble(i), dtype == DType.FLOAT32 ? 1e-5 : 1e-12,
                        "worker " + r + ", element " + i);
            }
            assertArrayEquals(Worker.digest(inputs[0]), Worker.digest(inputs[r]), "worker " + r + " differs from 0");
            // 2(N−1) chunks of about n/N values each
            int item = dtype == DType.FLOAT32 ? 4 : 8;
            long chunks = 2L * (workers - 1);
            assertEquals(true, sent[r] <= chunks * ((n + workers - 1) / workers) * item
                    && sent[r] >= chunks * (n / workers) * item, "worker " + r + " sent " + sent[r] + " bytes");
        }
    }

    /** Runs one sum per worker thread, the addresses exchanged through a barrier as allGather would. */
    private static long[] run(Tensor[] inputs) throws Exception {
        int n = inputs.length;
        AtomicReferenceArray<String> messages = new AtomicReferenceArray<>(n);
        CyclicBarrier barrier = new CyclicBarrier(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Long>> done = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int rank = r;
                done.add(pool.submit(() -> {
                    try (RingAllReduce ring = RingAllReduce.join(rank, n, "127.0.0.1", "job-token", msg -> {
                        messages.set(rank, msg);
                        await(barrier);
                        String[] all = new String[n];
                        for (int i = 0; i < n; i++) {
                            all[i] = messages.get(i);
                        }
                        return Arrays.asList(all);
                    }, 30_000)) {
                        ring.sum(inputs[rank]);
                        return ring.bytesSent();
                    }
                }));
            }
            long[] sent = new long[n];
            for (int r = 0; r < n; r++) {
                sent[r] = done.get(r).get();
            }
            return sent;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void await(CyclicBarrier b) {
        try {
            b.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
