package dev.layerwise.plot;

import dev.layerwise.io.AtomicFiles;
import dev.layerwise.train.Evaluation;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.RangeType;
import org.jfree.data.statistics.HistogramDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The figures of the book, drawn headless with JFreeChart: training curves (chapters 4 and 5) and the comparisons of
 * chapter 6. Each method returns a {@link Figure}, which {@link Figure#write} saves as PNG or SVG; {@link #writePng}
 * saves pixel images (those of {@link Images}) atomically.
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
     * {@code smooth_curve}), and the training and test accuracy per epoch (the figures of §4.5 and §5.7), under
     * {@code title} and, when not null, a line {@code subtitle} saying how the run was made.
     */
    public static Figure trainingCurves(String title, String subtitle, double[] losses,
                                        List<Evaluation> evaluations) {
        return sideBySide(title, subtitle, 1200, 480, lossChart(losses), accuracyChart(evaluations));
    }

    /** The loss of every iteration and its smoothed curve. */
    static JFreeChart lossChart(double[] losses) {
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
        XYPlot p = (XYPlot) loss.getPlot();
        p.setSeriesRenderingOrder(org.jfree.chart.plot.SeriesRenderingOrder.FORWARD);
        XYLineAndShapeRenderer lr = (XYLineAndShapeRenderer) p.getRenderer();
        lr.setSeriesPaint(0, new Color(0xaec7e8));
        lr.setSeriesStroke(0, new BasicStroke(0.8f));
        lr.setSeriesPaint(1, new Color(0x1f77b4));
        lr.setSeriesStroke(1, new BasicStroke(2f));
        // One path per series rather than one element per step keeps an SVG small, and joins the corners.
        lr.setDrawSeriesLineAsPath(true);
        // A single step has no segment to draw: its marker shows it.
        lr.setSeriesShapesVisible(0, losses.length == 1);
        lr.setSeriesShapesVisible(1, losses.length == 1);
        countAxis((NumberAxis) p.getDomainAxis());
        // A loss is never negative: from 0, the axis also has a height when a run of one step has one value.
        NumberAxis y = (NumberAxis) p.getRangeAxis();
        y.setAutoRangeIncludesZero(true);
        y.setAutoRangeMinimumSize(0.1);
        return loss;
    }

    /** The training and test accuracy per epoch, on [0, 1]. */
    static JFreeChart accuracyChart(List<Evaluation> evaluations) {
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
        ar.setDrawSeriesLineAsPath(true);
        ar.setSeriesStroke(1, new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {6f, 4f}, 0f));
        NumberAxis y = (NumberAxis) ap.getRangeAxis();
        y.setRange(0, 1.0);
        countAxis((NumberAxis) ap.getDomainAxis());
        return acc;
    }

    /**
     * Makes {@code axis} an axis of iterations or epochs: from 0 (as the book's figures), at least 1 long, ticks on
     * whole numbers. Left to itself, JFreeChart widens the zero-width range of a single point (the one evaluation of a
     * one-epoch run) to 1e-8 and labels it with ticks of that size, each printed "1E0".
     */
    static void countAxis(NumberAxis axis) {
        axis.setRangeType(RangeType.POSITIVE);
        axis.setAutoRangeIncludesZero(true);
        axis.setAutoRangeMinimumSize(1.0);
        axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits(Locale.ROOT));
    }

    /**
     * Curves of several runs on one plot, e.g. the loss of each optimizer per iteration. {@code smooth} applies the
     * book's {@code smooth_curve}; {@code yMax} (or NaN) caps the vertical axis as the book's figures do.
     */
    public static Figure lines(String title, String xLabel, String yLabel, Map<String, double[]> series,
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
        countAxis((NumberAxis) ((XYPlot) chart.getPlot()).getDomainAxis());
        if (!Double.isNaN(yMax)) {
            ((NumberAxis) ((XYPlot) chart.getPlot()).getRangeAxis()).setRange(0, yMax);
        }
        return new Figure(800, 520, g -> chart.draw(g, new Rectangle2D.Double(0, 0, 800, 520)));
    }

    /** One histogram per layer, side by side: the activation distributions of the book's §6.2 figures. */
    public static Figure histograms(String title, List<String> names, List<double[]> values, int bins,
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
        return sideBySide(title, null, 220 * values.size() + 40, 320, charts);
    }

    /** Small multiples on a grid, e.g. the 16 weight scales of the book's batch-norm figure. */
    public static Figure grid(String title, List<Figure> panels, int columns) {
        int w = panels.get(0).width();
        int h = panels.get(0).height();
        int rows = (panels.size() + columns - 1) / columns;
        return new Figure(columns * w, rows * h + 40, g -> {
            title(g, title, columns * w);
            for (int i = 0; i < panels.size(); i++) {
                Graphics2D panel = (Graphics2D) g.create((i % columns) * w, 40 + (i / columns) * h, w, h);
                try {
                    panels.get(i).paint(panel);
                } finally {
                    panel.dispose();
                }
            }
        });
    }

    /** Saves {@code image} as a PNG file, atomically. */
    public static void writePng(BufferedImage image, Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer in this JVM");
            }
        });
    }

    private static Figure sideBySide(String title, String subtitle, int width, int height, JFreeChart... charts) {
        int top = title == null ? 0 : subtitle == null ? 40 : 60;
        return new Figure(width, height + top, g -> {
            if (title != null) {
                title(g, title, width);
            }
            if (subtitle != null) {
                g.setColor(Color.DARK_GRAY);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
                int sw = g.getFontMetrics().stringWidth(subtitle);
                g.drawString(subtitle, Math.max(4, (width - sw) / 2), 48);
            }
            int w = width / charts.length;
            for (int i = 0; i < charts.length; i++) {
                charts[i].draw(g, new Rectangle2D.Double(i * w, top, w, height));
            }
        });
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
