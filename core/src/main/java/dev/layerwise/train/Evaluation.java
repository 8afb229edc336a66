package dev.layerwise.train;

/**
 * One evaluation during training: after {@code iteration} steps ({@code epoch} epochs, possibly fractional at the
 * end), the mean mini-batch loss since the previous evaluation, and the accuracies on the training and test sets (or
 * their evaluated samples); {@code seconds} since training started. The test set is the one handed to the trainer,
 * as the book's {@code test_acc}: a run that stops early hands it a validation split instead, and keeps the real
 * test set for one evaluation at the end.
 */
public record Evaluation(int iteration, double epoch, double loss, double trainAccuracy, double testAccuracy,
                         double seconds) {
}
