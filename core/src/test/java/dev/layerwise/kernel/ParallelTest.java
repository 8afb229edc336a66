package dev.layerwise.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.testing.TwoKernelThreads;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The kernels' thread pool: every task run once, and {@link Parallel#withHelpersIdle} keeping the helpers out. */
@ExtendWith(TwoKernelThreads.class)
class ParallelTest {
    /**
     * The threads that ran the tasks of one {@code forEach} of {@code tasks} tasks, each run exactly once and taking
     * half a millisecond: long enough for a helper to take its share.
     */
    private static Set<Thread> runners(int tasks) {
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        AtomicInteger[] runs = new AtomicInteger[tasks];
        for (int i = 0; i < tasks; i++) {
            runs[i] = new AtomicInteger();
        }
        Parallel.forEach(tasks, i -> {
            runs[i].incrementAndGet();
            threads.add(Thread.currentThread());
            long start = System.nanoTime();
            while (System.nanoTime() - start < 500_000) {
                Thread.onSpinWait();
            }
        });
        for (int i = 0; i < tasks; i++) {
            assertEquals(1, runs[i].get(), "task " + i);
        }
        return threads;
    }

    @Test
    void withTheHelpersIdleEveryCallRunsOnItsOwnThread() throws Exception {
        Set<Thread> other = ConcurrentHashMap.newKeySet();
        Thread[] otherThread = new Thread[1];
        Set<Thread> own = Parallel.withHelpersIdle(() -> {
            Thread t = new Thread(() -> other.addAll(runners(64)), "other-caller");
            otherThread[0] = t;
            t.start();
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            Set<Thread> nested = Parallel.withHelpersIdle(() -> runners(64)); // calls may nest
            Set<Thread> mine = runners(64);
            mine.addAll(nested);
            return mine;
        });
        assertEquals(Set.of(Thread.currentThread()), own);
        assertEquals(Set.of(otherThread[0]), other);
    }

    @Test
    void afterwardsTheHelpersWorkAgain() throws Exception {
        Parallel.withHelpersIdle(() -> runners(8));
        // Two tasks that can only finish together: the caller alone would wait for the barrier in vain.
        CyclicBarrier both = new CyclicBarrier(2);
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        Parallel.forEach(2, i -> {
            threads.add(Thread.currentThread());
            try {
                both.await(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("task " + i + " ran alone", e);
            }
        });
        assertEquals(2, threads.size());
        assertTrue(threads.contains(Thread.currentThread()));
    }
}
