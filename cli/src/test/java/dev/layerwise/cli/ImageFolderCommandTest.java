package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.data.DataContract;
import dev.layerwise.model.Model;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.tensor.DType;
import dev.layerwise.testing.TestImages;
import dev.layerwise.util.Rng;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train}, {@code eval} and {@code predict} on folders of images, and every bad input with its exit code. */
class ImageFolderCommandTest {
    @TempDir
    Path tmp;

    private String cache() {
        return tmp.resolve("cache").toString();
    }

    /** Three classes of 4×6 grey images, {@code n} each. */
    private Path greyFolder(String name, int n) throws IOException {
        Path root = tmp.resolve(name);
        for (String c : List.of("a", "b", "c")) {
            for (int i = 0; i < n; i++) {
                TestImages.write(TestImages.grey(6, 4, c.charAt(0) * 10 + i), "png", root.resolve(c)
                        .resolve(i + ".png"));
            }
        }
        return root;
    }

    private CliTesting.Run train(String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--cache-dir", cache(), "--iterations", "2",
                "--quiet"));
        args.addAll(List.of(more));
        return CliTesting.run(args.toArray(new String[0]));
    }

    private static void assertFails(int exit, String message, CliTesting.Run r) {
        assertEquals(exit, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains(message), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        // One line (the JVM's own notice of the Vector API module aside, in a JVM of its own).
        assertEquals(1, r.err().strip().lines().filter(l -> !l.startsWith("WARNING: Using incubator")).count(),
                r.err());
    }

    @Test
    void badFoldersAreOneLineAndExitOne() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertFails(Main.FAILURE, "layerwise train: error: " + empty + ": no class folders; expected",
                train("--images", empty.toString()));

        Path hollow = greyFolder("hollow", 2);
        Files.createDirectories(hollow.resolve("d"));
        assertFails(Main.FAILURE, hollow.resolve("d") + ": class folder holds no images",
                train("--images", hollow.toString()));

        assertFails(Main.FAILURE, "--images " + tmp.resolve("nowhere") + ": no such directory",
                train("--images", tmp.resolve("nowhere").toString()));
    }

    @Test
    void aCorruptImageStopsTheRunOrIsSkippedWithSkipBadFiles() throws IOException {
        Path data = greyFolder("corrupt", 10);
        Path bad = TestImages.truncate(data.resolve("b/3.png"), 50);
        assertFails(Main.FAILURE, "layerwise train: error: " + bad + ": truncated png image",
                train("--images", data.toString()));
        CliTesting.Run skipped = train("--images", data.toString(), "--skip-bad-files");
        assertEquals(0, skipped.exit(), skipped.err());
        assertTrue(skipped.err().contains("1 bad files skipped"), skipped.err());
    }

    @Test
    void mixedSizesNeedAnImageSize() throws IOException {
        Path data = greyFolder("mixed", 3);
        TestImages.write(TestImages.grey(9, 9, 1), "png", data.resolve("c/odd.png"));
        assertFails(Main.FAILURE, data.resolve("c/odd.png") + " is 9×9 (height×width) but " + data.resolve("a/0.png")
                + ", the first image, is 4×6; give the size all images are resized to, e.g. --image-size 4,6",
                train("--images", data.toString()));
        CliTesting.Run resized = train("--images", data.toString(), "--image-size", "5,5", "--channels", "3");
        assertEquals(0, resized.exit(), resized.err());
    }

    @Test
    void imageOptionsAreUsageErrorsWhenWrongOrAlone() throws IOException {
        Path data = greyFolder("usage", 2);
        assertFails(Main.USAGE, "--image-size: sizes must be 1 to 16384 pixels, got '0,5'",
                train("--images", data.toString(), "--image-size", "0,5"));
        assertFails(Main.USAGE, "--image-size: expected H,W (height and width in pixels), got '4x4'",
                train("--images", data.toString(), "--image-size", "4x4"));
        assertFails(Main.USAGE, "--channels: expected 1 (grey) or 3 (RGB), got '2'",
                train("--images", data.toString(), "--channels", "2"));
        assertFails(Main.USAGE, "--skip-bad-files applies to --images only", train("--skip-bad-files"));
        assertFails(Main.USAGE, "--image-size applies to --images only", train("--image-size", "28,28"));
        assertFails(Main.USAGE, "mutually exclusive", train("--images", data.toString(), "--idx", data.toString()));
    }

    /** A model of MNIST's digits (two-layer) and one of 1×16×16 resized images, saved. */
    private Path[] models() throws IOException {
        Path digits = tmp.resolve("digits.lw");
        Model.of(new TwoLayerNet(784, 10, 10, 0.01, DType.FLOAT32, new Rng(1))).save(digits);
        Path resize = tmp.resolve("resize.lw");
        Model.of(new TwoLayerNet(256, 10, 3, 0.01, DType.FLOAT32, new Rng(1)))
                .withContract(DataContract.images(new int[] {1, 16, 16}, List.of("x", "y", "z"),
                        DataContract.ImageFit.RESIZE)).save(resize);
        return new Path[] {digits, resize};
    }

    @Test
    void hostileImagesForPredictAreOneClearErrorInASmallHeap() throws Exception {
        Path[] models = models();
        Path huge = tmp.resolve("huge.png");
        TestImages.blackPng(huge, 20000, 20000);
        Path header = Files.write(tmp.resolve("header.png"), TestImages.pngHeader(30000, 30000));
        Path bmp = TestImages.truncate(TestImages.write(TestImages.rgb(200, 200, 3), "bmp", tmp.resolve("cut.bmp")),
                5000);
        String[][] cases = {
            {huge.toString(), huge + ": png image of 20000×20000 pixels is larger than images are read (at most 16384"
                    + " a side and 67,108,864 pixels)"},
            {header.toString(), header + ": png image of 30000×30000 pixels is larger than images are read"},
            {bmp.toString(), bmp + ": truncated bmp image (its 200×200 pixels need 120,054 bytes, the file has"
                    + " 5,000)"}};
        for (Path model : models) {
            for (String[] c : cases) {
                CliTesting.Run r = CliTesting.runInNewJvm(List.of("-Xmx512m"), "predict", "--model",
                        model.toString(), c[0]);
                assertFails(Main.FAILURE, "layerwise predict: error: " + c[1], r);
                assertFalse(r.err().contains("JAVA_OPTS"), r.err());
            }
        }
    }

    @Test
    void predictResizesForAResizeModelAndFramesDigitsForAnMnistModel() throws IOException {
        Path[] models = models();
        Path img = TestImages.write(TestImages.rgb(40, 30, 5), "png", tmp.resolve("any.png"));
        CliTesting.Run resize = CliTesting.run("predict", "--model", models[1].toString(), "--json", img.toString());
        assertEquals(0, resize.exit(), resize.err());
        assertTrue(resize.out().matches("(?s).*\"prediction\": \"[xyz]\".*"), resize.out());
        CliTesting.Run digits = CliTesting.run("predict", "--model", models[0].toString(), "--json", img.toString());
        assertEquals(0, digits.exit(), digits.err());
        assertTrue(digits.out().matches("(?s).*\"prediction\": [0-9],.*"), digits.out());
    }
}
