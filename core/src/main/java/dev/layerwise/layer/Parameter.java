package dev.layerwise.layer;

import dev.layerwise.tensor.Tensor;

/**
 * A learnable tensor and its gradient, under the book's name ({@code W1}, {@code b1}, {@code gamma1}, …).
 *
 * <p>A layer reads {@code value} in forward and writes {@code grad} in backward; an optimizer reads {@code grad} and
 * updates {@code value} in place. Both have the same dtype and shape, and are usually views into one flat array per
 * network (see {@code dev.layerwise.net.Parameters}).
 */
public record Parameter(String name, Tensor value, Tensor grad) {
    public Parameter {
        if (!value.sameShape(grad) || value.dtype() != grad.dtype()) {
            throw new IllegalArgumentException("parameter " + name + ": value " + value + " and gradient " + grad
                    + " differ");
        }
    }

    /** A parameter over {@code value} (not copied) with a zero gradient of its own. */
    public static Parameter of(String name, Tensor value) {
        return new Parameter(name, value, Tensor.zeros(value.dtype(), value.shape()));
    }

    @Override
    public String toString() {
        return name + value.toString().substring("Tensor".length());
    }
}
