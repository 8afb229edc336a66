package dev.layerwise.data;

import dev.layerwise.tensor.Shapes;
import java.awt.image.BufferedImage;
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
 * double[] x = ImageExamples.example(ImageDecoder.Source.of(Path.of("7.png")), model.contract(), false, true);
 * }</pre>
 */
public final class ImageExamples {
    /**
     * A digit image at least twice this size a side is decoded subsampled to between two and four times it: still
     * many times the 20×20 box its ink is scaled into.
     */
    public static final int DIGIT_DECODE_SIZE = 8 * MnistDigit.SIZE;

    /** A border brighter than this on average is a light background: MNIST's is black. */
    private static final double LIGHT_BORDER = 0.5;

    private ImageExamples() {
    }

    /**
     * A digit image made ready for a model of MNIST's digits: its 784 pixels, row-major, in [0, 1], whether they were
     * inverted, and whether the image's background is light (so that one read as it is can be pointed out).
     */
    public record Digit(float[] pixels, boolean inverted, boolean lightBackground) {
    }

    /**
     * A digit image framed as MNIST's digits were. A dark digit on a light background (pen on paper) is flipped
     * first: always with {@code invert}, and with {@code autoInvert} when the image's border is light.
     */
    public static Digit digit(ImageDecoder.Source source, boolean invert, boolean autoInvert) throws IOException {
        BufferedImage img = ImageDecoder.decode(source, DIGIT_DECODE_SIZE, DIGIT_DECODE_SIZE);
        // Judged on the whole image before framing: framing puts any image on a black border.
        boolean light = borderMean(MnistDigit.grey(img, false), img.getWidth(), img.getHeight()) > LIGHT_BORDER;
        boolean inverted = invert || (autoInvert && light);
        return new Digit(MnistDigit.pixels(img, inverted), inverted, light);
    }

    /** The mean of the border pixels of a {@code w × h} grey image. */
    static double borderMean(float[] grey, int w, int h) {
        double sum = 0;
        int n = 0;
        for (int x = 0; x < w; x++) {
            sum += grey[x] + grey[(h - 1) * w + x];
            n += 2;
        }
        for (int y = 1; y < h - 1; y++) {
            sum += grey[y * w] + grey[y * w + w - 1];
            n += 2;
        }
        return n == 0 ? 0 : sum / n;
    }

    /**
     * The example {@code contract} makes of the image {@code source}: {@link DataContract#features()} values in the
     * order of its {@code (C, H, W)} shape, normalised as the network takes them.
     *
     * @param invert a dark digit on a light background (only for the MNIST digit fit)
     * @param autoInvert invert a digit image whose background is light (only for the MNIST digit fit)
     * @throws IllegalArgumentException if the contract is not of images, or {@code invert} is asked of a model that
     *                                  reads images as they are
     * @throws dev.layerwise.io.FileFormatException naming the source: not an image, too large, truncated or corrupt
     */
    public static double[] example(ImageDecoder.Source source, DataContract contract, boolean invert,
            boolean autoInvert) throws IOException {
        if (contract.kind() != DataContract.Kind.IMAGES) {
            throw new IllegalArgumentException("the model takes table features " + Shapes.toString(
                    contract.exampleShape()) + ", not images");
        }
        double[] x = new double[contract.features()];
        if (contract.imageFit() == DataContract.ImageFit.MNIST_DIGIT) {
            float[] px = digit(source, invert, autoInvert).pixels();
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
