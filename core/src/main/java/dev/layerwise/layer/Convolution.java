package dev.layerwise.layer;

import dev.layerwise.kernel.ConvGeometry;
import dev.layerwise.tensor.Ops;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;
import java.util.List;

/**
 * Convolution through {@code im2col}: {@code out[n][f] = Σ_c W[f][c] ⋆ x[n][c] + b[f]}, computed as a matrix
 * product of the filters with each image's unfolded input.
 *
 * <p><b>Shape</b>: {@code (N, C, H, W)} → {@code (N, FN, OH, OW)} with {@code OH = (H + 2·pad − FH) / stride + 1}
 * rounded down as in the book (likewise {@code OW}). <b>Parameters</b>: {@code W (FN, C, FH, FW)}, {@code b (FN)}.
 * <b>Book</b>: §7.4.3, {@code common/layers.py: Convolution}.
 *
 * <p>The book computes {@code col·col_W + b} with {@code col_W = W.reshape(FN, -1).T} and transposes the result to
 * {@code (N, FN, OH, OW)}. Here the same sums are computed image by image the other way round, {@code W·colT[i] + b},
 * with the filters {@code W.reshape(FN, -1)} as they are and {@code colT} the book's {@code col} with each image's
 * block transposed ({@code (N, C·FH·FW, OH·OW)}, see {@link Ops#im2colT}): the product is then already
 * {@code (FN, OH, OW)} per image, and both operands are read in place. Backward: {@code db} = sums of {@code dout}
 * per filter, {@code dW = doutᵀ·col} with the book's {@code col} of {@code x}, {@code dcolT[i] = Wᵀ·dout[i]},
 * {@code dx = col2imT(dcolT)}; no matrix is transposed in memory but {@code dout}, brought to {@code (FN, N·OH·OW)}
 * for {@code dW}. Forward and {@code dx} go image by image ({@link Ops#convForward}, {@link Ops#convBackwardInput}):
 * each {@code colT[i]} or {@code dcolT[i]} exists only while its image is computed, in a thread's scratch that stays
 * in the cache, never for the whole batch; {@code dW} ({@link Ops#convBackwardWeights}) reads the window elements from
 * {@code x} as the product needs them where the kernels can, so that the whole {@code col} is not made either.
 *
 * <p>Like the book's layer, which keeps {@code self.x}, it keeps a reference to the input of the last forward pass and
 * reads it again in backward: the input must not change between the two.
 *
 * <pre>{@code
 * Convolution conv = new Convolution(params.get("W1"), params.get("b1"), 1, 0);
 * Tensor out = conv.forward(x);      // (N, FN, OH, OW)
 * Tensor dx = conv.backward(dout);   // fills dW and db
 * }</pre>
 */
public final class Convolution implements Layer {
    private final Parameter weight;
    private final Parameter bias;
    private final Tensor b;
    private final Tensor db;
    private final Tensor colW;
    private final Tensor dColW;
    private final int[] filterShape;
    private final int stride;
    private final int pad;

    private ConvGeometry geometry;
    private int n;
    private Tensor x;
    private Tensor out;
    private Tensor doutT;
    private Tensor doutTImages;
    private Tensor dx;
    private boolean inputGradient = true;

    /** A convolution with filters {@code W (FN, C, FH, FW)}, bias {@code b (FN)}, stride 1 and no padding. */
    public Convolution(Parameter W, Parameter b) {
        this(W, b, 1, 0);
    }

    /**
     * A convolution with filters {@code W (FN, C, FH, FW)} and bias {@code b (FN)}.
     *
     * @throws IllegalArgumentException for parameters of other shapes, a stride below 1 or a negative pad
     */
    public Convolution(Parameter W, Parameter b, int stride, int pad) {
        this.filterShape = W.value().shape();
        this.stride = stride;
        this.pad = pad;
        if (W.value().rank() != 4 || b.value().rank() != 1 || b.value().dim(0) != W.value().dim(0)
                || W.value().dtype() != b.value().dtype() || W.value().size() == 0) {
            throw new IllegalArgumentException(this + ": W " + W + " must be (FN, C, FH, FW) and b " + b + " (FN)");
        }
        if (stride < 1 || pad < 0) {
            throw new IllegalArgumentException(this + ": the stride must be at least 1 and the pad at least 0");
        }
        this.weight = W;
        this.bias = b;
        this.b = b.value();
        this.db = b.grad();
        int fn = filterShape[0];
        this.colW = W.value().reshape(fn, -1);
        this.dColW = W.grad().reshape(fn, -1);
    }

