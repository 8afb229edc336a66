package dev.layerwise.gradcheck;

import dev.layerwise.net.CentralDifference;
import dev.layerwise.tensor.Tensor;
import java.util.function.DoubleSupplier;

/**
 * The book's {@code numerical_gradient(f, x)} (§4.4, {@code common/gradient.py}): central differences
 * {@code (f(x + h) − f(x − h)) / 2h} with {@code h = 1e-4}, one element at a time, each element restored afterwards.
 * The arithmetic is {@link CentralDifference}'s, which the networks use too.
 */
public final class NumericalGradient {
    /** The step of the central difference, as in the book. */
    public static final double H = CentralDifference.H;

    private NumericalGradient() {
    }

    /**
     * The gradient of {@code f} with respect to {@code x}, where {@code f} reads {@code x} (typically a network's loss
     * and one of its parameters). {@code x} is perturbed during the call and holds its original values on return, also
     * when {@code f} throws. Returns a new tensor of the shape and dtype of {@code x}.
     */
    public static Tensor of(DoubleSupplier f, Tensor x) {
        return CentralDifference.gradient(f, x);
    }
}
