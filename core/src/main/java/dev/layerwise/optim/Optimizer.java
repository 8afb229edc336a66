package dev.layerwise.optim;

import dev.layerwise.net.Parameters;
import dev.layerwise.tensor.Tensor;
import java.util.Map;

/**
 * Updates a network's parameters from their gradients, as the book's {@code common/optimizer.py} classes do with
 * {@code update(params, grads)}.
 *
 * <p><b>Lifecycle</b>: an optimizer is created with its hyperparameters (final; defaults in {@link Optimizers}), then
 * {@link #update} is called once per training step after backpropagation has filled the gradients. State (velocities,
 * moments) is created per parameter name on the first update that sees the name, and kept between calls; the learning
 * rate of step {@code t} comes from the optimizer's {@link LearningRateSchedule}. {@link #reset()} forgets the state
 * and the step count, so the next update starts afresh. One optimizer serves one network: its state is keyed by
 * parameter name, and a name that comes back with another shape is an error.
 *
 * <p>{@link #state()} and {@link #restore} copy the state out and back, for checkpoints.
 */
public interface Optimizer {

    /** Updates every parameter in place from its gradient. */
    void update(Parameters params);

    /** Forgets any state kept between updates. */
    default void reset() {
    }

    /** The optimizer's name as {@link Optimizers#create} knows it: {@code sgd}, {@code adam}, … */
    default String name() {
        return getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    /** The number of updates since creation or {@link #reset()}. */
    default long iterations() {
        return 0;
    }

    /**
     * A copy of the state kept between updates: the update count and, by key {@code KIND/PARAM} (the book's
     * attribute and parameter names: {@code v/W1}, {@code m/b2}, …), the per-parameter tensors.
     */
    default State state() {
        return new State(iterations(), Map.of());
    }

    /**
     * Continues from a {@link #state()} of an optimizer of the same kind; the tensors are copied in.
     *
     * @throws IllegalArgumentException if the state holds keys this optimizer does not keep
     */
    default void restore(State state) {
        if (!state.tensors().isEmpty()) {
            throw new IllegalArgumentException(name() + " keeps no per-parameter state, got "
                    + state.tensors().keySet());
        }
    }

    /** An optimizer's state between updates: see {@link #state()}. */
    record State(long iterations, Map<String, Tensor> tensors) {
        public State {
            if (iterations < 0) {
                throw new IllegalArgumentException("negative update count " + iterations);
            }
            tensors = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tensors));
        }
    }
}
