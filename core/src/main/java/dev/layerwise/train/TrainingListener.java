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

    /**
     * After each evaluation (once per epoch, and after the last step). An evaluation run in the background (see
     * {@link #toleratesLateEvaluations()}) is reported after some later step, and before the next evaluation.
     */
    default void onEvaluation(Trainer trainer, Evaluation evaluation) {
    }

    /**
     * Once, after the run's last step (or the step it was stopped after) and before its final evaluation, the longest
     * stretch without steps: the place to save the trained network, so that an interruption there does not lose it.
     */
    default void onStepsDone(Trainer trainer) {
    }

    /** After the last step and its evaluation. */
    default void onFinish(Trainer trainer, TrainingResult result) {
    }

    /**
     * Whether this listener may hear of an evaluation after later steps have run: true for one that only shows or
     * records the figures. The trainer evaluates in the background only when every listener says so. False, the
     * default, for one that acts on the run when it hears of an evaluation: stops it, saves the network, or reads the
     * trainer's position.
     */
    default boolean toleratesLateEvaluations() {
        return false;
    }
}
