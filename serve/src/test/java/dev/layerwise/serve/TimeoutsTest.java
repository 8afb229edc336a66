package dev.layerwise.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** A future not done by its deadline completes with a TimeoutException, then and not before; a done one is left be. */
class TimeoutsTest {
    private static final long MS = 1_000_000L;

    private static Throwable failure(CompletableFuture<?> f) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        return e.getCause();
    }

    @Test
    void aFutureTimesOutAtItsDeadlineAndNotBefore() throws Exception {
        try (Timeouts timeouts = new Timeouts("test-timeouts")) {
            long t0 = System.nanoTime();
            CompletableFuture<Object> f = new CompletableFuture<>();
            timeouts.add(f, t0 + 200 * MS);
            Thread.sleep(50);
            assertFalse(f.isDone(), "timed out before its deadline");
            assertInstanceOf(TimeoutException.class, failure(f));
            long elapsed = System.nanoTime() - t0;
            assertTrue(elapsed >= 200 * MS, "timed out before its deadline");
            // Generous for a busy machine, and still far below a sweep that waits for anything but the deadline.
            assertTrue(elapsed < 1000 * MS, "timed out " + elapsed / MS + " ms after it was given");
        }
    }

    @Test
    void aDoneFutureKeepsItsAnswerAndTheOthersStillTimeOut() throws Exception {
        try (Timeouts timeouts = new Timeouts("test-timeouts")) {
            List<CompletableFuture<Object>> futures = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                CompletableFuture<Object> f = new CompletableFuture<>();
                timeouts.add(f, System.nanoTime() + (i % 2 == 0 ? 100 : 150) * MS);
                futures.add(f);
            }
            for (int i = 0; i < futures.size(); i += 3) {
                futures.get(i).complete(i);
            }
            for (int i = 0; i < futures.size(); i++) {
                if (i % 3 == 0) {
                    assertEquals(i, futures.get(i).get(10, TimeUnit.SECONDS));
                } else {
                    assertInstanceOf(TimeoutException.class, failure(futures.get(i)), "future " + i);
                }
            }
        }
    }

    @Test
    void aFutureAddedOnceAllOthersAreDoneStillTimesOut() throws Exception {
        try (Timeouts timeouts = new Timeouts("test-timeouts")) {
            CompletableFuture<Object> first = new CompletableFuture<>();
            timeouts.add(first, System.nanoTime() + 20 * MS);
            assertInstanceOf(TimeoutException.class, failure(first));
            // The sweeper has nothing left and waits for a future; one that is already late is timed out at once.
            Thread.sleep(100);
            for (long late : new long[] {200 * MS, -MS}) {
                CompletableFuture<Object> f = new CompletableFuture<>();
                long t0 = System.nanoTime();
                timeouts.add(f, t0 + late);
                assertInstanceOf(TimeoutException.class, failure(f));
                assertTrue(System.nanoTime() - t0 < Math.max(late, 0) + 5_000 * MS);
                Thread.sleep(100);
            }
        }
    }
}
