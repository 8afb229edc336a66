package dev.layerwise.serve;

import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Jetty's thread pool, with one exception: a task handed to it while an inference worker writes an answer runs on that
 * worker. Jetty hands a connection back to its pool when a response completes on a thread other than the one that read
 * the request, to look for the connection's next request; with every answer written by an inference worker, that
 * would be a thread woken, and a context switch, per request. The task is short and never blocks (it reads what the
 * socket holds and otherwise hands a request to {@link Server}'s handler, which never blocks either), so the worker
 * runs it and goes back to the model.
 *
 * <p>A worker that answers a whole batch runs those tasks once every answer of the batch is written
 * ({@link #answeringBatch}). Run at once, each would look for the next request of a client that has not yet read its
 * answer: a read that finds nothing, then the selector asked to watch the connection again and woken when the request
 * comes. Run after the batch's other answers, a task more often finds its connection's next request already there and
 * reads it on the spot.
 */
final class ServerThreads extends QueuedThreadPool {
    /** What the calling thread is doing: writing an answer, and where the tasks of a batch's writes wait. */
    private static final class State {
        boolean answering;
        List<Runnable> afterBatch;
    }

    private final ThreadLocal<State> state = ThreadLocal.withInitial(State::new);

    ServerThreads() {
        // Javalin's own pool's sizes and name.
        super(250, 8, 60_000);
        setName("JettyServerThreadPool");
    }

    /**
     * Runs {@code write} on the calling thread; the first task it hands this pool runs on this thread too: at once, or
     * inside {@link #answeringBatch} once the batch's answers are all written.
     */
    void answering(Runnable write) {
        State s = state.get();
        boolean was = s.answering;
        s.answering = true;
        try {
            write.run();
        } finally {
            s.answering = was;
        }
    }

    /**
     * Runs {@code answers}, which writes answers through {@link #answering}, then, on the calling thread and in order,
     * the tasks those writes handed this pool. As on the pool, a task that throws an exception does not keep the others
     * from running.
     */
    void answeringBatch(Runnable answers) {
        State s = state.get();
        List<Runnable> outer = s.afterBatch;
        List<Runnable> tasks = new ArrayList<>();
        s.afterBatch = tasks;
        try {
            answers.run();
        } finally {
            s.afterBatch = outer;
            for (Runnable task : tasks) {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    // The pool would log it and go on (Jetty's logging goes nowhere here); the connection's own
                    // failure handling has already answered or closed it. An Error is left to end the worker, as
                    // it would anywhere else in it.
                }
            }
        }
    }

    /**
     * Runs {@code task} on the calling thread if it is writing an answer (after the batch, inside
     * {@link #answeringBatch}), else on the pool. Only that task runs on the worker: whatever it hands on in turn (a
     * request for the servlet routes, which may block) goes to the pool.
     */
    @Override
    public void execute(Runnable task) {
        State s = state.get();
        if (!s.answering) {
            super.execute(task);
        } else if (s.afterBatch != null) {
            s.afterBatch.add(task);
        } else {
            s.answering = false;
            try {
                task.run();
            } finally {
                s.answering = true;
            }
        }
    }
}
