package dev.layerwise.layer;

import dev.layerwise.kernel.ConvGeometry;
import dev.layerwise.tensor.Ops;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;

/**
 * Max pooling: each output is the maximum of its {@code poolH × poolW} window, channel by channel.
 *
 * <p><b>Shape</b>: {@code (N, C, H, W)} → {@code (N, C, OH, OW)} with {@code OH = (H + 2·pad − poolH) / stride + 1}
 * rounded down as in the book (likewise {@code OW}). <b>Book</b>: §7.4.4, {@code common/layers.py: Pooling}.
 *
 * <p>Forward keeps, for each output, where the first maximum of its window lies (in the window's row-major order, as
 * NumPy's {@code argmax} over an {@code im2col} row); backward routes {@code dout} there and nowhere else, so on a tie
 * only the first maximum gets the gradient. The window is scanned directly, without {@code im2col}.
 *
 * <p>Padding: the book's {@code im2col} pads with zeros, so a padded cell takes part in the maximum as a 0 (PyTorch
 * pads with −∞ instead), and a gradient routed there is dropped. The book's own {@code Pooling} leaves the pad out of
 * its output size and so fails for any pad above 0; here the output size counts it, as {@code im2col} does.
 *
 * <pre>{@code
 * Pooling pool = new Pooling(2, 2, 2);
 * Tensor out = pool.forward(x);      // (N, C, H/2, W/2)
 * Tensor dx = pool.backward(dout);
 * }</pre>
 */
public final class Pooling implements Layer {
    private final int poolH;
    private final int poolW;
    private final int stride;
    private final int pad;

    private ConvGeometry geometry;
    private int[] argMax = new int[0];
    private Tensor out;
    private Tensor dx;

    /** Max pooling over {@code poolH × poolW} windows moved by {@code stride}, without padding. */
    public Pooling(int poolH, int poolW, int stride) {
        this(poolH, poolW, stride, 0);
    }

    /**
     * Max pooling over {@code poolH × poolW} windows moved by {@code stride}, over inputs padded with {@code pad}
     * zeros.
     *
     * @throws IllegalArgumentException for an empty window, a stride below 1 or a negative pad
     */
    public Pooling(int poolH, int poolW, int stride, int pad) {
        this.poolH = poolH;
        this.poolW = poolW;
        this.stride = stride;
        this.pad = pad;
        if (poolH < 1 || poolW < 1 || stride < 1 || pad < 0) {
            throw new IllegalArgumentException(this + ": the window must be at least 1×1, the stride at least 1 "
                    + "and the pad at least 0");
        }
    }

    /**
     * The window geometry over per-sample inputs {@code (C, H, W)}.
     *
     * @throws IllegalArgumentException naming this layer and the shapes, when the window does not fit the padded input
     */
    public ConvGeometry geometry(int channels, int height, int width) {
        try {
            return new ConvGeometry(channels, height, width, poolH, poolW, stride, pad);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(this + ": " + e.getMessage(), e);
        }
    }

    /** The per-sample output shape {@code (C, OH, OW)} for a per-sample input shape {@code (C, H, W)}. */
    public int[] outputShape(int... inputShape) {
        if (inputShape.length != 3) {
            throw new IllegalArgumentException(this + ": input " + Shapes.toString(inputShape)
                    + " is not (C, H, W)");
        }
        ConvGeometry g = geometry(inputShape[0], inputShape[1], inputShape[2]);
        return new int[] {g.channels(), g.outH(), g.outW()};
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException(this + ": input " + x.dtype() + Shapes.toString(x.shape())
                    + " is not images (N, C, H, W)");
        }
        if (geometry == null || geometry.channels() != x.dim(1) || geometry.height() != x.dim(2)
                || geometry.width() != x.dim(3)) {
            geometry = geometry(x.dim(1), x.dim(2), x.dim(3));
        }
        out = Tensor.reuse(out, x.dtype(), x.dim(0), geometry.channels(), geometry.outH(), geometry.outW());
        if (argMax.length != out.size()) {
            argMax = new int[out.size()];
        }
        Ops.maxPoolForward(x, geometry, argMax, out);
        return out;
    }

    @Override
    public Tensor backward(Tensor dout) {
        if (out == null || !dout.sameShape(out) || dout.dtype() != out.dtype()) {
            throw new IllegalArgumentException(this + ": dout " + dout.dtype() + Shapes.toString(dout.shape())
                    + " does not match the forward output "
                    + (out == null ? "(no forward yet)" : out.dtype() + Shapes.toString(out.shape())));
        }
        dx = Tensor.reuse(dx, dout.dtype(), dout.dim(0), geometry.channels(), geometry.height(), geometry.width());
        Ops.maxPoolBackward(dout, geometry, argMax, dx);
        return dx;
    }

    /**
     * Where each output's maximum was found in the last forward: the index {@code iy·W + ix} in its channel's plane,
     * or −1 for the padding; one per output element, in the output's order.
     */
    public int[] argMax() {
        return argMax;
    }

    public int poolH() {
        return poolH;
    }

    public int poolW() {
        return poolW;
    }

    public int stride() {
        return stride;
    }

    public int pad() {
        return pad;
    }

    /** E.g. {@code Pooling(2×2, stride 2, pad 0)}. */
    @Override
    public String toString() {
        return "Pooling(" + poolH + "×" + poolW + ", stride " + stride + ", pad " + pad + ")";
    }
}
