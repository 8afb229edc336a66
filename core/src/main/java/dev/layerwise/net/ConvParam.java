package dev.layerwise.net;

/**
 * The hyperparameters of one convolution layer, the book's {@code conv_param} dictionary:
 * {@code {'filter_num': 30, 'filter_size': 5, 'pad': 0, 'stride': 1}}. Checked when a network is built, where a bad
 * value can be reported with the layer's name and shapes.
 */
public record ConvParam(int filterNum, int filterSize, int pad, int stride) {

    /** {@code filterNum} square filters of {@code filterSize}, with the given pad and stride. */
    public static ConvParam of(int filterNum, int filterSize, int pad, int stride) {
        return new ConvParam(filterNum, filterSize, pad, stride);
    }

    /** E.g. {@code 30 filters 5×5, pad 0, stride 1}. */
    @Override
    public String toString() {
        return filterNum + " filters " + filterSize + "×" + filterSize + ", pad " + pad + ", stride " + stride;
    }
}
