package dev.layerwise.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.testing.TwoKernelThreads;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
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

    /**
     * Jobs of alternately few and many tasks, back to back, on more threads than this machine has cores (so that a
     * thread is often preempted between two steps of a hand-over): each task of each job runs exactly once, and none
     * still runs when its job returns. A helper late from a short job must not claim a task of the next, longer job
     * against the short job's state: that task would run twice, and the job would end before it.
     */
    @Test
    void backToBackJobsRunEachTaskOnceAndFinishBeforeReturning() {
        int threads = Runtime.getRuntime().availableProcessors() + 2;
        Parallel.setThreads(threads);
        AtomicIntegerArray last = null;
        for (int job = 0; job < 400_000; job++) {
            int tasks = job % 2 == 0 ? 1 + job / 2 % threads : threads + 1 + job / 2 % threads;
            AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
            AtomicInteger running = new AtomicInteger();
            Parallel.forEach(tasks, i -> {
                running.incrementAndGet();
                runs.incrementAndGet(i);
                running.decrementAndGet();
            });
            assertEquals(0, running.get(), "job " + job + ": a task still ran after the job returned");
            for (int i = 0; i < tasks; i++) {
                assertEquals(1, runs.get(i), "job " + job + ", task " + i + " of " + tasks);
            }
            if (last != null) {
                for (int i = 0; i < last.length(); i++) {
                    assertEquals(1, last.get(i), "job " + (job - 1) + ", task " + i + ", once that job returned");
                }
            }
            last = runs;
        }
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
