package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.data.Mnist;
import dev.layerwise.data.MnistFetcher;
import dev.layerwise.model.Model;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.io.TempDir;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * End to end on the real MNIST, as a user runs it: the data comes through the project's own fetcher (the default
 * cache, filled by {@code .ci/run} or by this test), and the book's figures are asserted. Run by {@code mvn verify}.
 */
class MnistEndToEndIT {

    static double field(String json, String key) {
        int at = json.indexOf("\"" + key + "\": ");
        assertTrue(at >= 0, json + " lacks " + key);
        int start = at + key.length() + 4;
        int end = start;
        while (end < json.length() && "0123456789.eE-".indexOf(json.charAt(end)) >= 0) {
            end++;
        }
        return Double.parseDouble(json.substring(start, end));
    }

    @TempDir
    static Path tmp;

    @Test
    void theBooksChapterFiveRunReachesTheBooksAccuracy() throws IOException {
        Path model = tmp.resolve("two-layer.lw");
        CliTesting.Run r = CliTesting.run("train", "--json", "-q", "--save", model.toString());
        assertEquals(0, r.exit(), r.err());
        double accuracy = field(r.lastLine(), "test_accuracy");
        System.out.printf(Locale.ROOT, "layerwise train: test accuracy %.4f in %.1f s%n", accuracy,
                field(r.lastLine(), "seconds"));
        // The book's own run here reaches 0.9704.
        assertTrue(accuracy >= 0.970, "test accuracy " + accuracy);
        assertEquals(10_000, field(r.lastLine(), "iterations"));

        CliTesting.Run eval = CliTesting.run("eval", "--model", model.toString(), "--json");
        assertEquals(0, eval.exit(), eval.err());
        assertEquals(accuracy, field(eval.lastLine(), "test_accuracy"), 1e-12, "eval agrees with train");
        // With --json the report for people is on standard error.
        assertTrue(eval.err().contains("confusion matrix"), eval.err());

        // Test images written out as PNG files are classified as the network classifies them in memory.
        Mnist.Split test = Mnist.readSplit(MnistFetcher.defaultCacheDir(), Mnist.TEST_IMAGES, Mnist.TEST_LABELS);
        Model m = Model.load(model);
        List<String> args = new ArrayList<>(List.of("predict", "--model", model.toString(), "--json"));
        int[] expected = new int[20];
        for (int i = 0; i < 20; i++) {
            BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            Tensor x = Tensor.zeros(DType.FLOAT32, 1, 784);
            for (int p = 0; p < 784; p++) {
                img.getRaster().setSample(p % 28, p / 28, 0, test.pixel(i, p));
                x.setDouble(p, test.pixel(i, p) / 255.0);
            }
            expected[i] = m.classify(x)[0];
            Path png = tmp.resolve("digit" + i + ".png");
            ImageIO.write(img, "png", png.toFile());
            args.add(png.toString());
        }
        CliTesting.Run predict = CliTesting.run(args.toArray(new String[0]));
        assertEquals(0, predict.exit(), predict.err());
        List<String> lines = predict.out().lines().toList();
        int right = 0;
        for (int i = 0; i < 20; i++) {
            assertEquals((int) field(lines.get(i), "prediction"), expected[i], lines.get(i));
            right += expected[i] == test.labels()[i] ? 1 : 0;
        }
        assertTrue(right >= 18, right + " of 20 test digits right");

        // Hand-drawn digits: dark pen on white paper, large, off-centre — the inverse of MNIST's polarity.
        List<String> drawn = new ArrayList<>(List.of("predict", "--model", model.toString(), "--invert", "--json"));
        int[] digits = {0, 1, 7};
        for (int d : digits) {
            Path png = tmp.resolve("drawn" + d + ".png");
            ImageIO.write(drawDigit(d), "png", png.toFile());
            drawn.add(png.toString());
        }
        CliTesting.Run hand = CliTesting.run(drawn.toArray(new String[0]));
        assertEquals(0, hand.exit(), hand.err());
        List<String> predictions = hand.out().lines().toList();
        for (int i = 0; i < digits.length; i++) {
            assertEquals(digits[i], (int) field(predictions.get(i), "prediction"), predictions.get(i));
        }
    }

    /** A digit drawn with a thick dark pen on a 240×200 white canvas, away from the centre. */
    static BufferedImage drawDigit(int digit) {
        BufferedImage img = new BufferedImage(240, 200, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 240, 200);
        g.setColor(new Color(20, 20, 40));
        g.setStroke(new BasicStroke(14, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        switch (digit) {
            case 0:
                g.drawOval(110, 40, 70, 120);
                break;
            case 1:
                g.drawLine(150, 35, 150, 165);
                break;
            default:
                g.drawLine(105, 45, 185, 45);
                g.drawLine(185, 45, 130, 165);
                break;
        }
        g.dispose();
        return img;
    }

    @Test
    void gradcheckAgreesAsTheBooksDoes() {
        CliTesting.Run r = CliTesting.run("gradcheck");
        assertEquals(0, r.exit(), r.out() + r.err());
        List<String> lines = r.out().lines().filter(l -> l.matches("(W|b)\\d:.*")).toList();
        assertEquals(List.of("W1", "b1", "W2", "b2"), lines.stream().map(l -> l.substring(0, 2)).toList());
        for (String line : lines) {
            double diff = Double.parseDouble(line.substring(3));
            // The book's gradient_check.py gets 1e-10 to 1e-7 here.
            assertTrue(diff < 1e-6, line);
        }
    }

    /**
     * The book's chapter-7 run: SimpleConvNet with its defaults (Adam 0.001, batch 100, 20 epochs) to the book's
     * 98.96%, saved, and evaluated again from the file. About two minutes on two cores.
     */
    @Test
    void theBooksSimpleConvNetReachesTheBooksAccuracy() {
        Path model = tmp.resolve("simple-convnet.lw");
        CliTesting.Run r = CliTesting.run("train", "--arch", "simple-convnet", "--json", "-q", "--save",
                model.toString());
        assertEquals(0, r.exit(), r.err());
        double accuracy = field(r.lastLine(), "test_accuracy");
        System.out.printf(Locale.ROOT, "layerwise train --arch simple-convnet: test accuracy %.4f in %.1f s%n",
                accuracy, field(r.lastLine(), "seconds"));
        // The book reports 0.9896 for one unseeded run. Seeds 1-5 and 7 gave 0.9878-0.9897 here (mean 0.9887), and
        // 0.9882-0.9905 (mean 0.9892) before the products' thin columns changed the last bits of 4 of the 100 hidden
        // units: the run's own spread. A network that learns less (a broken layer, optimizer or kernel) ends far lower.
        assertTrue(accuracy >= 0.987, "test accuracy " + accuracy);
        assertEquals(12_000, field(r.lastLine(), "iterations"));

        CliTesting.Run eval = CliTesting.run("eval", "--model", model.toString(), "--json");
        assertEquals(0, eval.exit(), eval.err());
        assertEquals(accuracy, field(eval.lastLine(), "test_accuracy"), 1e-12, "eval agrees with train");
    }
}
