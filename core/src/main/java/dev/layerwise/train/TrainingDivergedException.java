package dev.layerwise.train;

/** Thrown when the loss becomes NaN or infinite: training cannot recover, and its numbers would mean nothing. */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int iteration;
    private final double loss;

    public TrainingDivergedException(int iteration, double loss, String hint) {
        super("training diverged: the loss became " + loss + " at iteration " + iteration + " (" + hint + ")");
        this.iteration = iteration;
        this.loss = loss;
    }

    /** The iteration (1-based) whose loss was not finite. */
    public int iteration() {
        return iteration;
    }

    public double loss() {
        return loss;
    }
}
