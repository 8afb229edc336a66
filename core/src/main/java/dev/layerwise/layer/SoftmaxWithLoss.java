package dev.layerwise.layer;

import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Ops;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;

/**
 * Softmax followed by the cross-entropy error, the last layer of the book's networks.
 *
 * <p><b>Shape</b>: scores {@code (N, C)} and labels (N indices, or one-hot {@code (N, C)}) → the mean loss, a scalar.
 * <b>Book</b>: §5.6.3, {@code common/layers.py: SoftmaxWithLoss}. Forward computes {@code y = softmax(x)} (row maximum
 * subtracted) and {@code −Σ log(y[i, t_i] + 1e-7) / N}; backward is {@code dx = (y − t) / N}.
 *
 * <pre>{@code
 * SoftmaxWithLoss last = new SoftmaxWithLoss();
 * double loss = last.forward(scores, Labels.of(3, 1, 4));
 * Tensor dx = last.backward();
 * }</pre>
 */
public final class SoftmaxWithLoss {
    private Tensor y;
    private Labels t;
    private Tensor dx;
    private double loss;

    /** The mean cross-entropy loss of {@code softmax(x)} against {@code t}; keeps {@code y} and {@code t}. */
    public double forward(Tensor x, Labels t) {
        if (x.rank() != 2) {
            throw new IllegalArgumentException("SoftmaxWithLoss: scores must be (N, classes), got "
                    + Shapes.toString(x.shape()));
        }
        int n = x.dim(0);
        int classes = x.dim(1);
        t.check(n, classes, "SoftmaxWithLoss");
        this.t = t;
        y = Tensor.reuse(y, x.dtype(), n, classes);
        Ops.softmaxRows(x, y);
        loss = crossEntropy(y, t.indices(), n, classes);
        return loss;
    }

    private static double crossEntropy(Tensor y, int[] t, int n, int classes) {
        double sum = 0;
        if (y.dtype() == DType.FLOAT32) {
            float[] yf = y.floats();
            for (int i = 0; i < n; i++) {
                sum += Math.log(yf[y.offset() + i * classes + t[i]] + Functions.DELTA);
            }
        } else {
            double[] yd = y.doubles();
            for (int i = 0; i < n; i++) {
                sum += Math.log(yd[y.offset() + i * classes + t[i]] + Functions.DELTA);
            }
        }
        return -sum / n;
    }

    /** {@code dx = (y − t) / N} for the last forward (the upstream gradient is 1). */
    public Tensor backward() {
        if (y == null) {
            throw new IllegalStateException("SoftmaxWithLoss: backward before forward");
        }
        int n = y.dim(0);
        int classes = y.dim(1);
        dx = Tensor.reuseLike(dx, y);
        dx.copyFrom(y);
        if (t.isOneHot()) {
            Ops.axpy(-1.0, t.oneHotTensor().dtype() == y.dtype() ? t.oneHotTensor() : t.oneHotTensor().to(y.dtype()),
                    dx);
        } else {
            int[] idx = t.indices();
            for (int i = 0; i < n; i++) {
                int at = i * classes + idx[i];
                dx.setDouble(at, dx.getDouble(at) - 1.0);
            }
        }
        Ops.scale(1.0 / n, dx);
        return dx;
    }

    /** The probabilities {@code y} of the last forward (the layer's buffer). */
    public Tensor y() {
        return y;
    }

    /** The loss of the last forward. */
    public double loss() {
        return loss;
    }

    @Override
    public String toString() {
        return "SoftmaxWithLoss()";
    }
}
