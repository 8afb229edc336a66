package dev.layerwise.layer;

import dev.layerwise.tensor.Ops;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;

/**
 * Fully connected layer: {@code out = x·W + b}.
 *
 * <p><b>Shape</b>: {@code (N, in)} or {@code (N, d1, d2, …)} with {@code d1·d2·… = in}, flattened per sample →
 * {@code (N, out)}. <b>Parameters</b>: {@code W (in, out)}, {@code b (out)}. <b>Book</b>: §5.6.2,
 * {@code common/layers.py: Affine}. Backward: {@code dx = dout·Wᵀ} (in the input's shape), {@code dW = xᵀ·dout},
 * {@code db} = column sums of {@code dout}; no transpose is materialised.
 *
 * <pre>{@code
 * Affine affine = new Affine(params.get("W1"), params.get("b1"));
 * Tensor out = affine.forward(x);      // (N, out)
 * Tensor dx = affine.backward(dout);   // fills dW and db
 * }</pre>
 */
public final class Affine implements Layer {
    private final Parameter weight;
    private final Parameter bias;
    private final Tensor W;
    private final Tensor b;
    private final Tensor dW;
    private final Tensor db;

    private Tensor x;
    private int[] originalXShape;
    private Tensor out;
    private Tensor dx;
    /**
     * The last input of more than two dimensions, its shape and its flat view {@code (N, in)}, and the last {@code dx}
     * and its view in that shape: kept while the neighbouring layers hand back the same buffers, so that a steady
     * training step makes no new views.
     */
    private Tensor images;
    private int[] imagesShape;
    private Tensor imagesFlat;
    private Tensor dxOfImages;
    private Tensor dxImages;
    private boolean inputGradient = true;

    /** An affine layer over the given weight {@code (in, out)} and bias {@code (out)}. */
    public Affine(Parameter W, Parameter b) {
        if (W.value().rank() != 2 || b.value().rank() != 1 || b.value().dim(0) != W.value().dim(1)
                || W.value().dtype() != b.value().dtype()) {
            throw new IllegalArgumentException("Affine: W " + W + " must be (in, out) and b " + b + " (out)");
        }
        this.weight = W;
        this.bias = b;
        this.W = W.value();
        this.b = b.value();
        this.dW = W.grad();
        this.db = b.grad();
    }

    /** When not needed (the first layer of a network), backward skips {@code dx = dout·Wᵀ} and returns null. */
    @Override
    public void setInputGradientNeeded(boolean needed) {
        this.inputGradient = needed;
    }

    @Override
    public Tensor forward(Tensor x) {
        int in = W.dim(0);
        if (x.rank() < 2 || x.dtype() != W.dtype() || x.size() / Math.max(1, x.dim(0)) != in) {
            throw new IllegalArgumentException("Affine(" + in + " → " + W.dim(1) + "): input " + x.dtype()
                    + Shapes.toString(x.shape()) + " does not match W " + W.dtype() + Shapes.toString(W.shape())
                    + " (expected (N, " + in + ") or (N, …) with " + in + " features per sample)");
        }
        int n = x.dim(0);
        if (x.rank() == 2) {
            this.originalXShape = null;
            this.x = x;
        } else {
            if (x != images) {
                images = x;
                imagesShape = x.shape();
                imagesFlat = x.reshape(n, in);
            }
            this.originalXShape = imagesShape;
            this.x = imagesFlat;
        }
        out = Tensor.reuse(out, W.dtype(), n, W.dim(1));
        Ops.matmulBias(this.x, W, b, out);
        return out;
    }

    @Override
    public Tensor backward(Tensor dout) {
        if (x == null || dout.rank() != 2 || dout.dim(0) != x.dim(0) || dout.dim(1) != W.dim(1)
                || dout.dtype() != W.dtype()) {
            throw new IllegalArgumentException("Affine(" + W.dim(0) + " → " + W.dim(1) + "): dout " + dout.dtype()
                    + Shapes.toString(dout.shape()) + " does not match the forward output "
                    + (out == null ? "(no forward yet)" : out.dtype() + Shapes.toString(out.shape())));
        }
        Ops.matmulTransA(x, dout, dW);
        Ops.sumColumns(dout, db);
        if (!inputGradient) {
            return null;
        }
        dx = Tensor.reuse(dx, W.dtype(), x.dim(0), x.dim(1));
        Ops.matmulTransB(dout, W, dx);
        if (originalXShape == null) {
            return dx;
        }
        if (dx != dxOfImages || !dxImages.hasShape(originalXShape)) {
            dxOfImages = dx;
            dxImages = dx.reshape(originalXShape);
        }
        return dxImages;
    }

    @Override
    public java.util.List<Parameter> parameters() {
        return java.util.List.of(weight, bias);
    }

    @Override
    public String toString() {
        return "Affine(" + W.dim(0) + " → " + W.dim(1) + ", " + W.dtype() + ")";
    }
}
