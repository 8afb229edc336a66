package dev.layerwise.train;

/**
 * Watches a {@link Trainer}: progress bars, logs, early stopping and checkpoints hook in here. Every method does
 * nothing by default. A listener may call {@link Trainer#stop()} to end training after the current step.
 */
public interface TrainingListener {

    /** Before the first step. */
    default void onStart(Trainer trainer) {
    }

    /** After step {@code iteration} (1-based), with the loss of its mini-batch. */
    default void onIteration(Trainer trainer, int iteration, double loss) {
    }

    /** After each evaluation (once per epoch, and after the last step). */
    default void onEvaluation(Trainer trainer, Evaluation evaluation) {
    }

    /** After the last step and its evaluation. */
    default void onFinish(Trainer trainer, TrainingResult result) {
    }
}
