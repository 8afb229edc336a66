package dev.layerwise.layer;

import dev.layerwise.tensor.Ops;
import dev.layerwise.tensor.Tensor;

/**
 * Logistic sigmoid: {@code out = 1 / (1 + exp(−x))}, computed without overflow for large {@code |x|}.
 *
 * <p><b>Shape</b>: any → the same. <b>Book</b>: §5.5.2, {@code common/layers.py: Sigmoid}. Forward keeps its output
 * {@code out}; backward is {@code dx = dout · (1 − out) · out}.
 *
 * <pre>{@code
 * Sigmoid sigmoid = new Sigmoid();
 * Tensor y = sigmoid.forward(x);
 * Tensor dx = sigmoid.backward(dout);
 * }</pre>
 */
public final class Sigmoid implements Layer {
    private Tensor out;
    private Tensor dx;

    @Override
    public Tensor forward(Tensor x) {
        out = Tensor.reuseLike(out, x);
        Ops.sigmoidForward(x, out);
        return out;
    }

    @Override
    public Tensor backward(Tensor dout) {
        if (out == null || out.size() != dout.size() || out.dtype() != dout.dtype()) {
            throw new IllegalArgumentException("Sigmoid: dout " + dout + " does not match the forward output "
                    + (out == null ? "(no forward yet)" : out.toString()));
        }
        dx = Tensor.reuseLike(dx, dout);
        Ops.sigmoidBackward(dout, out, dx);
        return dx;
    }

    @Override
    public String toString() {
        return "Sigmoid()";
    }
}
