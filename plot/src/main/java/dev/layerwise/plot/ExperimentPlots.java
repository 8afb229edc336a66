package dev.layerwise.plot;

import dev.layerwise.experiment.ExperimentResult;
import dev.layerwise.experiment.Experiments;
import dev.layerwise.experiment.Table;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.util.ShapeUtils;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The book's chapter-6 figures, drawn from what an experiment of {@code dev.layerwise.experiment} found (its tables):
 * <ul>
 *   <li>{@code optimizers} ({@code ch06/optimizer_compare_mnist.py}): the loss of SGD, Momentum, AdaGrad and Adam per
 *       iteration, smoothed by the book's {@code smooth_curve}, the vertical axis capped at 1;</li>
 *   <li>{@code weight-init} ({@code ch06/weight_init_compare.py}): the loss per iteration for std 0.01, Xavier and He,
 *       smoothed, capped at 2.5; under it the activation histograms of 5 ReLU layers for each initialisation
 *       ({@code ch06/weight_init_activation_histogram.py}, the book's figure 6-14, counts capped at 7000);</li>
 *   <li>{@code batchnorm} ({@code ch06/batch_norm_test.py}): one small panel per initial weight scale, 4 to a row, of
 *       the training accuracy per epoch with and without batch norm;</li>
 *   <li>{@code weight-decay} and {@code dropout} ({@code ch06/overfit_weight_decay.py}, {@code overfit_dropout.py}):
 *       training and test accuracy per epoch without the remedy and with it, side by side.</li>
 * </ul>
 * Every figure has a title, a line naming the experiment and saying how it was run (and with which seed and number
 * type, when given its settings), the book's script, axis labels and a legend.
 *
 * <pre>{@code
 * Experiments.Settings settings = Experiments.Settings.defaults();
 * ExperimentResult r = Experiments.run("optimizers", mnist, settings, line -> { });
 * ExperimentPlots.plot(r, settings).write(Path.of("optimizers.svg"));
 * }</pre>
 */
public final class ExperimentPlots {
    /** The width of every figure, in pixels. */
    public static final int WIDTH = 1200;
    /** The height of the header (title, how it was run, the book's script) above the panels. */
    public static final int HEADER = 84;
    /** The height of the loss chart of {@code optimizers} and {@code weight-init}. */
    public static final int LOSS_HEIGHT = 520;
    /** The height of the line above the activation histograms, and of one row of them with its caption. */
    public static final int HISTOGRAM_NOTE = 30;
    public static final int HISTOGRAM_ROW = 240;
    /** The size of one panel of the batch-norm grid, and the number of panels per row. */
    public static final int GRID_PANEL_WIDTH = 300;
    public static final int GRID_PANEL_HEIGHT = 210;
    public static final int GRID_COLUMNS = 4;
    /** The height of the legend strip under the batch-norm grid. */
    public static final int LEGEND = 36;
    /** The height of the two accuracy panels of the overfitting experiments. */
    public static final int ACCURACY_HEIGHT = 480;
    /** The book's vertical cap on the histogram counts (its {@code plt.ylim(0, 7000)}). */
    public static final double HISTOGRAM_CAP = 7000;

    /** The colours of the series, in order (matplotlib's first five). */
    public static final List<Color> COLORS = List.of(new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
            new Color(0xd62728), new Color(0x9467bd));
    private static final Color[] PALETTE = COLORS.toArray(new Color[0]);
    private static final Shape CIRCLE = new Ellipse2D.Double(-4, -4, 8, 8);
    private static final Shape SQUARE = new Rectangle2D.Double(-3.5, -3.5, 7, 7);

    private static final Map<String, String> LABELS = Map.of("sgd", "SGD", "momentum", "Momentum", "adagrad",
            "AdaGrad", "adam", "Adam", "std=0.01", "std=0.01", "xavier", "Xavier", "he", "He");

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private ExperimentPlots() {
    }

    /**
     * The figure of experiment {@code r} (one of {@code dev.layerwise.experiment.Experiments.NAMES}).
     *
     * @throws IllegalArgumentException for an experiment without a figure, or a result that lacks the table drawn
     */
    public static Figure plot(ExperimentResult r) {
        return plot(r, null);
    }

    /**
     * The figure of experiment {@code r}, run with {@code settings} (or null): its setup line also gives their seed
     * and number type.
     *
     * @throws IllegalArgumentException for an experiment without a figure, or a result that lacks the table drawn
     */
    public static Figure plot(ExperimentResult r, Experiments.Settings settings) {
        String setup = setup(r, settings);
        switch (r.name()) {
            case "optimizers":
                return optimizers(r, setup);
            case "weight-init":
                return weightInit(r, setup);
            case "batchnorm":
                return batchNorm(r, setup);
            case "weight-decay":
            case "dropout":
                return overfitting(r, setup);
            default:
                throw new IllegalArgumentException("no figure for experiment '" + r.name() + "'");
        }
    }

    /** The height of the figure of experiment {@code name} with {@code panels} batch-norm weight scales. */
    public static int height(String name, int panels) {
        switch (name) {
            case "optimizers":
                return HEADER + LOSS_HEIGHT;
            case "weight-init":
                return HEADER + LOSS_HEIGHT + HISTOGRAM_NOTE + 3 * HISTOGRAM_ROW;
            case "batchnorm":
                return HEADER + (panels + GRID_COLUMNS - 1) / GRID_COLUMNS * GRID_PANEL_HEIGHT + LEGEND;
            default:
                return HEADER + ACCURACY_HEIGHT;
        }
    }

    static Figure optimizers(ExperimentResult r, String setup) {
        JFreeChart loss = lossChart(table(r, "loss"), 1.0);
        return new Figure(WIDTH, height(r.name(), 0), g -> {
            header(g, "Optimizers on MNIST: loss per iteration (smoothed)", setup, "ch06/optimizer_compare_mnist.py");
            loss.draw(g, new Rectangle2D.Double(0, HEADER, WIDTH, LOSS_HEIGHT));
        });
    }

    static Figure weightInit(ExperimentResult r, String setup) {
        JFreeChart loss = lossChart(table(r, "loss"), 2.5);
        Table h = table(r, "activations");
        Map<String, List<Integer>> byInit = new LinkedHashMap<>();
        for (int c = 2; c < h.columns().size(); c++) {
            String col = h.columns().get(c);
            byInit.computeIfAbsent(col.substring(0, col.lastIndexOf("_layer")), k -> new ArrayList<>()).add(c);
        }
        return new Figure(WIDTH, height(r.name(), 0), g -> {
            header(g, "Weight initialisation: loss per iteration (smoothed), and activations per layer", setup,
                    "ch06/weight_init_compare.py, ch06/weight_init_activation_histogram.py (ReLU)");
            loss.draw(g, new Rectangle2D.Double(0, HEADER, WIDTH, LOSS_HEIGHT));
            histograms(g, h, byInit);
        });
    }

    /** The activation histograms under the loss chart of weight-init: one row per initialisation. */
    private static void histograms(Graphics2D g, Table h, Map<String, List<Integer>> byInit) {
        int y = HEADER + LOSS_HEIGHT;
        centred(g, "Activations of 5 ReLU layers of 100 units: count per bin of 1/30 over [0, 1], capped at "
                + (int) HISTOGRAM_CAP + " as the book's figure (the bin at 0 holds the units ReLU switched off)",
                new Font(Font.SANS_SERIF, Font.PLAIN, 14), Color.DARK_GRAY, y + 20);
        y += HISTOGRAM_NOTE;
        int caption = 24;
        for (Map.Entry<String, List<Integer>> e : byInit.entrySet()) {
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString("init " + label(e.getKey()), 16, y + 18);
            List<Integer> cols = e.getValue();
            double w = (double) WIDTH / cols.size();
            for (int i = 0; i < cols.size(); i++) {
                histogramChart(h, cols.get(i), (i + 1) + "-layer", i == 0)
                        .draw(g, new Rectangle2D.Double(i * w, y + caption, w, HISTOGRAM_ROW - caption));
            }
            y += HISTOGRAM_ROW;
        }
    }

    static Figure batchNorm(ExperimentResult r, String setup) {
        Table t = table(r, "accuracy");
        Map<Integer, List<double[]>> byScale = new LinkedHashMap<>();
        for (double[] row : t.rows()) {
            byScale.computeIfAbsent((int) row[0], k -> new ArrayList<>()).add(row);
        }
        List<JFreeChart> panels = new ArrayList<>();
        for (List<double[]> rows : byScale.values()) {
            XYSeries bn = new XYSeries("Batch Normalization");
            XYSeries plain = new XYSeries("Normal (without BatchNorm)");
            for (double[] row : rows) {
                bn.add(row[2], row[4]);
                plain.add(row[2], row[3]);
            }
            int k = panels.size();
            boolean bottom = k + GRID_COLUMNS >= byScale.size();
            JFreeChart c = accuracyChart(scaleTitle(rows.get(0)[1]), bottom ? "epochs" : null,
                    k % GRID_COLUMNS == 0 ? "accuracy" : null, List.of(bn, plain), 0, false);
            c.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            panels.add(c);
        }
        int height = height(r.name(), byScale.size());
        return new Figure(WIDTH, height, g -> {
            header(g, "Batch normalization: training accuracy per epoch at " + byScale.size()
                    + " initial weight scales", setup, "ch06/batch_norm_test.py");
            for (int k = 0; k < panels.size(); k++) {
                panels.get(k).draw(g, new Rectangle2D.Double((k % GRID_COLUMNS) * GRID_PANEL_WIDTH,
                        HEADER + (k / GRID_COLUMNS) * GRID_PANEL_HEIGHT, GRID_PANEL_WIDTH, GRID_PANEL_HEIGHT));
            }
            legend(g, height - LEGEND, List.of("Batch Normalization", "Normal (without BatchNorm)"));
        });
    }

    static Figure overfitting(ExperimentResult r, String setup) {
        Table t = table(r, "accuracy");
        String remedy = t.columns().get(3).substring("train_".length()).replace('_', ' ');
        Object sample = r.figures().get("eval_sample_size");
        String test = sample instanceof Number && ((Number) sample).intValue() > 0
                ? "test (first " + sample + " images)" : "test";
        String[] titles = {"without " + remedy, "with " + remedy};
        JFreeChart[] panels = new JFreeChart[2];
        for (int p = 0; p < 2; p++) {
            XYSeries train = new XYSeries("train");
            XYSeries testSeries = new XYSeries(test);
            for (double[] row : t.rows()) {
                train.add(row[0], row[1 + 2 * p]);
                testSeries.add(row[0], row[2 + 2 * p]);
            }
            int every = Math.max(1, t.rows().size() / 20);
            JFreeChart c = accuracyChart(titles[p], "epochs", "accuracy", List.of(train, testSeries), every, true);
            c.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            panels[p] = c;
        }
        return new Figure(WIDTH, height(r.name(), 0), g -> {
            header(g, "Overfitting on 300 training images: accuracy per epoch, without and with " + remedy, setup,
                    "ch06/overfit_" + (remedy.equals("dropout") ? "dropout" : "weight_decay") + ".py");
            for (int p = 0; p < 2; p++) {
                panels[p].draw(g, new Rectangle2D.Double(p * WIDTH / 2.0, HEADER, WIDTH / 2.0, ACCURACY_HEIGHT));
            }
        });
    }

    /** The loss of each run (the table's columns after the first) per iteration, smoothed, capped at {@code yMax}. */
    private static JFreeChart lossChart(Table t, double yMax) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (int c = 1; c < t.columns().size(); c++) {
            double[] v = new double[t.rows().size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = t.rows().get(i)[c];
            }
            double[] s = Smoothing.smoothCurve(v);
            XYSeries series = new XYSeries(label(t.columns().get(c)));
            int step = Math.max(1, s.length / 4000);
            for (int i = 0; i < s.length; i += step) {
                series.add(i, s[i]);
            }
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(null, "iterations", "loss", data, PlotOrientation.VERTICAL,
                true, false, false);
        Charts.style(chart);
        XYPlot p = (XYPlot) chart.getPlot();
        p.setRenderer(markers(Math.max(1, t.rows().size() / 20), data.getSeriesCount(), CIRCLE,
                ShapeUtils.createDiagonalCross(4, 0.8f), SQUARE, ShapeUtils.createDiamond(4.5f)));
        ((NumberAxis) p.getRangeAxis()).setRange(0, yMax);
        Charts.countAxis((NumberAxis) p.getDomainAxis());
        axisFonts(p);
        legendFont(chart);
        return chart;
    }

    /** Accuracy curves on [0, 1]. */
    private static JFreeChart accuracyChart(String title, String xLabel, String yLabel, List<XYSeries> series,
                                            int markEvery, boolean legend) {
        XYSeriesCollection data = new XYSeriesCollection();
        series.forEach(data::addSeries);
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL,
                legend, false, false);
        Charts.style(chart);
        XYPlot p = (XYPlot) chart.getPlot();
        XYLineAndShapeRenderer r = markEvery > 0 ? markers(markEvery, series.size(), CIRCLE, SQUARE)
                : (XYLineAndShapeRenderer) p.getRenderer();
        if (markEvery == 0) {
            // Lines alone, unless a run of one epoch leaves a single point, which has no line to draw.
            r.setDefaultShapesVisible(series.stream().anyMatch(s -> s.getItemCount() == 1));
            r.setSeriesStroke(0, new BasicStroke(1.8f));
            r.setSeriesStroke(1, dashed());
        }
        p.setRenderer(r);
        NumberAxis y = (NumberAxis) p.getRangeAxis();
        y.setRange(0, 1.0);
        y.setTickUnit(new NumberTickUnit(markEvery > 0 ? 0.1 : 0.2, new DecimalFormat("0.0")));
        Charts.countAxis((NumberAxis) p.getDomainAxis());
        axisFonts(p);
        legendFont(chart);
        return chart;
    }

    /** One histogram of the counts in column {@code column}, bars over the table's bins, capped as the book's. */
    private static JFreeChart histogramChart(Table t, int column, String title, boolean yLabels) {
        XYSeries s = new XYSeries(title);
        double width = 0;
        for (double[] row : t.rows()) {
            s.add((row[0] + row[1]) / 2, row[column]);
            width = row[1] - row[0];
        }
        XYSeriesCollection data = new XYSeriesCollection(s);
        data.setIntervalWidth(width);
        JFreeChart chart = ChartFactory.createXYBarChart(title, null, false, null, data, PlotOrientation.VERTICAL,
                false, false, false);
        Charts.style(chart);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        XYPlot p = (XYPlot) chart.getPlot();
        XYBarRenderer r = (XYBarRenderer) p.getRenderer();
        r.setShadowVisible(false);
        r.setBarPainter(new StandardXYBarPainter());
        r.setSeriesPaint(0, PALETTE[0]);
        r.setDrawBarOutline(false);
        ((NumberAxis) p.getDomainAxis()).setRange(0, 1);
        NumberAxis y = (NumberAxis) p.getRangeAxis();
        y.setRange(0, HISTOGRAM_CAP);
        y.setTickLabelsVisible(yLabels);
        axisFonts(p);
        return chart;
    }

    /**
     * Lines with markers (the book's {@code o x s D} for the losses, {@code o s} for the accuracies) on every
     * {@code every}-th point, as its {@code markevery}.
     */
    private static XYLineAndShapeRenderer markers(int every, int series, Shape... shapes) {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true) {
            private static final long serialVersionUID = 1L;

            @Override
            public boolean getItemShapeVisible(int s, int item) {
                return item % every == 0;
            }
        };
        // One path per series rather than one element per step keeps an SVG small, and joins the corners.
        r.setDrawSeriesLineAsPath(true);
        for (int i = 0; i < series; i++) {
            r.setSeriesShape(i, shapes[i % shapes.length]);
            r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            r.setSeriesStroke(i, new BasicStroke(1.8f));
        }
        return r;
    }

    private static void legendFont(JFreeChart chart) {
        if (chart.getLegend() != null) {
            chart.getLegend().setItemFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        }
    }

    private static void axisFonts(XYPlot p) {
        Font label = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        p.getDomainAxis().setLabelFont(label);
        p.getRangeAxis().setLabelFont(label);
    }

    private static BasicStroke dashed() {
        return new BasicStroke(1.8f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {5f, 4f}, 0f);
    }

    /** A legend strip of a solid and a dashed line, for the grid whose panels have none. */
    private static void legend(Graphics2D g, int y, List<String> names) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        int total = 0;
        for (String n : names) {
            total += 50 + g.getFontMetrics().stringWidth(n) + 30;
        }
        int x = (WIDTH - total) / 2;
        for (int i = 0; i < names.size(); i++) {
            g.setColor(PALETTE[i % PALETTE.length]);
            g.setStroke(i == 0 ? new BasicStroke(2.2f) : new BasicStroke(2.2f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER, 10f, new float[] {5f, 4f}, 0f));
            g.draw(new Line2D.Double(x, y + LEGEND / 2.0, x + 40, y + LEGEND / 2.0));
            g.setColor(Color.DARK_GRAY);
            g.drawString(names.get(i), x + 50, y + LEGEND / 2 + 5);
            x += 50 + g.getFontMetrics().stringWidth(names.get(i)) + 30;
        }
    }

    private static String scaleTitle(double w) {
        return "W: " + (w >= 0.01 ? String.format(Locale.ROOT, "%.3g", w) : String.format(Locale.ROOT, "%.2e", w));
    }

    private static String label(String run) {
        return LABELS.getOrDefault(run, run);
    }

    private static Table table(ExperimentResult r, String name) {
        for (Table t : r.tables()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException(r.name() + " has no table '" + name + "' to plot");
    }

    /** Draws the title, how the experiment was run and the book's script at the top of the figure. */
    private static void header(Graphics2D g, String title, String setup, String bookScript) {
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        centred(g, title, new Font(Font.SANS_SERIF, Font.BOLD, 20), Color.BLACK, 28);
        centred(g, setup, new Font(Font.SANS_SERIF, Font.PLAIN, 13), Color.DARK_GRAY, 52);
        centred(g, "book: " + bookScript, new Font(Font.SANS_SERIF, Font.ITALIC, 13), Color.GRAY, 72);
    }

    /**
     * The line under the title: the command that reruns the experiment, how it was run ({@link #setup(ExperimentResult)})
     * and, given its settings, their seed and number type.
     */
    static String setup(ExperimentResult r, Experiments.Settings settings) {
        String line = "experiment " + r.name() + ": " + setup(r);
        if (settings != null) {
            line += String.format(Locale.ROOT, "; seed %d, %s", settings.seed(), settings.dtype().label());
        }
        return line;
    }

    /**
     * How the experiment was run: its first summary line without the name, and without the parts that describe the
     * printed final figures rather than the curves ("loss = mean of the last 100 steps", "accuracies on all …").
     */
    static String setup(ExperimentResult r) {
        String line = r.summary().isEmpty() ? "" : r.summary().get(0);
        String prefix = r.name() + ": ";
        if (line.startsWith(prefix)) {
            line = line.substring(prefix.length());
        }
        List<String> parts = new ArrayList<>();
        for (String part : line.split("; ")) {
            boolean aboutFinalFigures = part.startsWith("loss = ") || part.startsWith("accuracies ")
                    || part.startsWith("train accuracy (");
            if (!aboutFinalFigures) {
                parts.add(part);
            }
        }
        return String.join("; ", parts);
    }

    private static void centred(Graphics2D g, String text, Font font, Color color, int baseline) {
        g.setFont(font);
        g.setColor(color);
        int w = g.getFontMetrics().stringWidth(text);
        g.drawString(text, Math.max(4, (WIDTH - w) / 2), baseline);
    }
}
