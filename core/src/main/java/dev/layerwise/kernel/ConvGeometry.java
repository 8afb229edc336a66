package dev.layerwise.kernel;

/**
 * A window sliding over images of shape {@code (C, H, W)}: a convolution's filter or a pooling window of
 * {@code filterH × filterW}, moved by {@code stride}, over the images padded with {@code pad} zeros on each side.
 *
 * <p>The output has {@code outH = (H + 2·pad − filterH) / stride + 1} rows (and {@code outW} columns likewise), the
 * division rounded down as in the book ({@code //} in {@code im2col}, {@code int(…)} in the layers): rows and columns
 * of the padded input that no whole window reaches are ignored. A geometry is valid by construction: the constructor
 * rejects a window larger than the padded input, a stride below 1, a negative pad, and empty dimensions.
 *
 * <p><b>Book</b>: §7.4.3, {@code common/util.py: im2col, col2im}.
 */
public record ConvGeometry(int channels, int height, int width, int filterH, int filterW, int stride, int pad) {

    /** @throws IllegalArgumentException saying what does not fit, with the shapes */
    public ConvGeometry {
        String what = filterH + "×" + filterW + " window with stride " + stride + " and pad " + pad;
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("input " + shape(channels, height, width)
                    + " has an empty dimension");
        }
        if (filterH < 1 || filterW < 1) {
            throw new IllegalArgumentException("a " + what + " is empty");
        }
        if (stride < 1) {
            throw new IllegalArgumentException("a " + what + ": the stride must be at least 1");
        }
        if (pad < 0) {
            throw new IllegalArgumentException("a " + what + ": the pad must not be negative");
        }
        long paddedH = height + 2L * pad;
        long paddedW = width + 2L * pad;
        if (filterH > paddedH || filterW > paddedW) {
            throw new IllegalArgumentException("a " + what + " does not fit input "
                    + shape(channels, height, width) + ", which is " + paddedH + "×" + paddedW
                    + " when padded");
        }
        if (paddedH > Integer.MAX_VALUE || paddedW > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a " + what + " over input " + shape(channels, height, width)
                    + " is too large");
        }
    }

    /** Rows of the output: {@code (H + 2·pad − filterH) / stride + 1}, rounded down. */
    public int outH() {
        return (height + 2 * pad - filterH) / stride + 1;
    }

    /** Columns of the output: {@code (W + 2·pad − filterW) / stride + 1}, rounded down. */
    public int outW() {
        return (width + 2 * pad - filterW) / stride + 1;
    }

    /** Output positions per image and channel: {@code outH · outW}, the rows of {@code im2col} per image. */
    public int positions() {
        return outH() * outW();
    }

    /** Elements of one window over all channels: {@code C · filterH · filterW}, the columns of {@code im2col}. */
    public int patchSize() {
        return channels * filterH * filterW;
    }

    /** Elements of one input image: {@code C · H · W}. */
    public int imageSize() {
        return channels * height * width;
    }

    /** The per-image input shape {@code (C, H, W)}. */
    public int[] inputShape() {
        return new int[] {channels, height, width};
    }

    /** E.g. {@code 5×5 window, stride 1, pad 0 over (1, 28, 28) → 24×24}. */
    @Override
    public String toString() {
        return filterH + "×" + filterW + " window, stride " + stride + ", pad " + pad + " over "
                + shape(channels, height, width) + " → " + outH() + "×" + outW();
    }

    /** {@code (c, h, w)}, as the tensors write a shape. */
    private static String shape(int channels, int height, int width) {
        return "(" + channels + ", " + height + ", " + width + ")";
    }
}
