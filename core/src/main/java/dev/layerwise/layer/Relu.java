package dev.layerwise.layer;

import dev.layerwise.tensor.Ops;
import dev.layerwise.tensor.Tensor;

/**
 * Rectified linear unit: {@code out = x} where {@code x > 0}, else 0.
 *
 * <p><b>Shape</b>: any → the same. <b>Book</b>: §5.5.1, {@code common/layers.py: Relu}. The book keeps the mask of
 * {@code x <= 0} (an input of exactly 0 is masked) for backward, which blocks the upstream gradient exactly there. Here
 * forward keeps its output {@code out} instead, as the book's {@code Sigmoid} does: {@code out <= 0} exactly where
 * {@code x <= 0} ({@code out} is +0 there, and a NaN stays NaN, unmasked), so backward blocks the same elements
 * without a mask written in forward. {@link #mask()} reads the mask off it.
 *
 * <pre>{@code
 * Relu relu = new Relu();
 * Tensor out = relu.forward(x);
 * Tensor dx = relu.backward(dout);
 * }</pre>
 *
 * <p>Backward reads the returned {@code out}: change it between forward and backward and the gradient changes too.
 */
public final class Relu implements Layer {
    private Tensor out;
    private Tensor dx;

    @Override
    public Tensor forward(Tensor x) {
        out = Tensor.reuseLike(out, x);
        Ops.reluForward(x, out);
        return out;
    }

    @Override
    public Tensor backward(Tensor dout) {
        if (out == null || out.size() != dout.size()) {
            throw new IllegalStateException("Relu: backward with dout " + dout + " does not follow a forward of "
                    + (out == null ? "anything" : out.toString()));
        }
        dx = Tensor.reuseLike(dx, dout);
        Ops.reluBackwardFromOutput(dout, out, dx);
        return dx;
    }

    /**
     * The mask of the last forward, as the book keeps it: {@code true} where the input was {@code <= 0}; a new array
     * read off the forward's output, null before any forward.
     */
    public boolean[] mask() {
        if (out == null) {
            return null;
        }
        boolean[] mask = new boolean[out.size()];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = out.getDouble(i) <= 0;
        }
        return mask;
    }

    @Override
    public String toString() {
        return "Relu()";
    }
}
