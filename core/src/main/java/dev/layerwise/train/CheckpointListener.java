package dev.layerwise.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Hands a {@link Checkpoint} to a {@link CheckpointSink} after evaluations: every {@code n} epochs, or whenever a
 * metric reaches a new best ({@link #onBest}); or every {@code n} iterations ({@link #everyIterations}); and after
 * the last step if asked. A sink's {@link IOException} ends the run as an {@link UncheckedIOException}.
 *
 * <pre>{@code
 * Trainer.builder(net, optimizer, train, test).epochs(20)
 *         .listener(CheckpointListener.everyEpochs(5, sink))
 *         .listener(CheckpointListener.onBest(EarlyStopping.Metric.VALIDATION_ACCURACY, bestSink))
 *         .build().run();
 * }</pre>
 */
public final class CheckpointListener implements TrainingListener {
    private final CheckpointSink sink;
    private final int everyEpochs;
    private final int everyIterations;
    private final EarlyStopping.Metric bestOf;
    private final boolean atFinish;
    private Double best;
    private int saved;

    private CheckpointListener(CheckpointSink sink, int everyEpochs, int everyIterations, EarlyStopping.Metric bestOf,
                               boolean atFinish) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.everyEpochs = everyEpochs;
        this.everyIterations = everyIterations;
        this.bestOf = bestOf;
        this.atFinish = atFinish;
    }

    /** A checkpoint after every {@code n}-th epoch's evaluation. */
    public static CheckpointListener everyEpochs(int n, CheckpointSink sink) {
        if (n < 1) {
            throw new IllegalArgumentException("checkpoints: every must be at least 1 epoch, got " + n);
        }
        return new CheckpointListener(sink, n, 0, null, false);
    }

    /**
     * A checkpoint every {@code n} iterations, before the last, so that an interrupted run loses at most {@code n}.
     * At the end of an epoch it is taken after the evaluation, so that a run resumed from it evaluates as an
     * uninterrupted one.
     */
    public static CheckpointListener everyIterations(int n, CheckpointSink sink) {
        if (n < 1) {
            throw new IllegalArgumentException("checkpoints: every must be at least 1 iteration, got " + n);
        }
        return new CheckpointListener(sink, 0, n, null, false);
    }

    /** A checkpoint after each evaluation that improves {@code metric} (so the last one saved is the best). */
    public static CheckpointListener onBest(EarlyStopping.Metric metric, CheckpointSink sink) {
        return new CheckpointListener(sink, 0, 0, Objects.requireNonNull(metric, "metric"), false);
    }

    /** The same, plus a checkpoint of the final state after the last step. */
    public CheckpointListener andAtFinish() {
        return new CheckpointListener(sink, everyEpochs, everyIterations, bestOf, true);
    }

    @Override
    public void onStart(Trainer trainer) {
        best = null;
        saved = 0;
    }

    @Override
    public void onIteration(Trainer trainer, int iteration, double loss) {
        if (everyIterations > 0 && iteration % everyIterations == 0 && iteration % trainer.iterationsPerEpoch() != 0
                && iteration != trainer.iterations()) {
            save(trainer, null);
        }
    }

    @Override
    public void onEvaluation(Trainer trainer, Evaluation e) {
        boolean epochEnd = e.iteration() % trainer.iterationsPerEpoch() == 0;
        if (everyIterations > 0) {
            if (e.iteration() % everyIterations == 0 && epochEnd && e.iteration() != trainer.iterations()) {
                save(trainer, e);
            }
        } else if (everyEpochs > 0 && epochEnd && (e.iteration() / trainer.iterationsPerEpoch()) % everyEpochs == 0) {
            save(trainer, e);
        } else if (bestOf != null) {
            double value = bestOf.of(e);
            boolean higher = bestOf != EarlyStopping.Metric.LOSS;
            if (!Double.isNaN(value) && (best == null || (higher ? value > best : value < best))) {
                best = value;
                save(trainer, e);
            }
        }
    }

    @Override
    public void onFinish(Trainer trainer, TrainingResult result) {
        if (atFinish) {
            Evaluation last = result.evaluations().isEmpty() ? null
                    : result.evaluations().get(result.evaluations().size() - 1);
            save(trainer, last);
        }
    }

    private void save(Trainer trainer, Evaluation e) {
        try {
            sink.save(new Checkpoint(trainer.network(), trainer.optimizer(), trainer.iteration(), trainer.epoch(), e,
                    trainer.position()));
            saved++;
        } catch (IOException ex) {
            throw new UncheckedIOException("checkpoint at iteration " + trainer.iteration() + " failed: "
                    + ex.getMessage(), ex);
        }
    }

    /** The checkpoints handed to the sink in the current (or last) run. */
    public int saved() {
        return saved;
    }
}
