package dev.layerwise.optim;

import dev.layerwise.net.Parameters;

/**
 * Updates a network's parameters from their gradients, as the book's {@code common/optimizer.py} classes do with
 * {@code update(params, grads)}.
 *
 * <p>Lifecycle: an optimizer is created with its hyperparameters (final), then {@link #update} is called once per
 * training step after backpropagation has filled the gradients. State (velocities, moments) is created per parameter
 * name on the first update and kept between calls; {@link #reset()} forgets it.
 */
public interface Optimizer {

    /** Updates every parameter in place from its gradient. */
    void update(Parameters params);

    /** Forgets any state kept between updates. */
    default void reset() {
    }
}
