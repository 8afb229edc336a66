package dev.layerwise.cli;

import dev.layerwise.train.Evaluation;
import dev.layerwise.train.Trainer;
import dev.layerwise.train.TrainingListener;
import dev.layerwise.train.TrainingResult;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * What {@code layerwise train} shows while it trains: one summary line per evaluation (loss, train and test accuracy,
 * seconds), and, on a terminal, a progress bar per epoch in between.
 */
final class ConsoleOutput implements TrainingListener {
    private final PrintWriter out;
    private final ProgressBar bar;
    /** What the run evaluates on besides the training set: {@code test} or {@code val} (a validation split). */
    private final String evaluated;

    ConsoleOutput(PrintWriter out, boolean progressBar, boolean unicode) {
        this(out, progressBar, unicode, "test");
    }

    ConsoleOutput(PrintWriter out, boolean progressBar, boolean unicode, String evaluated) {
        this.out = out;
        this.bar = progressBar ? new ProgressBar(out, unicode, Terminal.columns()) : null;
        this.evaluated = evaluated;
    }

    @Override
    public void onStart(Trainer trainer) {
        if (bar != null) {
            bar.onStart(trainer);
        }
    }

    @Override
    public void onIteration(Trainer trainer, int iteration, double loss) {
        if (bar != null) {
            bar.onIteration(trainer, iteration, loss);
        }
    }

    @Override
    public boolean toleratesLateEvaluations() {
        return true; // it only prints them
    }

    @Override
    public void onEvaluation(Trainer trainer, Evaluation e) {
        if (bar != null) {
            bar.onEvaluation(trainer, e);
        }
        out.println(line(e, evaluated));
        out.flush();
    }

    @Override
    public void onFinish(Trainer trainer, TrainingResult result) {
        if (bar != null) {
            bar.onFinish(trainer, result);
        }
    }

    /** {@code epoch  1.00  iteration    600  loss 0.7387  train acc 0.8959  test acc 0.8988     3.4 s}. */
    static String line(Evaluation e) {
        return line(e, "test");
    }

    /** As {@link #line(Evaluation)}, naming the evaluated set {@code evaluated} ({@code val acc 0.9512}). */
    static String line(Evaluation e, String evaluated) {
        return String.format(Locale.ROOT,
                "epoch %5.2f  iteration %6d  loss %.4f  train acc %.4f  %s acc %.4f  %6.1f s",
                e.epoch(), e.iteration(), e.loss(), e.trainAccuracy(), evaluated, e.testAccuracy(), e.seconds());
    }
}
