package dev.layerwise.data;

import dev.layerwise.tensor.Shapes;
import java.io.IOException;

/**
 * An image made into one example of a model's {@link DataContract}, as the network takes it: what {@code predict}
 * does with an image file and {@code serve} with an image in a request, in one place, so that both give the same
 * answer for the same image.
 *
 * <p>The contract's {@link DataContract.ImageFit fit} says how: {@link DataContract.ImageFit#RESIZE} decodes the image
 * to {@code (C, H, W)} bytes, grey or RGB, resized bilinearly ({@link ImageDecoder#read}); the MNIST digit fit frames
 * it as MNIST's digits were ({@link MnistDigit}), decoded subsampled when it is large. Then each value is normalised
 * as the contract says ({@code value / 255} for pixels). Decoding refuses what is too large, truncated or corrupt with
 * one {@link dev.layerwise.io.FileFormatException} naming the source.
 *
 * <pre>{@code
 * double[] x = ImageExamples.example(ImageDecoder.Source.of(Path.of("7.png")), model.contract(), false);
 * }</pre>
 */
public final class ImageExamples {
    /**
     * A digit image at least twice this size a side is decoded subsampled to between two and four times it: still
     * many times the 20×20 box its ink is scaled into.
     */
    public static final int DIGIT_DECODE_SIZE = 8 * MnistDigit.SIZE;

    private ImageExamples() {
    }

    /**
     * The 784 pixels of a digit image, row-major, in [0, 1], framed as MNIST's digits were; with {@code invert}, a dark
     * digit on a light background is flipped first.
     */
    public static float[] digit(ImageDecoder.Source source, boolean invert) throws IOException {
        return MnistDigit.pixels(ImageDecoder.decode(source, DIGIT_DECODE_SIZE, DIGIT_DECODE_SIZE), invert);
    }

    /**
     * The example {@code contract} makes of the image {@code source}: {@link DataContract#features()} values in the
     * order of its {@code (C, H, W)} shape, normalised as the network takes them.
     *
     * @param invert a dark digit on a light background (only for the MNIST digit fit)
     * @throws IllegalArgumentException if the contract is not of images, or {@code invert} is asked of a model that
     *                                  reads images as they are
     * @throws dev.layerwise.io.FileFormatException naming the source: not an image, too large, truncated or corrupt
     */
    public static double[] example(ImageDecoder.Source source, DataContract contract, boolean invert)
            throws IOException {
        if (contract.kind() != DataContract.Kind.IMAGES) {
            throw new IllegalArgumentException("the model takes table features " + Shapes.toString(
                    contract.exampleShape()) + ", not images");
        }
        double[] x = new double[contract.features()];
        if (contract.imageFit() == DataContract.ImageFit.MNIST_DIGIT) {
            float[] px = digit(source, invert);
            for (int i = 0; i < px.length; i++) {
                // MnistDigit gives value / 255; the contract normalises the 0–255 value. For pixels / 255 this is the
                // framed value itself, exactly.
                x[i] = px[i] * 255.0;
            }
            return normalize(contract, x);
        }
        if (invert) {
            throw new IllegalArgumentException("inverting applies to models of MNIST's digits; this model reads "
                    + "images as they are");
        }
        int[] chw = contract.exampleShape();
        byte[] pixels = new byte[x.length];
        ImageDecoder.read(source, chw[0], chw[1], chw[2], pixels, 0);
        for (int i = 0; i < x.length; i++) {
            x[i] = pixels[i] & 0xFF;
        }
        return normalize(contract, x);
    }

    /** The raw values {@code x} (0–255) as the network takes them, in place. */
    private static double[] normalize(DataContract contract, double[] x) {
        if (contract.normalization() instanceof DataContract.Normalization.Scale s) {
            for (int i = 0; i < x.length; i++) {
                x[i] = x[i] / s.divisor();
            }
            return x;
        }
        DataContract.Normalization.Standardize z = (DataContract.Normalization.Standardize) contract.normalization();
        double[] mean = z.mean();
        double[] std = z.std();
        for (int i = 0; i < x.length; i++) {
            x[i] = (x[i] - mean[i]) / std[i];
        }
        return x;
    }
}
