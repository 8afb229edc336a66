package dev.layerwise.cli;

import dev.layerwise.train.Evaluation;
import dev.layerwise.train.Trainer;
import dev.layerwise.train.TrainingListener;
import dev.layerwise.train.TrainingResult;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * What {@code layerwise train} shows while it trains: one summary line per evaluation (loss, train and validation or
 * test accuracy, seconds), and, on a terminal, a progress bar per epoch in between and a status line with the time
 * spent during the final evaluation, which on the whole data can take seconds without a step.
 *
 * <p>Its methods are synchronized: a status line is redrawn by a thread of its own, and after Ctrl-C the shutdown
 * hook {@linkplain #interrupted() ends the open line} and silences it while training goes on until the JVM halts.
 */
final class ConsoleOutput implements TrainingListener {
    private static final long STATUS_REDRAW_MILLIS = 250;

    private final PrintWriter out;
    private final ProgressBar bar;
    /** What the run evaluates on besides the training set: {@code test} or {@code val} (a validation split). */
    private final String evaluated;
    /** Whether the epochs' accuracies come from a sample of each set ({@code --eval-sample}), marked {@code ~}. */
    private final boolean sampled;
    /** What the final evaluation reads ({@code all 70,000 images}), shown on a terminal only. */
    private final String finalEvaluation;
    private final int columns;
    private long evaluatingSince;
    private boolean statusDrawn;
    private boolean silenced;

    ConsoleOutput(PrintWriter out, boolean progressBar, boolean unicode, String evaluated, boolean sampled,
                  String finalEvaluation) {
        this.out = out;
        this.columns = progressBar ? Terminal.columns() : 0;
        this.bar = progressBar ? new ProgressBar(out, unicode, columns) : null;
        this.evaluated = evaluated;
        this.sampled = sampled;
        this.finalEvaluation = finalEvaluation;
    }

    @Override
    public synchronized void onStart(Trainer trainer) {
        if (bar != null) {
            bar.onStart(trainer);
        }
    }

    @Override
    public synchronized void onIteration(Trainer trainer, int iteration, double loss) {
        if (bar != null && !silenced) {
            bar.onIteration(trainer, iteration, loss);
        }
    }

    @Override
    public boolean toleratesLateEvaluations() {
        return true; // it only prints them
    }

    @Override
    public synchronized void onEvaluation(Trainer trainer, Evaluation e) {
        if (silenced) {
            return;
        }
        if (bar != null) {
            bar.onEvaluation(trainer, e);
        }
        clearStatus();
        out.println(line(e, evaluated, sampled));
        drawStatus();
        out.flush();
    }

    /** On a terminal: the bar gives way to a status line, redrawn until {@link #evaluationDone()}. */
    @Override
    public synchronized void onStepsDone(Trainer trainer) {
        if (bar == null || finalEvaluation == null || silenced) {
            return;
        }
        bar.clear();
        evaluatingSince = System.nanoTime();
        drawStatus();
        Thread ticker = new Thread(this::tick, "layerwise-status");
        ticker.setDaemon(true);
        ticker.start();
    }

    @Override
    public synchronized void onFinish(Trainer trainer, TrainingResult result) {
        if (bar != null && !silenced) {
            bar.onFinish(trainer, result);
        }
    }

    /** The final evaluation is over (the run's, and the test set's after a validation split): the status goes. */
    synchronized void evaluationDone() {
        evaluatingSince = 0;
        clearStatus();
        out.flush();
    }

    /**
     * Ctrl-C: ends the line the bar or the status line is on, so that what follows starts a line of its own, and
     * prints nothing more.
     */
    synchronized void interrupted() {
        if (!silenced && (statusDrawn || (bar != null && bar.drawn()))) {
            out.println();
            out.flush();
        }
        silenced = true;
        evaluatingSince = 0;
    }

    private void tick() {
        while (true) {
            try {
                Thread.sleep(STATUS_REDRAW_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                if (evaluatingSince == 0 || silenced) {
                    return;
                }
                drawStatus();
                out.flush();
            }
        }
    }

    private void drawStatus() {
        if (evaluatingSince == 0 || silenced) {
            return;
        }
        String status = String.format(Locale.ROOT, "final evaluation on %s  %s", finalEvaluation,
                ProgressBar.duration((System.nanoTime() - evaluatingSince) / 1e9));
        int room = columns > 0 ? columns - 1 : Integer.MAX_VALUE; // the last column would wrap the line
        out.print("\r" + (status.length() > room ? status.substring(0, room) : status) + "\033[K");
        statusDrawn = true;
    }

    private void clearStatus() {
        if (statusDrawn) {
            out.print("\r\033[K");
            statusDrawn = false;
        }
    }

    /**
     * {@code epoch  1.00  iteration    600  loss 0.7387  train acc 0.8959  test acc 0.8988     3.4 s}, naming the
     * evaluated set {@code evaluated} ({@code val acc 0.9512}), and marking the accuracies {@code ~} when they come
     * from a {@code sampled} part of each set ({@code train acc~ 0.9490}).
     */
    static String line(Evaluation e, String evaluated, boolean sampled) {
        String mark = sampled ? "~" : "";
        return String.format(Locale.ROOT,
                "epoch %5.2f  iteration %6d  loss %.4f  train acc%s %.4f  %s acc%s %.4f  %6.1f s",
                e.epoch(), e.iteration(), e.loss(), mark, e.trainAccuracy(), evaluated, mark, e.testAccuracy(),
                e.seconds());
    }
}
