package dev.layerwise.plot;

import dev.layerwise.io.AtomicFiles;
import dev.layerwise.train.Evaluation;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.statistics.HistogramDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The figures of the book as PNG images, drawn headless with JFreeChart: training curves (chapters 4 and 5) and the
 * comparisons of chapter 6. Each method returns an image; {@link #writePng} saves one atomically.
 */
public final class Charts {
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
        new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /**
     * Two panels side by side: the loss of every iteration (light) and its smoothed curve (the book's
     * {@code smooth_curve}), and the training and test accuracy per epoch (the figures of §4.5 and §5.7).
     */
    public static BufferedImage trainingCurves(String title, double[] losses, List<Evaluation> evaluations) {
        XYSeries raw = new XYSeries("loss");
        XYSeries smooth = new XYSeries("loss (smoothed)");
        double[] s = Smoothing.smoothCurve(losses);
        int step = Math.max(1, losses.length / 4000);
        for (int i = 0; i < losses.length; i += step) {
            raw.add(i + 1, losses[i]);
            smooth.add(i + 1, s[i]);
        }
        XYSeriesCollection lossData = new XYSeriesCollection();
        lossData.addSeries(raw);
        lossData.addSeries(smooth);
        JFreeChart loss = ChartFactory.createXYLineChart("loss", "iteration", "loss", lossData,
                PlotOrientation.VERTICAL, true, false, false);
        style(loss);
        ((XYPlot) loss.getPlot()).setSeriesRenderingOrder(org.jfree.chart.plot.SeriesRenderingOrder.FORWARD);
        XYLineAndShapeRenderer lr = (XYLineAndShapeRenderer) ((XYPlot) loss.getPlot()).getRenderer();
        lr.setSeriesPaint(0, new Color(0xaec7e8));
        lr.setSeriesStroke(0, new BasicStroke(0.8f));
        lr.setSeriesPaint(1, new Color(0x1f77b4));
        lr.setSeriesStroke(1, new BasicStroke(2f));

        XYSeries train = new XYSeries("train acc");
        XYSeries test = new XYSeries("test acc");
        for (Evaluation e : evaluations) {
            train.add(e.epoch(), e.trainAccuracy());
            test.add(e.epoch(), e.testAccuracy());
        }
        XYSeriesCollection accData = new XYSeriesCollection();
        accData.addSeries(train);
        accData.addSeries(test);
        JFreeChart acc = ChartFactory.createXYLineChart("accuracy", "epochs", "accuracy", accData,
                PlotOrientation.VERTICAL, true, false, false);
        style(acc);
        XYPlot ap = (XYPlot) acc.getPlot();
        XYLineAndShapeRenderer ar = (XYLineAndShapeRenderer) ap.getRenderer();
        ar.setDefaultShapesVisible(true);
        ar.setSeriesStroke(1, new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {6f, 4f}, 0f));
        NumberAxis y = (NumberAxis) ap.getRangeAxis();
        y.setRange(0, 1.0);
        return sideBySide(title, 1200, 480, loss, acc);
    }

    /**
     * Curves of several runs on one plot, e.g. the loss of each optimizer per iteration. {@code smooth} applies the
     * book's {@code smooth_curve}; {@code yMax} (or NaN) caps the vertical axis as the book's figures do.
     */
    public static BufferedImage lines(String title, String xLabel, String yLabel, Map<String, double[]> series,
                                      boolean smooth, double yMax) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            XYSeries s = new XYSeries(e.getKey());
            double[] v = smooth ? Smoothing.smoothCurve(e.getValue()) : e.getValue();
            int step = Math.max(1, v.length / 4000);
            for (int i = 0; i < v.length; i += step) {
                s.add(i, v[i]);
            }
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL,
                true, false, false);
        style(chart);
        if (!Double.isNaN(yMax)) {
            ((NumberAxis) ((XYPlot) chart.getPlot()).getRangeAxis()).setRange(0, yMax);
        }
        return chart.createBufferedImage(800, 520);
    }

    /** One histogram per layer, side by side: the activation distributions of the book's §6.2 figures. */
    public static BufferedImage histograms(String title, List<String> names, List<double[]> values, int bins,
                                           double min, double max) {
        JFreeChart[] charts = new JFreeChart[values.size()];
        for (int i = 0; i < values.size(); i++) {
            HistogramDataset d = new HistogramDataset();
            d.addSeries(names.get(i), values.get(i), bins, min, max);
            JFreeChart c = ChartFactory.createHistogram(names.get(i), null, null, d, PlotOrientation.VERTICAL,
                    false, false, false);
            style(c);
            XYBarRenderer r = (XYBarRenderer) ((XYPlot) c.getPlot()).getRenderer();
            r.setShadowVisible(false);
            r.setBarPainter(new org.jfree.chart.renderer.xy.StandardXYBarPainter());
            r.setSeriesPaint(0, PALETTE[0]);
            if (i > 0) {
                ((XYPlot) c.getPlot()).getRangeAxis().setTickLabelsVisible(false);
            }
            charts[i] = c;
        }
        return sideBySide(title, 220 * values.size() + 40, 320, charts);
    }

    /** Small multiples on a grid, e.g. the 16 weight scales of the book's batch-norm figure. */
    public static BufferedImage grid(String title, List<BufferedImage> panels, int columns) {
        int w = panels.get(0).getWidth();
        int h = panels.get(0).getHeight();
        int rows = (panels.size() + columns - 1) / columns;
        BufferedImage out = canvas(columns * w, rows * h + 40);
        Graphics2D g = out.createGraphics();
        title(g, title, out.getWidth());
        for (int i = 0; i < panels.size(); i++) {
            g.drawImage(panels.get(i), (i % columns) * w, 40 + (i / columns) * h, null);
        }
        g.dispose();
        return out;
    }

    /** Saves {@code image} as a PNG file, atomically. */
    public static void writePng(BufferedImage image, Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer in this JVM");
            }
        });
    }

    private static BufferedImage sideBySide(String title, int width, int height, JFreeChart... charts) {
        int top = title == null ? 0 : 40;
        BufferedImage out = canvas(width, height + top);
        Graphics2D g = out.createGraphics();
        if (title != null) {
            title(g, title, width);
        }
        int w = width / charts.length;
        for (int i = 0; i < charts.length; i++) {
            charts[i].draw(g, new java.awt.geom.Rectangle2D.Double(i * w, top, w, height));
        }
        g.dispose();
        return out;
    }

    private static BufferedImage canvas(int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.dispose();
        return out;
    }

    private static void title(Graphics2D g, String title, int width) {
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        int tw = g.getFontMetrics().stringWidth(title);
        g.drawString(title, (width - tw) / 2, 26);
    }

    static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        if (chart.getPlot() instanceof XYPlot) {
            XYPlot p = (XYPlot) chart.getPlot();
            p.setBackgroundPaint(Color.WHITE);
            p.setDomainGridlinePaint(new Color(0xdddddd));
            p.setRangeGridlinePaint(new Color(0xdddddd));
            p.setSeriesRenderingOrder(org.jfree.chart.plot.SeriesRenderingOrder.FORWARD);
            if (p.getRenderer() instanceof XYLineAndShapeRenderer) {
                XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) p.getRenderer();
                for (int i = 0; i < PALETTE.length; i++) {
                    r.setSeriesPaint(i, PALETTE[i]);
                    r.setSeriesStroke(i, new BasicStroke(1.6f));
                }
            }
        }
    }
}
