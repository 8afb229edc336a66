package dev.layerwise.layer;

import dev.layerwise.tensor.Ops;
import dev.layerwise.tensor.Tensor;

/**
 * Rectified linear unit: {@code out = x} where {@code x > 0}, else 0.
 *
 * <p><b>Shape</b>: any → the same. <b>Book</b>: §5.5.1, {@code common/layers.py: Relu}. Forward keeps the mask of
 * {@code x <= 0} (an input of exactly 0 is masked); backward blocks the upstream gradient exactly there.
 *
 * <pre>{@code
 * Relu relu = new Relu();
 * Tensor out = relu.forward(x);
 * Tensor dx = relu.backward(dout);
 * }</pre>
 */
public final class Relu implements Layer {
    private boolean[] mask;
    private Tensor out;
    private Tensor dx;

    @Override
    public Tensor forward(Tensor x) {
        if (mask == null || mask.length != x.size()) {
            mask = new boolean[x.size()];
        }
        out = Tensor.reuseLike(out, x);
        Ops.reluForward(x, mask, out);
        return out;
    }

    @Override
    public Tensor backward(Tensor dout) {
        if (mask == null || mask.length != dout.size()) {
            throw new IllegalStateException("Relu: backward with dout " + dout + " does not follow a forward of "
                    + (out == null ? "anything" : out.toString()));
        }
        dx = Tensor.reuseLike(dx, dout);
        Ops.reluBackward(dout, mask, dx);
        return dx;
    }

    /** The mask of the last forward: {@code true} where the input was {@code <= 0}. */
    public boolean[] mask() {
        return mask;
    }

    @Override
    public String toString() {
        return "Relu()";
    }
}
