package dev.layerwise.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.data.Mnist;
import dev.layerwise.experiment.ExperimentResult;
import dev.layerwise.experiment.Experiments;
import dev.layerwise.util.Rng;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each chapter-6 experiment, run shortened on a tiny learnable data set, draws its figure: the PNG decodes, has the
 * documented size, and every panel is drawn (ink, and the colours of its series).
 */
class ExperimentPlotsTest {
    static Mnist.Data tiny;

    @TempDir
    Path dir;

    /** 200 training and 50 test images: digit i % 10 is a bright 4×4 block at a place of its own, plus noise. */
    @BeforeAll
    static void tinyMnist() {
        tiny = new Mnist.Data(split(200, 1), split(50, 2));
    }

    private static dev.layerwise.data.DataSet split(int n, long seed) {
        Rng rng = new Rng(seed);
        byte[] px = new byte[n * Mnist.PIXELS];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int digit = i % 10;
            labels[i] = digit;
            int top = 2 + (digit / 5) * 12;
            int left = 2 + (digit % 5) * 5;
            for (int r = 0; r < 28; r++) {
                for (int c = 0; c < 28; c++) {
                    boolean block = r >= top && r < top + 4 && c >= left && c < left + 4;
                    int noise = rng.nextInt(40);
                    px[i * Mnist.PIXELS + r * 28 + c] = (byte) (block ? 255 - noise : noise);
                }
            }
        }
        return Mnist.toDataSet(new Mnist.Split(n, px, labels), Mnist.Options.defaults());
    }

    /** Runs {@code name} shortened, draws it, writes and reads back the PNG. */
    private BufferedImage drawn(String name, Experiments.Settings settings) throws Exception {
        ExperimentResult r = Experiments.run(name, tiny, settings, line -> { });
        Path png = dir.resolve(name + ".png");
        ExperimentPlots.plot(r).write(png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(ExperimentPlots.WIDTH, img.getWidth(), name);
        assertTrue(ChartsTest.inked(img, 0, 0, img.getWidth(), ExperimentPlots.HEADER) > 0.01, name + ": a title");
        return img;
    }

    /** Asserts the region has ink and holds pixels of each colour (an exact match: bars and line cores). */
    private static void drawn(BufferedImage img, String what, int x0, int y0, int x1, int y1, Color... colors) {
        assertTrue(ChartsTest.inked(img, x0, y0, x1, y1) > 0.02, what + " is drawn");
        for (Color c : colors) {
            int rgb = c.getRGB();
            int n = 0;
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    n += img.getRGB(x, y) == rgb ? 1 : 0;
                }
            }
            assertTrue(n >= 10, what + " shows " + Integer.toHexString(rgb) + " (" + n + " pixels)");
        }
    }

    private static Color[] colors(int n) {
        return ExperimentPlots.COLORS.subList(0, n).toArray(new Color[0]);
    }

    @Test
    void optimizersDrawFourSmoothedLosses() throws Exception {
        BufferedImage img = drawn("optimizers", Experiments.Settings.defaults().withIterations(30));
        assertEquals(ExperimentPlots.height("optimizers", 0), img.getHeight());
        drawn(img, "the loss chart", 0, ExperimentPlots.HEADER, ExperimentPlots.WIDTH, img.getHeight(), colors(4));
    }

    @Test
    void weightInitDrawsLossesAndFifteenHistograms() throws Exception {
        BufferedImage img = drawn("weight-init", Experiments.Settings.defaults().withIterations(30));
        assertEquals(ExperimentPlots.height("weight-init", 0), img.getHeight());
        int lossBottom = ExperimentPlots.HEADER + ExperimentPlots.LOSS_HEIGHT;
        drawn(img, "the loss chart", 0, ExperimentPlots.HEADER, ExperimentPlots.WIDTH, lossBottom, colors(3));
        int top = lossBottom + ExperimentPlots.HISTOGRAM_NOTE;
        int w = ExperimentPlots.WIDTH / 5;
        for (int init = 0; init < 3; init++) {
            for (int layer = 0; layer < 5; layer++) {
                int y0 = top + init * ExperimentPlots.HISTOGRAM_ROW;
                drawn(img, "histogram " + init + "/" + layer, layer * w, y0, (layer + 1) * w,
                        y0 + ExperimentPlots.HISTOGRAM_ROW, colors(1));
            }
        }
    }

    @Test
    void batchNormDrawsSixteenPanelsWithBothCurves() throws Exception {
        BufferedImage img = drawn("batchnorm", Experiments.Settings.defaults().withEpochs(2));
        assertEquals(ExperimentPlots.height("batchnorm", 16), img.getHeight());
        for (int k = 0; k < 16; k++) {
            int x0 = (k % 4) * ExperimentPlots.GRID_PANEL_WIDTH;
            int y0 = ExperimentPlots.HEADER + (k / 4) * ExperimentPlots.GRID_PANEL_HEIGHT;
            drawn(img, "weight scale " + (k + 1), x0, y0, x0 + ExperimentPlots.GRID_PANEL_WIDTH,
                    y0 + ExperimentPlots.GRID_PANEL_HEIGHT, colors(2));
        }
        drawn(img, "the legend", 0, img.getHeight() - ExperimentPlots.LEGEND, ExperimentPlots.WIDTH,
                img.getHeight(), colors(2));
    }

    @Test
    void overfittingDrawsTrainAndTestWithoutAndWithTheRemedy() throws Exception {
        for (String name : List.of("weight-decay", "dropout")) {
            BufferedImage img = drawn(name, Experiments.Settings.defaults().withEpochs(3));
            assertEquals(ExperimentPlots.height(name, 0), img.getHeight());
            int half = ExperimentPlots.WIDTH / 2;
            drawn(img, name + " without", 0, ExperimentPlots.HEADER, half, img.getHeight(), colors(2));
            drawn(img, name + " with", half, ExperimentPlots.HEADER, 2 * half, img.getHeight(), colors(2));
        }
    }

    @Test
    void anSvgFigureNamesTheExperimentItsSettingsAndItsSeries() throws Exception {
        Experiments.Settings settings = new Experiments.Settings(3, dev.layerwise.tensor.DType.FLOAT32, 30, 0, 0, -1);
        ExperimentResult r = Experiments.run("optimizers", tiny, settings, line -> { });
        Path svg = dir.resolve("optimizers.svg");
        ExperimentPlots.plot(r, settings).write(svg);
        org.w3c.dom.Document doc = FigureTest.svg(svg);
        assertEquals("svg", doc.getDocumentElement().getLocalName());
        List<String> texts = FigureTest.texts(doc);
        assertTrue(texts.contains("Optimizers on MNIST: loss per iteration (smoothed)"), texts.toString());
        assertTrue(texts.contains("experiment optimizers: 784-100x4-10 ReLU, He, batch 128, 30 iterations; seed 3, "
                + "float32"), texts.toString());
        for (String series : List.of("SGD", "Momentum", "AdaGrad", "Adam")) {
            assertTrue(texts.contains(series), series + " in the legend: " + texts);
        }
        for (Color c : colors(4)) {
            String rgb = "rgb(" + c.getRed() + "," + c.getGreen() + "," + c.getBlue() + ")";
            assertTrue(FigureTest.longestPath(doc, rgb) >= 30, "a curve of 30 iterations in " + rgb);
        }
    }

    @Test
    void theSetupLineNamesTheExperimentAndGivenSettingsTheSeedAndType() {
        ExperimentResult r = new ExperimentResult("dropout", Map.of(), List.of("dropout: 784-100x6-10 ReLU, 300 "
                + "images; dropout 0.2"), List.of(), 0);
        assertEquals("experiment dropout: 784-100x6-10 ReLU, 300 images; dropout 0.2", ExperimentPlots.setup(r, null));
        assertEquals("experiment dropout: 784-100x6-10 ReLU, 300 images; dropout 0.2; seed 1, float32",
                ExperimentPlots.setup(r, Experiments.Settings.defaults()));
    }

    @Test
    void theSetupLineLeavesOutWhatDescribesTheFinalFigures() {
        ExperimentResult r = new ExperimentResult("weight-decay", Map.of(), List.of("weight-decay: 784-100x6-10 ReLU, "
                + "300 images; weight decay lambda 0.1; accuracies on all training and test images"), List.of(), 0);
        assertEquals("784-100x6-10 ReLU, 300 images; weight decay lambda 0.1", ExperimentPlots.setup(r));
    }

    @Test
    void aResultWithoutAFigureOrItsTableIsRefused() {
        ExperimentResult unknown = new ExperimentResult("foo", Map.of(), List.of(), List.of(), 0);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ExperimentPlots.plot(unknown)).getMessage()
                .contains("no figure for experiment 'foo'"));
        ExperimentResult empty = new ExperimentResult("optimizers", Map.of(), List.of(), List.of(), 0);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ExperimentPlots.plot(empty)).getMessage()
                .contains("optimizers has no table 'loss'"));
    }
}
