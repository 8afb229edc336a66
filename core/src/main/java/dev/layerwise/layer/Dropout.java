package dev.layerwise.layer;

import dev.layerwise.tensor.Ops;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.tensor.UpdateOps;
import dev.layerwise.util.Rng;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Dropout: in training, each element is kept where a fresh uniform draw exceeds {@code ratio} and zeroed elsewhere.
 *
 * <p><b>Shape</b>: any → the same. <b>Modes</b>: {@link Mode#BOOK} (default) is the book's non-inverted form:
 * training {@code out = x·mask}, inference {@code out = x·(1 − ratio)}. {@link Mode#INVERTED} is the common
 * alternative (PyTorch): training {@code out = x·mask / (1 − ratio)}, inference {@code out = x}. Backward is
 * {@code dx = dout·mask} (divided by {@code 1 − ratio} when inverted). <b>Book</b>: §6.4.3,
 * {@code common/layers.py: Dropout}, whose mask is {@code np.random.rand(*x.shape) > dropout_ratio}.
 *
 * <p>Masks come from the layer's own seeded {@link Rng}, one {@code nextDouble()} per element in row-major order, so
 * a run repeats exactly. {@link #setMask} fixes the mask instead (tests, gradient checks).
 *
 * <pre>{@code
 * Dropout dropout = new Dropout(0.5, Dropout.Mode.BOOK, new Rng(42));
 * Tensor out = dropout.forward(x, true);    // x·mask
 * Tensor dx = dropout.backward(dout);       // dout·mask
 * Tensor y = dropout.forward(xTest, false); // xTest·0.5
 * }</pre>
 */
public final class Dropout implements Layer {
    /** The book's default ratio. */
    public static final double DEFAULT_RATIO = 0.5;

    /** Where the scaling happens: at inference (the book) or in training (inverted dropout). */
    public enum Mode {
        /** The book: training {@code x·mask}, inference {@code x·(1 − ratio)}. */
        BOOK,
        /** Inverted: training {@code x·mask / (1 − ratio)}, inference {@code x}. */
        INVERTED;

        /** Parses {@code book} or {@code inverted}. */
        public static Mode parse(String text) {
            switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "book":
                    return BOOK;
                case "inverted":
                    return INVERTED;
                default:
                    throw new IllegalArgumentException("unknown dropout mode '" + text
                            + "' (expected book or inverted)");
            }
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final double ratio;
    private final Mode mode;
    private final Rng rng;
    private boolean[] mask;
    private boolean[] fixedMask;
    private boolean trained;
    private Tensor out;
    private Tensor dx;

    /** The book's dropout with ratio 0.5 and masks from {@code new Rng(0)}. */
    public Dropout() {
        this(DEFAULT_RATIO);
    }

    /** The book's dropout with the given ratio and masks from {@code new Rng(0)}. */
    public Dropout(double ratio) {
        this(ratio, Mode.BOOK, new Rng(0));
    }

    /** Dropout of the given ratio (in [0, 1)) and mode, drawing masks from {@code rng}. */
    public Dropout(double ratio, Mode mode, Rng rng) {
        if (!(ratio >= 0 && ratio < 1)) {
            throw new IllegalArgumentException("Dropout: ratio must be in [0, 1), got " + ratio);
        }
        this.ratio = ratio;
        this.mode = Objects.requireNonNull(mode, "mode");
        this.rng = Objects.requireNonNull(rng, "rng");
    }

    /** Training mode, as the book's default {@code train_flg=True}. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, true);
    }

    @Override
    public Tensor forward(Tensor x, boolean train) {
        out = Tensor.reuseLike(out, x);
        if (train) {
            if (fixedMask != null) {
                if (fixedMask.length != x.size()) {
                    throw new IllegalArgumentException("Dropout: the fixed mask has " + fixedMask.length
                            + " elements but the input " + Shapes.toString(x.shape()) + " has " + x.size());
                }
                mask = fixedMask;
            } else {
                if (mask == null || mask.length != x.size()) {
                    mask = new boolean[x.size()];
                }
                for (int i = 0; i < mask.length; i++) {
                    mask[i] = rng.nextDouble() > ratio;
                }
            }
            UpdateOps.maskedScale(x, mask, trainScale(), out);
        } else {
            out.copyFrom(x);
            if (mode == Mode.BOOK) {
                Ops.scale(1.0 - ratio, out);
            }
        }
        trained = train;
        return out;
    }

    private double trainScale() {
        return mode == Mode.INVERTED ? 1.0 / (1.0 - ratio) : 1.0;
    }

    /** {@code dx = dout·mask} (scaled when inverted) for the last training-mode forward. */
    @Override
    public Tensor backward(Tensor dout) {
        if (!trained) {
            throw new IllegalStateException("Dropout: backward needs a training-mode forward first");
        }
        if (dout.size() != mask.length || dout.dtype() != out.dtype()) {
            throw new IllegalArgumentException("Dropout: dout " + dout.dtype() + Shapes.toString(dout.shape())
                    + " does not match the forward output " + out);
        }
        dx = Tensor.reuseLike(dx, dout);
        UpdateOps.maskedScale(dout, mask, trainScale(), dx);
        return dx;
    }

    /**
     * Fixes the mask of every following training-mode forward ({@code true} = kept; copied; its length must be the
     * input's size), or with {@code null} goes back to drawing a fresh mask each time. For tests and gradient checks.
     */
    public void setMask(boolean[] fixed) {
        this.fixedMask = fixed == null ? null : fixed.clone();
    }

    /** A copy of the mask of the last training-mode forward ({@code true} = kept), or {@code null} before one. */
    public boolean[] mask() {
        return mask == null ? null : Arrays.copyOf(mask, mask.length);
    }

    public double ratio() {
        return ratio;
    }

    public Mode mode() {
        return mode;
    }

    /** The generator the masks come from (its state can be saved with a checkpoint). */
    @Override
    public Rng rng() {
        return rng;
    }

    @Override
    public String toString() {
        return "Dropout(ratio=" + ratio + ", " + mode + ")";
    }
}
