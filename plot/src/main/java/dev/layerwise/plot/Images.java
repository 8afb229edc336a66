package dev.layerwise.plot;

import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Pictures of what a network sees: its first layer's filters (the book's {@code ch07/visualize_filter.py}) and
 * digits with captions (the book's {@code ch08/misclassified_mnist.py}).
 */
public final class Images {
    private Images() {
    }

    /**
     * The filters {@code W (FN, C, FH, FW)} of a convolution, channel 0 of each, as a grid of grey squares (8 per
     * row), each scaled to its own minimum and maximum as {@code plt.imshow} does, and enlarged {@code scale} times.
     */
    public static BufferedImage filters(Tensor W, int scale) {
        if (W.rank() != 4) {
            throw new IllegalArgumentException("filters must be (FN, C, FH, FW), got " + Shapes.toString(W.shape()));
        }
        int fn = W.dim(0);
        int fh = W.dim(2);
        int fw = W.dim(3);
        int perFilter = W.dim(1) * fh * fw;
        int columns = Math.min(8, fn);
        int rows = (fn + columns - 1) / columns;
        int cell = Math.max(fh, fw) * scale;
        int gap = Math.max(2, scale);
        BufferedImage out = new BufferedImage(columns * (cell + gap) + gap, rows * (cell + gap) + gap,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        for (int f = 0; f < fn; f++) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < fh * fw; i++) {
                double v = W.getDouble(f * perFilter + i);
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            int x0 = gap + (f % columns) * (cell + gap);
            int y0 = gap + (f / columns) * (cell + gap);
            for (int y = 0; y < fh; y++) {
                for (int x = 0; x < fw; x++) {
                    double v = W.getDouble(f * perFilter + y * fw + x);
                    int grey = max > min ? (int) Math.round(255 * (v - min) / (max - min)) : 128;
                    // The book shows filters with cmap=gray_r: large weights dark.
                    g.setColor(new Color(255 - grey, 255 - grey, 255 - grey));
                    g.fillRect(x0 + x * scale, y0 + y * scale, scale, scale);
                }
            }
        }
        g.dispose();
        return out;
    }

    /**
     * Digits as a grid (10 per row), each a 28×28 image of values in [0, 1] (white on black as MNIST stores them,
     * drawn black on white as the book does), enlarged {@code scale} times, with a caption under each.
     */
    public static BufferedImage digits(List<float[]> images, List<String> captions, int scale) {
        int columns = Math.min(10, Math.max(1, images.size()));
        int rows = Math.max(1, (images.size() + columns - 1) / columns);
        int cell = 28 * scale;
        int captionHeight = 18;
        BufferedImage out = new BufferedImage(columns * (cell + 6) + 6, rows * (cell + captionHeight + 6) + 6,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        for (int i = 0; i < images.size(); i++) {
            float[] px = images.get(i);
            int x0 = 6 + (i % columns) * (cell + 6);
            int y0 = 6 + (i / columns) * (cell + captionHeight + 6);
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    int v = 255 - Math.round(Math.max(0f, Math.min(1f, px[y * 28 + x])) * 255);
                    g.setColor(new Color(v, v, v));
                    g.fillRect(x0 + x * scale, y0 + y * scale, scale, scale);
                }
            }
            g.setColor(Color.DARK_GRAY);
            g.drawRect(x0 - 1, y0 - 1, cell + 1, cell + 1);
            if (i < captions.size()) {
                g.setColor(Color.BLACK);
                g.drawString(captions.get(i), x0 + 2, y0 + cell + 14);
            }
        }
        g.dispose();
        return out;
    }
}
