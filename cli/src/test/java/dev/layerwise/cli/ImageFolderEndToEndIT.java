package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.data.DataContract;
import dev.layerwise.data.Mnist;
import dev.layerwise.data.MnistFetcher;
import dev.layerwise.model.Model;
import dev.layerwise.testing.TestImages;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training on folders of images end to end: MNIST written out as PNG folders trains as MNIST's own files do, and a
 * folder of coloured shapes trains a convolutional net far above chance. Run by {@code mvn verify}.
 */
class ImageFolderEndToEndIT {
    @TempDir
    Path tmp;

    private static String cache(Path tmp) {
        return tmp.resolve("cache").toString();
    }

    /** The first {@code n} images of {@code split}, in class order (stably: by digit, then by index). */
    private static Integer[] classOrder(Mnist.Split split, int n) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(split.labels()[a], split.labels()[b]));
        return order;
    }

    /**
     * Writes the first {@code n} images of {@code split} as {@code dir/<digit>/<index>.png}, and as the IDX files
     * {@code images} and {@code labels} in {@code idx}, in the order the folder is read: by class, then by name.
     */
    private static void export(Mnist.Split split, int n, Path dir, Path idx, String images, String labels)
            throws IOException {
        Integer[] order = classOrder(split, n);
        byte[] pixels = new byte[n * Mnist.PIXELS];
        byte[] t = new byte[n];
        for (int k = 0; k < n; k++) {
            int i = order[k];
            byte[] px = Arrays.copyOfRange(split.pixels(), i * Mnist.PIXELS, (i + 1) * Mnist.PIXELS);
            System.arraycopy(px, 0, pixels, k * Mnist.PIXELS, Mnist.PIXELS);
            t[k] = (byte) split.labels()[i];
            TestImages.write(TestImages.grey(px, Mnist.ROWS, Mnist.COLS), "png",
                    dir.resolve(Integer.toString(split.labels()[i])).resolve(String.format("%05d.png", i)));
        }
        Files.createDirectories(idx);
        try (OutputStream f = Files.newOutputStream(idx.resolve(images));
             DataOutputStream out = new DataOutputStream(f)) {
            out.writeInt(0x803);
            out.writeInt(n);
            out.writeInt(Mnist.ROWS);
            out.writeInt(Mnist.COLS);
            out.write(pixels);
        }
        try (OutputStream f = Files.newOutputStream(idx.resolve(labels));
             DataOutputStream out = new DataOutputStream(f)) {
            out.writeInt(0x801);
            out.writeInt(n);
            out.write(t);
        }
    }

    @Test
    void mnistAsPngFoldersTrainsAsMnistsOwnFilesDo() throws IOException {
        Path mnist = new MnistFetcher().fetch();
        Mnist.Split train = Mnist.readSplit(mnist, Mnist.TRAIN_IMAGES, Mnist.TRAIN_LABELS);
        Mnist.Split test = Mnist.readSplit(mnist, Mnist.TEST_IMAGES, Mnist.TEST_LABELS);
        Path png = tmp.resolve("png");
        Path idx = tmp.resolve("idx");
        export(train, 3000, png.resolve("train"), idx, Mnist.TRAIN_IMAGES, Mnist.TRAIN_LABELS);
        export(test, 1000, png.resolve("test"), idx, Mnist.TEST_IMAGES, Mnist.TEST_LABELS);
        List<String> common = List.of("--arch", "simple-convnet", "--iterations", "150", "--seed", "3",
                "--eval-sample", "0", "--json", "-q");
        String[] fromIdx = concat(List.of("train", "--data", idx.toString()), common);
        String[] fromPng = concat(List.of("train", "--images", png.toString(), "--cache-dir", cache(tmp)), common);
        CliTesting.Run a = CliTesting.run(fromIdx);
        assertEquals(0, a.exit(), a.err());
        CliTesting.Run b = CliTesting.run(fromPng);
        assertEquals(0, b.exit(), b.err());
        double idxAccuracy = MnistEndToEndIT.field(a.lastLine(), "test_accuracy");
        double pngAccuracy = MnistEndToEndIT.field(b.lastLine(), "test_accuracy");
        System.out.printf(Locale.ROOT, "MNIST 3000/1000: IDX %.4f, PNG folders %.4f%n", idxAccuracy, pngAccuracy);
        assertEquals(idxAccuracy, pngAccuracy, 0.003);
        assertTrue(pngAccuracy > 0.8, "test accuracy " + pngAccuracy);

        // A second run reads the decoded images from the cache, and trains the same.
        CliTesting.Run again = CliTesting.run(fromPng);
        assertEquals(0, again.exit(), again.err());
        assertEquals(pngAccuracy, MnistEndToEndIT.field(again.lastLine(), "test_accuracy"), 0.0);
        try (var files = Files.list(Path.of(cache(tmp)))) {
            assertEquals(1, files.filter(f -> f.toString().endsWith(".images")).count());
        }
    }

    private static String[] concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all.toArray(new String[0]);
    }

    private static final List<String> SHAPES = List.of("circle", "square", "triangle");

    /**
     * A shape of {@code kind} (0 circle, 1 square, 2 triangle) in a random colour, size and place on a random
     * background: 32×32 RGB.
     */
    static BufferedImage shape(int kind, Random random) {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        Color background = new Color(random.nextInt(100), random.nextInt(100), random.nextInt(100));
        g.setColor(background);
        g.fillRect(0, 0, 32, 32);
        g.setColor(new Color(120 + random.nextInt(136), 120 + random.nextInt(136), 120 + random.nextInt(136)));
        int size = 12 + random.nextInt(12);
        int x = random.nextInt(32 - size);
        int y = random.nextInt(32 - size);
        switch (kind) {
            case 0 -> g.fillOval(x, y, size, size);
            case 1 -> g.fillRect(x, y, size, size);
            default -> g.fillPolygon(new int[] {x, x + size / 2, x + size}, new int[] {y + size, y, y + size}, 3);
        }
        g.dispose();
        return img;
    }

    /** {@code train}/{@code test} folders of the three shapes, PNG and JPEG mixed. */
    static Path shapes(Path dir, int trainPerClass, int testPerClass) throws IOException {
        Random random = new Random(11);
        for (String split : List.of("train", "test")) {
            int n = split.equals("train") ? trainPerClass : testPerClass;
            for (int k = 0; k < SHAPES.size(); k++) {
                for (int i = 0; i < n; i++) {
                    String format = i % 4 == 3 ? "jpg" : "png";
                    TestImages.write(shape(k, random), format, dir.resolve(split).resolve(SHAPES.get(k))
                            .resolve(String.format("%04d.%s", i, format)));
                }
            }
        }
        return dir;
    }


    @Test
    void aColourFolderTrainsAConvnetWellAboveChanceAndEvalAndPredictUseItsClassNames() throws IOException {
        Path data = shapes(tmp.resolve("shapes"), 150, 40);
        Path model = tmp.resolve("shapes.lw");
        CliTesting.Run r = CliTesting.run("train", "--images", data.toString(), "--cache-dir", cache(tmp),
                "--arch", "simple-convnet", "--iterations", "300", "--save", model.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("data: images shapes (3×32×32, 3 classes): 450 train, 120 test"), r.err());
        double accuracy = MnistEndToEndIT.field(r.lastLine(), "test_accuracy");
        System.out.printf(Locale.ROOT, "shapes: test accuracy %.4f%n", accuracy);
        // Chance is 1/3.
        assertTrue(accuracy >= 0.7, "test accuracy " + accuracy);

        Model m = Model.load(model);
        assertEquals(DataContract.images(new int[] {3, 32, 32}, SHAPES, DataContract.ImageFit.RESIZE), m.contract());

        CliTesting.Run eval = CliTesting.run("eval", "--model", model.toString(), "--images", data.toString(),
                "--cache-dir", cache(tmp), "--json");
        assertEquals(0, eval.exit(), eval.err());
        assertEquals(accuracy, MnistEndToEndIT.field(eval.lastLine(), "test_accuracy"), 1e-12, eval.out());
        // With --json the report for people is on standard error.
        assertTrue(eval.err().contains("confusion matrix"), eval.err());
        assertTrue(eval.err().matches("(?s).*\\n +circle +square +triangle\\n.*"), eval.err());

        // predict: a new square, drawn larger (64×64) and as a BMP, is resized to the model's 32×32.
        BufferedImage big = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = big.createGraphics();
        g.setColor(new Color(20, 30, 40));
        g.fillRect(0, 0, 64, 64);
        g.setColor(new Color(230, 200, 160));
        g.fillRect(12, 14, 36, 36);
        g.dispose();
        Path square = TestImages.write(big, "bmp", tmp.resolve("square.bmp"));
        CliTesting.Run p = CliTesting.run("predict", "--model", model.toString(), "--json", square.toString());
        assertEquals(0, p.exit(), p.err());
        assertTrue(p.out().contains("\"prediction\": \"square\""), p.out());
        assertTrue(p.out().contains("\"probabilities\": {\"circle\": "), p.out());

        CliTesting.Run invert = CliTesting.run("predict", "--model", model.toString(), "--invert", square.toString());
        assertEquals(Main.USAGE, invert.exit());
        assertTrue(invert.err().contains("--invert applies to models of MNIST's digits"), invert.err());
    }

}
