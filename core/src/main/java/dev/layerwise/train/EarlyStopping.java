package dev.layerwise.train;

import java.util.Locale;
import java.util.Objects;

/**
 * Stops training when a metric of the evaluations has not improved for {@code patience} evaluations in a row (once
 * per epoch), by more than {@code minDelta}. Beyond the book.
 *
 * <pre>{@code
 * LabeledData d = DataSets.csv(Path.of("iris.csv"), DataSets.CsvOptions.label("species").withValSplit(0.2, 7));
 * EarlyStopping stop = EarlyStopping.on(EarlyStopping.Metric.VALIDATION_ACCURACY, 5);
 * TrainingResult r = Trainer.builder(net, optimizer, d.train(), d.validation()).epochs(100).listener(stop)
 *         .build().run();
 * stop.best();                   // the evaluation with the best validation accuracy
 * net.accuracy(d.test());        // the test set, once, at the end
 * }</pre>
 *
 * <p>What the trainer evaluates on besides the training set is the set it was built with: give it a validation split.
 * Stopping on the test set would choose the run by its test figure, which then no longer measures anything.
 */
public final class EarlyStopping implements TrainingListener {

    /** What to watch, and which way is better. */
    public enum Metric {
        /** The mean mini-batch loss since the previous evaluation; lower is better. */
        LOSS(false),
        /** Accuracy on the training set (or its evaluated sample); higher is better. */
        TRAIN_ACCURACY(true),
        /**
         * Accuracy on the trainer's evaluation set (or its evaluated sample), which should be a validation split,
         * never the test set; higher is better.
         */
        VALIDATION_ACCURACY(true);

        private final boolean higherIsBetter;

        Metric(boolean higherIsBetter) {
            this.higherIsBetter = higherIsBetter;
        }

        double of(Evaluation e) {
            switch (this) {
                case LOSS:
                    return e.loss();
                case TRAIN_ACCURACY:
                    return e.trainAccuracy();
                default:
                    return e.testAccuracy();
            }
        }

        /** Parses {@code loss}, {@code train-accuracy} or {@code validation-accuracy}. */
        public static Metric parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown metric '" + text
                        + "' (expected loss, train-accuracy or validation-accuracy)");
            }
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Metric metric;
    private final int patience;
    private final double minDelta;
    private Evaluation best;
    private int sinceBest;
    private Evaluation stoppedAt;

    private EarlyStopping(Metric metric, int patience, double minDelta) {
        this.metric = Objects.requireNonNull(metric, "metric");
        if (patience < 1) {
            throw new IllegalArgumentException("early stopping: patience must be at least 1 evaluation, got "
                    + patience);
        }
        if (!(minDelta >= 0) || Double.isInfinite(minDelta)) {
            throw new IllegalArgumentException("early stopping: minDelta must be a finite number >= 0, got "
                    + minDelta);
        }
        this.patience = patience;
        this.minDelta = minDelta;
    }

    /** Stops after {@code patience} evaluations without any improvement of {@code metric}. */
    public static EarlyStopping on(Metric metric, int patience) {
        return new EarlyStopping(metric, patience, 0);
    }

    /** Stops after {@code patience} evaluations without an improvement of more than {@code minDelta}. */
    public static EarlyStopping on(Metric metric, int patience, double minDelta) {
        return new EarlyStopping(metric, patience, minDelta);
    }

    @Override
    public void onStart(Trainer trainer) {
        best = null;
        sinceBest = 0;
        stoppedAt = null;
    }

    @Override
    public void onEvaluation(Trainer trainer, Evaluation e) {
        double value = metric.of(e);
        if (Double.isNaN(value)) {
            return;
        }
        if (best == null || improves(value, metric.of(best))) {
            best = e;
            sinceBest = 0;
            return;
        }
        sinceBest++;
        if (sinceBest >= patience && stoppedAt == null) {
            stoppedAt = e;
            trainer.stop();
        }
    }

    private boolean improves(double value, double bestValue) {
        return metric.higherIsBetter ? value > bestValue + minDelta : value < bestValue - minDelta;
    }

    /** The evaluation with the best value of the metric so far, or {@code null} before the first. */
    public Evaluation best() {
        return best;
    }

    /** The evaluation at which this listener stopped training, or {@code null} if it did not. */
    public Evaluation stoppedAt() {
        return stoppedAt;
    }

    public Metric metric() {
        return metric;
    }

    @Override
    public String toString() {
        return "EarlyStopping(" + metric + ", patience=" + patience + ", minDelta=" + minDelta + ")";
    }
}