    /**
     * The window geometry over per-sample inputs {@code (C, H, W)}.
     *
     * @throws IllegalArgumentException naming this layer and the shapes, when the channels differ from {@code W}'s or
     *                                  the filter does not fit the padded input
     */
    public ConvGeometry geometry(int channels, int height, int width) {
        if (channels != filterShape[1]) {
            throw new IllegalArgumentException(this + ": input " + Shapes.toString(channels, height, width) + " has "
                    + channels + " channels, W has " + filterShape[1]);
        }
        try {
            return new ConvGeometry(channels, height, width, filterShape[2], filterShape[3], stride, pad);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(this + ": " + e.getMessage(), e);
        }
    }

    /** The per-sample output shape {@code (FN, OH, OW)} for a per-sample input shape {@code (C, H, W)}. */
    public int[] outputShape(int... inputShape) {
        if (inputShape.length != 3) {
            throw new IllegalArgumentException(this + ": input " + Shapes.toString(inputShape)
                    + " is not (C, H, W)");
        }
        ConvGeometry g = geometry(inputShape[0], inputShape[1], inputShape[2]);
        return new int[] {filterShape[0], g.outH(), g.outW()};
    }

    /** When not needed (the first layer of a network), backward skips {@code dcolT} and {@code col2imT}. */
    @Override
    public void setInputGradientNeeded(boolean needed) {
        this.inputGradient = needed;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.dtype() != b.dtype()) {
            throw new IllegalArgumentException(this + ": input " + x.dtype() + Shapes.toString(x.shape())
                    + " is not " + b.dtype() + " images (N, " + filterShape[1] + ", H, W)");
        }
        if (geometry == null || geometry.channels() != x.dim(1) || geometry.height() != x.dim(2)
                || geometry.width() != x.dim(3)) {
            geometry = geometry(x.dim(1), x.dim(2), x.dim(3));
        }
        int fn = filterShape[0];
        n = x.dim(0);
        this.x = x;
        out = Tensor.reuse(out, x.dtype(), n, fn, geometry.outH(), geometry.outW());
        Ops.convForward(x, geometry, colW, b, out);
        return out;
    }

    @Override
    public Tensor backward(Tensor dout) {
        if (out == null || !dout.sameShape(out) || dout.dtype() != out.dtype()) {
            throw new IllegalArgumentException(this + ": dout " + dout.dtype() + Shapes.toString(dout.shape())
                    + " does not match the forward output "
                    + (out == null ? "(no forward yet)" : out.dtype() + Shapes.toString(out.shape())));
        }
        int fn = filterShape[0];
        int positions = geometry.positions();
        Tensor before = doutT;
        doutT = Tensor.reuse(doutT, dout.dtype(), fn, n * positions);
        if (doutT != before || doutTImages.dim(1) != n || doutTImages.dim(2) != geometry.outH()) {
            // A new buffer, or the same number of positions in a different (N, OH, OW): view it anew.
            doutTImages = doutT.reshape(fn, n, geometry.outH(), geometry.outW());
        }
        Ops.swapAxes01(dout, doutTImages);
        Ops.sumRows(doutT, db);
        Ops.convBackwardWeights(x, geometry, doutT, dColW);
        if (!inputGradient) {
            return null;
        }
        dx = Tensor.reuse(dx, dout.dtype(), n, geometry.channels(), geometry.height(), geometry.width());
        Ops.convBackwardInput(dout, geometry, colW, dx);
        return dx;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }

    public int stride() {
        return stride;
    }

    public int pad() {
        return pad;
    }

    /** E.g. {@code Convolution(W (30, 1, 5, 5), stride 1, pad 0)}. */
    @Override
    public String toString() {
        return "Convolution(W " + Shapes.toString(filterShape) + ", stride " + stride + ", pad " + pad + ")";
    }
}
