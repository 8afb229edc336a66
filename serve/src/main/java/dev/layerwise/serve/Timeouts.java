package dev.layerwise.serve;

import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Completes each future it is given with a {@link TimeoutException} if it is not done by its deadline, as
 * {@link CompletableFuture#orTimeout} does. That method schedules a task per future on a shared scheduler and cancels
 * it when the future completes: a heap under a lock that the thread taking requests and the workers answering them
 * contend for, with a timer thread woken now and then, for every request. Here a future costs an append to a queue;
 * one thread, woken at the earliest deadline and at least every sweep interval, drops the futures that are done and
 * times out the ones that are due.
 */
final class Timeouts implements AutoCloseable {
    /** How long a done future may stay queued: the sweeps keep the queue about as long as the requests of this time. */
    private static final long SWEEP_NANOS = 10_000_000L;

    private record Entry(CompletableFuture<?> future, long deadline) {
    }

    private final ConcurrentLinkedQueue<Entry> entries = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    /** Whether the thread waits for a future with nothing queued; {@link #add} then wakes it. */
    private volatile boolean idle;
    private volatile boolean closed;

    Timeouts(String name) {
        thread = new Thread(this::sweep, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Completes {@code future} exceptionally with a {@link TimeoutException} unless it is done by {@code deadline}. */
    void add(CompletableFuture<?> future, long deadline) {
        entries.add(new Entry(future, deadline));
        if (idle) {
            LockSupport.unpark(thread);
        }
    }

    private void sweep() {
        while (!closed) {
            long now = System.nanoTime();
            long wait = SWEEP_NANOS;
            for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
                Entry e = it.next();
                long left = e.deadline() - now;
                if (e.future().isDone()) {
                    it.remove();
                } else if (left <= 0) {
                    e.future().completeExceptionally(new TimeoutException());
                    it.remove();
                } else {
                    wait = Math.min(wait, left);
                }
            }
            if (entries.isEmpty()) {
                // Set before looking at the queue again, which add() writes before reading the flag: either this
                // thread sees the new future or add() sees it idle and wakes it.
                idle = true;
                if (entries.isEmpty() && !closed) {
                    LockSupport.park(this);
                }
                idle = false;
            } else {
                LockSupport.parkNanos(this, wait);
            }
        }
    }

    /** Stops the thread; futures still queued are no longer timed out. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }
}
