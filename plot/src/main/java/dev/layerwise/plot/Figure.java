package dev.layerwise.plot;

import dev.layerwise.io.AtomicFiles;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.jfree.svg.SVGGraphics2D;

/**
 * A figure of {@code width × height} pixels on a white background, drawn by one painter onto any {@link Graphics2D}:
 * the same drawing gives a PNG (pixels, {@link #toImage()}) and an SVG (vectors and text, {@link #toSvg()}).
 * {@link #write} picks the format from the file's extension.
 *
 * <pre>{@code
 * Figure f = Charts.trainingCurves("TwoLayerNet on MNIST", "SGD lr 0.1, 10000 iterations", losses, evaluations);
 * f.write(Path.of("curves.svg"));
 * }</pre>
 */
public final class Figure {
    /** The formats a figure can be written in, each named by its file extension (any case). */
    public enum Format {
        PNG, SVG;

        /** The extension, with its dot: {@code .png}, {@code .svg}. */
        public String extension() {
            return "." + name().toLowerCase(Locale.ROOT);
        }

        /** The format {@code file}'s name asks for, or null when its extension is none of these. */
        public static Format of(Path file) {
            Path name = file.getFileName();
            String n = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
            for (Format f : values()) {
                if (n.endsWith(f.extension()) && n.length() > f.extension().length()) {
                    return f;
                }
            }
            return null;
        }
    }

    private final int width;
    private final int height;
    private final Consumer<Graphics2D> painter;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** A figure that {@code painter} draws on a white {@code width × height} canvas. */
    public Figure(int width, int height, Consumer<Graphics2D> painter) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("a figure needs a positive size, got " + width + "×" + height);
        }
        this.width = width;
        this.height = height;
        this.painter = Objects.requireNonNull(painter, "painter");
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Draws the figure onto {@code g}, whose origin is the figure's top left corner: the white background first. */
    public void paint(Graphics2D g) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        painter.accept(g);
    }

    /** The figure as pixels. */
    public BufferedImage toImage() {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            paint(g);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** The figure as an SVG document: shapes as paths, text as text. */
    public String toSvg() {
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        // Coordinates to a hundredth of a pixel, finer than any screen or printer shows, keep the file small; a fixed
        // prefix for the ids of clip paths (by default taken from the clock) makes the same figure the same file.
        DecimalFormat coordinate = new DecimalFormat("0.##", DecimalFormatSymbols.getInstance(Locale.ROOT));
        g.setGeomDoubleConverter(coordinate::format);
        g.setDefsKeyPrefix("layerwise");
        paint(g);
        return g.getSVGDocument();
    }

    /**
     * Writes the figure to {@code file}, atomically, as PNG or SVG by its extension ({@code .png}, {@code .svg}, any
     * case).
     *
     * @throws IllegalArgumentException when the extension is neither
     */
    public void write(Path file) throws IOException {
        Format format = Format.of(file);
        if (format == null) {
            throw new IllegalArgumentException("cannot write a figure to " + file + ": name a .png or .svg file");
        }
        if (format == Format.SVG) {
            byte[] svg = toSvg().getBytes(StandardCharsets.UTF_8);
            AtomicFiles.write(file, out -> out.write(svg));
        } else {
            Charts.writePng(toImage(), file);
        }
    }
}
