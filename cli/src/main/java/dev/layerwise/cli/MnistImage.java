package dev.layerwise.cli;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import dev.layerwise.data.ImageDecoder;
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
    private static final int BOX = 20;
    /** Images at least twice this size a side are decoded subsampled to between two and four times it. */
    private static final int DECODE_SIZE = 8 * SIZE;

    private MnistImage() {
    }

    /** The 784 pixels of {@code file}, row-major, in [0, 1]. */
    static float[] load(Path file, boolean invert) throws IOException {
        // The decoder refuses what is too large or damaged, naming the file; a large photo is decoded subsampled,
        // still many times the digit's 20×20 box.
        BufferedImage img = ImageDecoder.decode(file, DECODE_SIZE, DECODE_SIZE);
        int w = img.getWidth();
        int h = img.getHeight();
        float[] grey = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = img.getRGB(x, y);
                double a = (argb >>> 24) / 255.0;
                double lum = (0.299 * ((argb >> 16) & 0xFF) + 0.587 * ((argb >> 8) & 0xFF) + 0.114 * (argb & 0xFF))
                        / 255.0;
                // Transparent pixels are background: black, or white when the digit is dark on light.
                double background = invert ? 1.0 : 0.0;
                double v = a * lum + (1 - a) * background;
                grey[y * w + x] = (float) (invert ? 1.0 - v : v);
            }
        }
        if (w == SIZE && h == SIZE) {
            return grey;
        }
        return normalise(grey, w, h);
    }

    /** MNIST's size normalisation: bounding box to 20×20, centre of mass to the centre of 28×28. */
    static float[] normalise(float[] grey, int w, int h) {
        int x0 = w;
        int y0 = h;
        int x1 = -1;
        int y1 = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (grey[y * w + x] > 0.1f) {
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x);
                    y1 = Math.max(y1, y);
                }
            }
        }
        float[] out = new float[SIZE * SIZE];
        if (x1 < 0) {
            return out;
        }
        int bw = x1 - x0 + 1;
        int bh = y1 - y0 + 1;
        double scale = (double) BOX / Math.max(bw, bh);
        int sw = Math.max(1, (int) Math.round(bw * scale));
        int sh = Math.max(1, (int) Math.round(bh * scale));
        BufferedImage box = new BufferedImage(bw, bh, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < bh; y++) {
            for (int x = 0; x < bw; x++) {
                int v = Math.round(Math.max(0f, Math.min(1f, grey[(y0 + y) * w + x0 + x])) * 255);
                box.getRaster().setSample(x, y, 0, v);
            }
        }
        BufferedImage scaled = new BufferedImage(sw, sh, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = scaled.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(box.getScaledInstance(sw, sh, java.awt.Image.SCALE_AREA_AVERAGING), 0, 0, null);
        g.dispose();
        double mass = 0;
        double cx = 0;
        double cy = 0;
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                double v = scaled.getRaster().getSample(x, y, 0) / 255.0;
                mass += v;
                cx += v * x;
                cy += v * y;
            }
        }
        int ox = (int) Math.round(SIZE / 2.0 - (mass > 0 ? cx / mass : sw / 2.0) - 0.5);
        int oy = (int) Math.round(SIZE / 2.0 - (mass > 0 ? cy / mass : sh / 2.0) - 0.5);
        ox = Math.max(0, Math.min(SIZE - sw, ox));
        oy = Math.max(0, Math.min(SIZE - sh, oy));
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                out[(oy + y) * SIZE + ox + x] = scaled.getRaster().getSample(x, y, 0) / 255f;
            }
        }
        return out;
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
