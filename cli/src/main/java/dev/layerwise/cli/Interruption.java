package dev.layerwise.cli;

import dev.layerwise.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What {@code train} says when it is stopped before it ends (Ctrl-C, or any signal that shuts the JVM down): a line
 * of its own on standard error beginning with {@code interrupted}, with where the run stood and where its model is:
 *
 * <pre>
 * interrupted at iteration 1542 of 10000; the last checkpoint, at iteration 1500, is in m.lw (--resume m.lw continues)
 * </pre>
 *
 * <p>A shutdown hook, registered while the run goes and removed when it ends, so that a run that ends by itself
 * prints nothing of it. The hook only reports: saving from it would race the training thread, which keeps stepping
 * until the JVM halts; {@code --save} writes the model as soon as the steps are done, and
 * {@code --checkpoint-every} as the run goes.
 */
final class Interruption implements AutoCloseable {
    private final PrintWriter err;
    private final Thread hook;
    private volatile ConsoleOutput console;
    private volatile Trainer trainer;
    private volatile Path saveTo;
    /** The iteration of the resumed run in {@link #saveTo}, or -1 for a new run. */
    private volatile int resumedAt = -1;
    /** The iteration of the model in {@link #saveTo}: saved by this run, or the resumed one's; -1 for none. */
    private volatile int savedAt = -1;
    private volatile boolean trained;
    private volatile boolean closed;
    private boolean interrupted;

    private Interruption(PrintWriter err) {
        this.err = err;
        this.hook = new Thread(this::report, "layerwise-interrupted");
    }

    /** Starts watching: until {@link #close()}, a shutdown of the JVM prints the line. */
    static Interruption watch(PrintWriter err) {
        Interruption i = new Interruption(err);
        Runtime.getRuntime().addShutdownHook(i.hook);
        return i;
    }

    /** The run has started: its progress is told by {@code trainer}, its lines by {@code console} (or null). */
    void running(Trainer trainer, ConsoleOutput console) {
        this.console = console;
        this.trainer = trainer;
    }

    /** The run saves to {@code file}, which holds, if it was {@code resumed}, the run at {@code iteration}. */
    void savesTo(Path file, boolean resumed, int iteration) {
        this.saveTo = file;
        this.resumedAt = resumed ? iteration : -1;
        this.savedAt = resumedAt;
    }

    /** Writing the model file, which {@link #save} does while no interruption is being reported. */
    @FunctionalInterface
    interface Save {
        void run() throws IOException;
    }

    /**
     * Runs {@code save}, of the run at {@code iteration} ({@code trained}: after its last step), unless the run has
     * been interrupted: the line then says which save the file holds, and stays true while the JVM shuts down.
     */
    synchronized void save(Save save, int iteration, boolean trained) throws IOException {
        if (interrupted) {
            return;
        }
        save.run();
        savedAt = iteration;
        this.trained = trained;
    }

    private void report() {
        String line;
        synchronized (this) {
            if (closed) {
                return;
            }
            interrupted = true;
            line = message();
        }
        ConsoleOutput c = console;
        if (c != null) {
            c.interrupted();
        }
        err.println(line);
        err.flush();
    }

    /** The line printed on interruption. */
    String message() {
        Trainer t = trainer;
        if (t == null) {
            return "interrupted";
        }
        Path file = saveTo;
        if (trained) {
            return "interrupted during the final evaluation; the trained model is saved in " + file;
        }
        String where = String.format(Locale.ROOT, "interrupted at iteration %d of %d", t.iteration(), t.iterations());
        if (file == null) {
            return where + "; nothing was saved (--save FILE keeps a run)";
        }
        int at = savedAt;
        if (at < 0) {
            return where + "; nothing was saved to " + file + " yet (--checkpoint-every N saves as the run goes)";
        }
        String continues = " (--resume " + file + " continues it)";
        return at == resumedAt
                ? where + "; " + file + " still holds the run at iteration " + at + continues
                : where + "; the last checkpoint, at iteration " + at + ", is in " + file + continues;
    }

    /** The run has ended (finished or failed): a shutdown from now on is not an interruption. */
    @Override
    public synchronized void close() {
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run; closed keeps it quiet
        }
    }
}
