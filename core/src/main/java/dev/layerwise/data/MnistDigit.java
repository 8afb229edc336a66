package dev.layerwise.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * An image of a digit made into what MNIST networks expect, as MNIST's digits were made: 28×28 grey values in [0, 1],
 * white on black, the ink's bounding box scaled to fit 20×20 (aspect ratio kept) and placed with its centre of mass at
 * the centre of the 28×28 frame. A 28×28 image is taken as it is. The {@link DataContract.ImageFit#MNIST_DIGIT} fit.
 *
 * <pre>{@code
 * float[] x = MnistDigit.pixels(ImageIO.read(file), false);   // 784 values, row-major
 * }</pre>
 */
public final class MnistDigit {
    /** The side of an MNIST image. */
    public static final int SIZE = 28;
    /** The side of the box the digit's ink is scaled into. */
    private static final int BOX = 20;

    private MnistDigit() {
    }

    /**
     * The 784 pixels of {@code img}, row-major, in [0, 1]: grey (luminance), framed as MNIST's digits unless the image
     * is already 28×28. With {@code invert}, a dark digit on a light background (pen on paper) is flipped first.
     */
    public static float[] pixels(BufferedImage img, boolean invert) {
        int w = img.getWidth();
        int h = img.getHeight();
        float[] grey = grey(img, invert);
        return w == SIZE && h == SIZE ? grey : frame(grey, w, h);
    }

    /** The luminance of every pixel in [0, 1], row-major; transparent pixels count as background. */
    public static float[] grey(BufferedImage img, boolean invert) {
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
        return grey;
    }

    /**
     * MNIST's size normalisation of a {@code w × h} grey image (values in [0, 1], ink bright): the bounding box of the
     * pixels above 0.1 to 20×20, its centre of mass to the centre of 28×28. An image with no ink gives zeros.
     */
    public static float[] frame(float[] grey, int w, int h) {
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
}
