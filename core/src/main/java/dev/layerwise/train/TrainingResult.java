package dev.layerwise.train;

import java.util.List;

/**
 * What a training run did: the steps taken, the final accuracies (on the whole training and test sets), the loss of
 * every step (the book's {@code train_loss_list}), the evaluations, and the time: {@code seconds} in all and
 * {@code trainSeconds} in the steps alone, from which {@link #samplesPerSecond()} is computed.
 */
public record TrainingResult(int iterations, int batchSize, double trainAccuracy, double testAccuracy,
                             double[] losses, List<Evaluation> evaluations, double seconds, double trainSeconds) {

    /** Training examples processed per second of stepping (evaluations excluded). */
    public double samplesPerSecond() {
        return trainSeconds > 0 ? iterations * (double) batchSize / trainSeconds : 0;
    }

    /** The loss of the last step. */
    public double finalLoss() {
        return losses.length == 0 ? Double.NaN : losses[losses.length - 1];
    }
}
