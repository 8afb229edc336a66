package dev.layerwise.cli;

import dev.layerwise.data.ImageDecoder;
import dev.layerwise.data.ImageExamples;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Turns an image file (PNG, JPEG, GIF, BMP; any size and colour) into what MNIST networks expect: 28×28 grey values
 * in [0, 1], a white digit on a black background.
 *
 * <p>A 28×28 image is taken as it is. Any other is normalised as MNIST's digits were: the ink's bounding box is
 * scaled to fit 20×20 (aspect ratio kept) and placed in a 28×28 frame with its centre of mass at the centre. With
 * {@code invert}, a dark digit on a light background (pen on paper) is flipped first.
 */
final class MnistImage {
    static final int SIZE = 28;

    private MnistImage() {
    }

    /** The 784 pixels of {@code file}, row-major, in [0, 1]. */
    static float[] load(Path file, boolean invert) throws IOException {
        // As serve prepares an image in a request: the decoder refuses what is too large or damaged, naming the
        // file; a large photo is decoded subsampled, still many times the digit's 20×20 box.
        return ImageExamples.digit(ImageDecoder.Source.of(file), invert);
    }

    /** The mean of the image's border pixels, for a hint that a digit may have the inverse polarity. */
    static double borderMean(float[] pixels) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < SIZE; i++) {
            sum += pixels[i] + pixels[(SIZE - 1) * SIZE + i] + pixels[i * SIZE] + pixels[i * SIZE + SIZE - 1];
            n += 4;
        }
        return sum / n;
    }
}
