package dev.layerwise.optim;

import dev.layerwise.net.Parameters;
import dev.layerwise.tensor.Ops;

/**
 * Stochastic gradient descent: {@code W ← W − lr · dW} for every parameter.
 *
 * <p><b>Book</b>: §6.1.2, {@code common/optimizer.py: SGD} (default {@code lr} 0.01). Stateless; the update runs once
 * over the network's flat parameter array.
 */
public final class SGD extends AbstractOptimizer {
    /** The book's default learning rate. */
    public static final double DEFAULT_LR = Optimizers.SGD_LR;

    /** SGD with the book's default learning rate, 0.01. */
    public SGD() {
        this(DEFAULT_LR);
    }

    /** SGD with learning rate {@code lr} (finite, >= 0). */
    public SGD(double lr) {
        this(lr, LearningRateSchedule.constant());
    }

    /** SGD with base learning rate {@code lr} and a schedule. */
    public SGD(double lr, LearningRateSchedule schedule) {
        super("sgd", lr, schedule);
    }

    @Override
    protected void step(Parameters params, double lr, long t) {
        Ops.axpy(-lr, params.flatGrads(), params.flatValues());
    }
}
