package dev.layerwise.optim;

import dev.layerwise.kernel.Ops;
import dev.layerwise.net.Parameters;

/**
 * Stochastic gradient descent: {@code W ← W − lr · dW} for every parameter.
 *
 * <p><b>Book</b>: §6.1.2, {@code common/optimizer.py: SGD} (default {@code lr} 0.01). Stateless; the update runs once
 * over the network's flat parameter array.
 */
public final class SGD implements Optimizer {
    /** The book's default learning rate. */
    public static final double DEFAULT_LR = 0.01;

    private final double lr;

    /** SGD with the book's default learning rate, 0.01. */
    public SGD() {
        this(DEFAULT_LR);
    }

    /** SGD with learning rate {@code lr} (finite, >= 0). */
    public SGD(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a finite number >= 0, got " + lr);
        }
        this.lr = lr;
    }

    public double lr() {
        return lr;
    }

    @Override
    public void update(Parameters params) {
        Ops.axpy(-lr, params.flatGrads(), params.flatValues());
    }

    @Override
    public String toString() {
        return "SGD(lr=" + lr + ")";
    }
}
