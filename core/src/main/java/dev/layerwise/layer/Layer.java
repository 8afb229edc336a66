package dev.layerwise.layer;

import dev.layerwise.tensor.Tensor;
import java.util.List;

/**
 * A node of the computational graph that knows its own forward and backward pass, as in the book's chapter 5.
 *
 * <p>{@code forward} keeps what {@code backward} needs; {@code backward(dout)} returns {@code dx}, the gradient with
 * respect to the input of the last {@code forward}, and leaves the gradients of the layer's parameters in their
 * {@link Parameter#grad()} tensors.
 *
 * <p><b>Buffers</b>: the tensors a layer returns are its own buffers, reused (overwritten) by the next call while the
 * batch shape stays the same; copy one to keep it. Neither method writes into its argument.
 */
public interface Layer {

    /** Computes the output for input {@code x} in training mode, keeping what backward needs. */
    Tensor forward(Tensor x);

    /**
     * Computes the output in training ({@code train}) or inference mode. Only layers that behave differently (dropout,
     * batch normalisation) look at the flag, as in the book's {@code forward(x, train_flg)}.
     */
    default Tensor forward(Tensor x, boolean train) {
        return forward(x);
    }

    /** Returns {@code dx} for the upstream gradient {@code dout}; fills the parameters' gradients. */
    Tensor backward(Tensor dout);

    /**
     * Tells the layer whether anyone needs {@code dx}. The first layer of a network is told {@code false}, and a layer
     * that can skip that work (an affine layer: one matrix product of three) may then return {@code null} from
     * {@link #backward}. Needed by default.
     */
    default void setInputGradientNeeded(boolean needed) {
    }

    /**
     * The generator this layer draws from in training (dropout's masks), live, so that a checkpoint can save and
     * restore its state; {@code null} (the default) for layers that draw nothing.
     */
    default dev.layerwise.util.Rng rng() {
        return null;
    }

    /** The learnable parameters, in order; none by default. */
    default List<Parameter> parameters() {
        return List.of();
    }
}
