package dev.layerwise.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.train.Evaluation;
import dev.layerwise.util.Rng;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleEdge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {
    @TempDir
    Path dir;

    @Test
    void smoothCurveMatchesTheBooksNumpyCode() {
        double[] x = {2.3, 2.1, 1.9, 2.0, 1.5, 1.2, 1.3, 0.9, 0.8, 0.95, 0.7, 0.6, 0.65, 0.5, 0.55, 0.4, 0.45, 0.3,
            0.35, 0.3};
        // common/util.py smooth_curve(x), computed with NumPy
        double[] expected = {1.8807763930272867, 1.8693940648391378, 1.7979273711616761, 1.677606208392392,
            1.554512873255326, 1.406340206205775, 1.2472459992245661, 1.1067252752191845, 0.9774836788937622,
            0.8586744489293896, 0.7661512337793022, 0.6940229466562788, 0.6171075985700215, 0.5631560642332548,
            0.5126074221377435, 0.45940309777909516, 0.4238501267183162, 0.3934889826187967, 0.37237284383546126,
            0.36154136103687584};
        assertArrayEquals(expected, Smoothing.smoothCurve(x), 1e-14);
    }

    /** The fraction of pixels that are not the background colour, in a region. */
    static double inked(BufferedImage img, int x0, int y0, int x1, int y1) {
        int bg = img.getRGB(x0, y0);
        long n = 0;
        long inked = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                n++;
                inked += img.getRGB(x, y) != bg ? 1 : 0;
            }
        }
        return (double) inked / n;
    }

    @Test
    void trainingCurvesDrawBothPanels() throws Exception {
        Rng rng = new Rng(1);
        double[] losses = new double[1000];
        for (int i = 0; i < losses.length; i++) {
            losses[i] = 2.3 * Math.exp(-i / 200.0) + 0.1 * rng.nextDouble();
        }
        List<Evaluation> evals = new ArrayList<>();
        for (int e = 1; e <= 5; e++) {
            evals.add(new Evaluation(e * 200, e, 0.5, 0.8 + e * 0.03, 0.79 + e * 0.03, e));
        }
        Path png = dir.resolve("curves.png");
        Charts.trainingCurves("TwoLayerNet", null, losses, evals).write(png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1200, img.getWidth());
        assertTrue(inked(img, 0, 40, 600, img.getHeight()) > 0.02, "the loss panel is drawn");
        assertTrue(inked(img, 600, 40, 1200, img.getHeight()) > 0.02, "the accuracy panel is drawn");
    }

    /** The labels JFreeChart draws on {@code chart}'s horizontal axis, or its vertical one, at 600×480. */
    static List<String> tickLabels(JFreeChart chart, boolean vertical) {
        BufferedImage img = new BufferedImage(600, 480, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        ChartRenderingInfo info = new ChartRenderingInfo();
        chart.draw(g, new Rectangle2D.Double(0, 0, 600, 480), info);
        XYPlot plot = (XYPlot) chart.getPlot();
        ValueAxis axis = vertical ? plot.getRangeAxis() : plot.getDomainAxis();
        List<String> labels = new ArrayList<>();
        for (Object t : axis.refreshTicks(g, new AxisState(), info.getPlotInfo().getDataArea(),
                vertical ? RectangleEdge.LEFT : RectangleEdge.BOTTOM)) {
            NumberTick tick = (NumberTick) t;
            if (tick.getTickType() == TickType.MAJOR) {
                labels.add(tick.getText());
            }
        }
        g.dispose();
        return labels;
    }

    @Test
    void aOneEpochRunHasWholeEpochsOnItsAxis() {
        JFreeChart acc = Charts.accuracyChart(List.of(new Evaluation(600, 1.0, 0.4, 0.9, 0.89, 2)));
        NumberAxis x = (NumberAxis) ((XYPlot) acc.getPlot()).getDomainAxis();
        assertEquals(List.of("0", "1"), tickLabels(acc, false), "epochs 0 and 1, not ticks of 1e-8 shown as 1E0");
        assertEquals(0, x.getLowerBound());
        assertTrue(x.getUpperBound() >= 1, "the evaluation at epoch 1 is on the axis");
        assertEquals(1.0, x.getTickUnit().getSize());
        assertEquals("1", x.getTickUnit().valueToString(1.0));
        for (String label : tickLabels(acc, true)) {
            assertTrue(label.matches("[01]\\.\\d+"), "accuracy tick " + label);
        }

        JFreeChart partial = Charts.accuracyChart(List.of(new Evaluation(200, 0.33, 0.4, 0.6, 0.6, 1)));
        assertEquals(List.of("0", "1"), tickLabels(partial, false), "a third of an epoch");

        JFreeChart many = Charts.accuracyChart(List.of(new Evaluation(600, 1, 0.4, 0.9, 0.89, 2),
                new Evaluation(1200, 2, 0.3, 0.92, 0.9, 4), new Evaluation(1800, 3, 0.2, 0.94, 0.92, 6)));
        assertEquals(List.of("0", "1", "2", "3"), tickLabels(many, false));
    }

    @Test
    void aOneStepRunHasALossAxisOfWholeIterationsAndAHeight() {
        JFreeChart loss = Charts.lossChart(new double[] {2.3});
        assertEquals(List.of("0", "1"), tickLabels(loss, false));
        NumberAxis y = (NumberAxis) ((XYPlot) loss.getPlot()).getRangeAxis();
        assertEquals(0, y.getLowerBound());
        assertTrue(y.getUpperBound() > 2.3, "the loss from 0 to above its one value");
        for (String label : tickLabels(loss, true)) {
            assertFalse(label.contains("E"), "loss tick " + label);
        }
    }

    @Test
    void comparisonHistogramsFiltersAndDigitsRender() throws Exception {
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("sgd", new double[] {2.3, 2.0, 1.5, 1.2, 1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.4});
        series.put("adam", new double[] {2.3, 1.0, 0.5, 0.3, 0.2, 0.15, 0.1, 0.1, 0.09, 0.08, 0.07, 0.06});
        BufferedImage lines = Charts.lines("optimizers", "iterations", "loss", series, true, 1.0).toImage();
        assertTrue(inked(lines, 0, 0, lines.getWidth(), lines.getHeight()) > 0.02);
        BufferedImage hist = Charts.histograms("activations", List.of("1-layer", "2-layer"),
                List.of(new double[] {0.1, 0.5, 0.5, 0.9}, new double[] {0.2, 0.3}), 30, 0, 1).toImage();
        assertTrue(inked(hist, 0, 40, hist.getWidth(), hist.getHeight()) > 0.02);
        Tensor W = Tensor.zeros(DType.FLOAT32, 30, 1, 5, 5);
        Rng rng = new Rng(2);
        for (int i = 0; i < W.size(); i++) {
            W.setDouble(i, rng.nextGaussian());
        }
        BufferedImage filters = Images.filters(W, 6);
        assertTrue(inked(filters, 0, 0, filters.getWidth(), filters.getHeight()) > 0.3);
        float[] digit = new float[784];
        for (int i = 300; i < 500; i++) {
            digit[i] = 1f;
        }
        BufferedImage digits = Images.digits(List.of(digit, digit), List.of("7 → 2", "4 → 9"), 3);
        assertTrue(inked(digits, 0, 0, digits.getWidth(), digits.getHeight()) > 0.05);
    }
}
