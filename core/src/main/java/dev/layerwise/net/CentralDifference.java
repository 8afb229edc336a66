package dev.layerwise.net;

import dev.layerwise.tensor.Tensor;
import java.util.function.DoubleSupplier;

/**
 * The central difference {@code (f(x + h) − f(x − h)) / 2h} with {@code h = 1e-4}, one element at a time, each element
 * restored afterwards: the primitive under the book's {@code numerical_gradient}. It lives beside the networks, which
 * use it for {@link Sequential#numericalGradient}; the gradient check ({@code dev.layerwise.gradcheck}) builds on both.
 */
public final class CentralDifference {
    /** The step, as in the book. */
    public static final double H = 1e-4;

    private CentralDifference() {
    }

    /**
     * The gradient of {@code f} with respect to {@code x}, where {@code f} reads {@code x}. {@code x} is perturbed
     * during the call and holds its original values on return, also when {@code f} throws. Returns a new tensor of
     * the shape and dtype of {@code x}.
     */
    public static Tensor gradient(DoubleSupplier f, Tensor x) {
        Tensor grad = Tensor.zeros(x.dtype(), x.shape());
        for (int i = 0; i < x.size(); i++) {
            double tmp = x.getDouble(i);
            try {
                x.setDouble(i, tmp + H);
                double fxh1 = f.getAsDouble();
                x.setDouble(i, tmp - H);
                double fxh2 = f.getAsDouble();
                grad.setDouble(i, (fxh1 - fxh2) / (2 * H));
            } finally {
                x.setDouble(i, tmp);
            }
        }
        return grad;
    }
}
