package dev.layerwise.cli;

import dev.layerwise.data.ImageDecoder;
import dev.layerwise.data.ImageExamples;
import dev.layerwise.data.MnistDigit;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Turns an image file (PNG, JPEG, GIF, BMP; any size and colour) into what MNIST networks expect: 28×28 grey values
 * in [0, 1], a white digit on a black background.
 *
 * <p>A 28×28 image is taken as it is. Any other is normalised as MNIST's digits were: the ink's bounding box is
 * scaled to fit 20×20 (aspect ratio kept) and placed in a 28×28 frame with its centre of mass at the centre. A dark
 * digit on a light background (pen on paper) is flipped first: always with {@code invert}, and with
 * {@code autoInvert} when the image's border is light.
 */
final class MnistImage {
    static final int SIZE = 28;
    /** A border brighter than this on average is a light background: MNIST's is black. */
    private static final double LIGHT_BORDER = 0.5;

    private MnistImage() {
    }

    /**
     * An image read for a digit model: its 784 pixels, whether they were inverted, and whether its background is
     * light (so that an image read as it is can be pointed out).
     */
    record Digit(float[] pixels, boolean inverted, boolean lightBackground) {
    }

    /** The 784 pixels of {@code file}, row-major, in [0, 1]. */
    static Digit load(Path file, boolean invert, boolean autoInvert) throws IOException {
        // The decoder refuses what is too large or damaged, naming the file; a large photo is decoded subsampled,
        // still many times the digit's 20×20 box.
        BufferedImage img = ImageDecoder.decode(ImageDecoder.Source.of(file), ImageExamples.DIGIT_DECODE_SIZE,
                ImageExamples.DIGIT_DECODE_SIZE);
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
}
