package dev.layerwise.train;

import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Writes training progress as lines to a consumer (nothing is printed unless one is given): one line per evaluation,
 * like the book's {@code === epoch:1, train acc:0.87, test acc:0.86 ===}, and optionally the loss every {@code n}
 * steps, like its {@code train loss:…} lines.
 *
 * <pre>{@code
 * builder.listener(new ProgressLogger(System.out::println).everyIterations(100));
 * }</pre>
 */
public final class ProgressLogger implements TrainingListener {
    private final Consumer<String> out;
    private final int everyIterations;
    private final int everyEvaluations;
    private final String prefix;
    private int evaluations;

    /** One line per evaluation. */
    public ProgressLogger(Consumer<String> out) {
        this(out, 0, 1, "");
    }

    private ProgressLogger(Consumer<String> out, int everyIterations, int everyEvaluations, String prefix) {
        this.out = Objects.requireNonNull(out, "out");
        this.everyIterations = everyIterations;
        this.everyEvaluations = everyEvaluations;
        this.prefix = prefix;
    }

    /** Also the loss of every {@code n}-th step. */
    public ProgressLogger everyIterations(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("progress: every must be at least 1 iteration, got " + n);
        }
        return new ProgressLogger(out, n, everyEvaluations, prefix);
    }

    /** Only every {@code n}-th evaluation (and the last) gets a line. */
    public ProgressLogger everyEvaluations(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("progress: every must be at least 1 evaluation, got " + n);
        }
        return new ProgressLogger(out, everyIterations, n, prefix);
    }

    /** Each line starts with {@code prefix} (e.g. the name of one of several runs). */
    public ProgressLogger withPrefix(String p) {
        return new ProgressLogger(out, everyIterations, everyEvaluations, p);
    }

    @Override
    public void onStart(Trainer trainer) {
        evaluations = 0;
    }

    @Override
    public void onIteration(Trainer trainer, int iteration, double loss) {
        if (everyIterations > 0 && iteration % everyIterations == 0) {
            out.accept(String.format(Locale.ROOT, "%siteration %6d  loss %.4f", prefix, iteration, loss));
        }
    }

    /** True unless it writes loss lines: an evaluation's line comes right after its step's, as in the book's logs. */
    @Override
    public boolean toleratesLateEvaluations() {
        return everyIterations == 0;
    }

    @Override
    public void onEvaluation(Trainer trainer, Evaluation e) {
        evaluations++;
        boolean last = e.iteration() == trainer.iterations();
        if (evaluations % everyEvaluations != 0 && !last) {
            return;
        }
        out.accept(String.format(Locale.ROOT,
                "%sepoch %5.2f  iteration %6d  loss %.4f  train acc %.4f  test acc %.4f  %6.1f s", prefix, e.epoch(),
                e.iteration(), e.loss(), e.trainAccuracy(), e.testAccuracy(), e.seconds()));
    }
}
