package dev.layerwise.serve;

import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Jetty's thread pool, with one exception: a task handed to it while an inference worker writes an answer runs at
 * once on that worker. Jetty hands a connection back to its pool when a response completes on a thread other than
 * the one that read the request, to look for the connection's next request; with every answer written by an inference
 * worker, that would be a thread woken, and a context switch, per request. The task is short and never blocks (it reads
 * what the socket holds, which is most often nothing yet, and otherwise hands a request to {@link Server}'s handler,
 * which never blocks either), so the worker runs it and goes back to the model.
 */
final class ServerThreads extends QueuedThreadPool {
    private final ThreadLocal<Boolean> answering = new ThreadLocal<>();

    ServerThreads() {
        // Javalin's own pool's sizes and name.
        super(250, 8, 60_000);
        setName("JettyServerThreadPool");
    }

    /** Runs {@code write} on the calling thread, and the first task it hands this pool there too. */
    void answering(Runnable write) {
        Boolean was = answering.get();
        answering.set(Boolean.TRUE);
        try {
            write.run();
        } finally {
            answering.set(was);
        }
    }

    /**
     * Runs {@code task} at once if the calling thread is writing an answer, else on the pool. Only that one task runs
     * on the worker: whatever it hands on in turn (a request for the servlet routes, which may block) goes to the pool.
     */
    @Override
    public void execute(Runnable task) {
        if (answering.get() == Boolean.TRUE) {
            answering.set(Boolean.FALSE);
            try {
                task.run();
            } finally {
                answering.set(Boolean.TRUE);
            }
        } else {
            super.execute(task);
        }
    }
}
