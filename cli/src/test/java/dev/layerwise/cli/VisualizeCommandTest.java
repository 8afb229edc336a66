package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.data.Mnist;
import dev.layerwise.model.Model;
import dev.layerwise.net.DeepConvNet;
import dev.layerwise.net.Network;
import dev.layerwise.net.SimpleConvNet;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.tensor.DType;
import dev.layerwise.util.Rng;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code layerwise visualize filters} and {@code misclassified}: the PNGs decode and show something; bad input is one
 * line on standard error with exit code 1 (the run failed) or 2 (bad usage). Also {@code eval --arch NAME --params}
 * for the convolutional networks, whose test accuracy must be the network's own.
 */
class VisualizeCommandTest {
    @TempDir
    Path tmp;

    private Path data;

    @BeforeEach
    void tinyData() throws IOException {
        data = CliTesting.tinyMnist(Files.createDirectories(tmp.resolve("mnist")), 20, 30);
    }

    private Path save(Network net, String name) throws IOException {
        Path file = tmp.resolve(name + ".lw");
        Model.of(net).save(file);
        return file;
    }

    private static BufferedImage png(Path file) throws IOException {
        assertTrue(Files.isRegularFile(file), file + " was not written");
        BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image, file + " is not an image ImageIO can read");
        return image;
    }

    /** The distinct colours of an image: a blank one has one. */
    private static Set<Integer> colours(BufferedImage image) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                seen.add(image.getRGB(x, y));
            }
        }
        return seen;
    }

    private static void assertOneLineError(CliTesting.Run r, int exit, String message) {
        assertEquals(exit, r.exit(), r.err());
        assertTrue(r.err().contains(message), "stderr '" + r.err() + "' lacks '" + message + "'");
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }

    @Test
    void filtersOfASimpleConvNetAreAGridOfThirtyGreySquares() throws IOException {
        Path model = save(new SimpleConvNet(), "simple");
        Path out = tmp.resolve("filters.png");
        CliTesting.Run r = CliTesting.run("visualize", "filters", "--model", model.toString(), "--out",
                out.toString(), "--scale", "4");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("30 filters 5×5"), r.out());
        BufferedImage image = png(out);
        // 8 per row, 4 rows; cells of 5·4 pixels with gaps of 4.
        assertEquals(8 * (20 + 4) + 4, image.getWidth());
        assertEquals(4 * (20 + 4) + 4, image.getHeight());
        assertTrue(colours(image).size() > 20, "the filters of random weights are not shades of grey");
        assertFalse(Files.exists(tmp.resolve("filters.png.tmp")));
    }

    @Test
    void filtersOfADeepConvNetAndTheInitialFilters() throws IOException {
        Path model = save(new DeepConvNet(), "deep");
        Path out = tmp.resolve("deep.png");
        CliTesting.Run r = CliTesting.run("visualize", "filters", "--model", model.toString(), "--out",
                out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("16 filters 3×3"), r.out());
        assertTrue(colours(png(out)).size() > 10);

        Path initial = tmp.resolve("initial.png");
        r = CliTesting.run("visualize", "filters", "--model", model.toString(), "--out", initial.toString(),
                "--initial", "--seed", "7");
        assertEquals(0, r.exit(), r.err());
        assertTrue(colours(png(initial)).size() > 10);
    }

    @Test
    void filtersOfANetworkWithoutConvolutionIsAClearFailure() throws IOException {
        Path model = save(new TwoLayerNet(784, 10, 10, 0.01, DType.FLOAT32, new Rng(1)), "two");
        Path out = tmp.resolve("none.png");
        CliTesting.Run r = CliTesting.run("visualize", "filters", "--model", model.toString(), "--out",
                out.toString());
        assertOneLineError(r, Main.FAILURE, "(two-layer) has no convolution");
        assertFalse(Files.exists(out));
    }

    @Test
    void aMissingModelFileIsAFailureAndBadOptionsAreUsageErrors() {
        String missing = tmp.resolve("missing.lw").toString();
        String out = tmp.resolve("x.png").toString();
        assertOneLineError(CliTesting.run("visualize", "filters", "--model", missing, "--out", out), Main.FAILURE,
                "missing.lw");
        assertOneLineError(CliTesting.run("visualize", "misclassified", "--model", missing, "--out", out,
                "--data", data.toString()), Main.FAILURE, "missing.lw");
        assertOneLineError(CliTesting.run("visualize", "filters", "--model", missing), Main.USAGE, "--out");
        assertOneLineError(CliTesting.run("visualize", "misclassified", "--model", missing, "--out", out,
                "--count", "0"), Main.USAGE, "--count must be at least 1");
        assertOneLineError(CliTesting.run("visualize", "filters", "--model", missing, "--out", out, "--scale", "0"),
                Main.USAGE, "--scale must be between 1 and 64");
        assertOneLineError(CliTesting.run("visualize", "filters", "--out", out), Main.USAGE, "--model");
        assertOneLineError(CliTesting.run("visualize"), Main.USAGE, "give a subcommand");
        assertFalse(Files.exists(Path.of(out)));
    }

    @Test
    void paramsOfTheWrongArchitectureAreAClearFailure() throws IOException {
        Path model = save(new TwoLayerNet(784, 10, 10, 0.01, DType.FLOAT32, new Rng(1)), "two");
        Path npz = tmp.resolve("two.npz");
        assertEquals(0, CliTesting.run("export", "--model", model.toString(), "--npz", npz.toString()).exit());
        CliTesting.Run r = CliTesting.run("visualize", "misclassified", "--arch", "simple-convnet", "--params",
                npz.toString(), "--out", tmp.resolve("x.png").toString(), "--data", data.toString());
        assertOneLineError(r, Main.FAILURE, "two.npz");
    }

    @ParameterizedTest
    @ValueSource(strings = {"two-layer", "simple-convnet", "deep-convnet"})
    void misclassifiedDigitsOfEveryArchitectureFromAModelFileOrNpz(String arch) throws IOException {
        Network net = arch.equals("two-layer") ? new TwoLayerNet(784, 10, 10, 0.01, DType.FLOAT32, new Rng(1))
                : arch.equals("simple-convnet") ? new SimpleConvNet() : new DeepConvNet();
        Path model = save(net, arch);
        // An untrained network gets most of the 30 test digits wrong.
        Mnist.Data mnist = Mnist.load(data, Mnist.Options.defaults().withFlatten(false));
        int[] predicted = Model.of(net).classify(mnist.test().x());
        int[] actual = mnist.test().t().indices();
        int wrong = 0;
        for (int i = 0; i < actual.length; i++) {
            wrong += predicted[i] != actual[i] ? 1 : 0;
        }
        assertTrue(wrong >= 5, "only " + wrong + " wrong");

        Path out = tmp.resolve(arch + ".png");
        CliTesting.Run r = CliTesting.run("visualize", "misclassified", "--model", model.toString(), "--out",
                out.toString(), "--count", "5", "--data", data.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains(wrong + " of 30 images misclassified"), r.out());
        assertTrue(r.out().contains("wrote " + out + ": 5 digits"), r.out());
        BufferedImage image = png(out);
        assertEquals(5 * (28 * 2 + 6) + 6, image.getWidth());
        assertTrue(colours(image).size() > 10, "blank digits");

        Path npz = tmp.resolve(arch + ".npz");
        assertEquals(0, CliTesting.run("export", "--model", model.toString(), "--npz", npz.toString()).exit());
        Path fromNpz = tmp.resolve(arch + "-npz.png");
        r = CliTesting.run("visualize", "misclassified", "--arch", arch, "--params", npz.toString(), "--out",
                fromNpz.toString(), "--count", "5", "--data", data.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(colours(image), colours(png(fromNpz)));
    }

    /** {@code eval --arch NAME --params FILE.npz --json}: the accuracy of the network the parameters came from. */
    @ParameterizedTest
    @ValueSource(strings = {"simple-convnet", "deep-convnet"})
    void evalOfConvNetParametersFromNpz(String arch) throws IOException {
        Network net = arch.equals("simple-convnet") ? new SimpleConvNet() : new DeepConvNet();
        Path model = save(net, arch);
        Path npz = tmp.resolve(arch + ".npz");
        assertEquals(0, CliTesting.run("export", "--model", model.toString(), "--npz", npz.toString()).exit());
        Mnist.Data mnist = Mnist.load(data, Mnist.Options.defaults().withFlatten(false));
        double expected = net.accuracy(mnist.test().x(), mnist.test().t());
        for (List<String> source : List.of(List.of("--model", model.toString()),
                List.of("--arch", arch, "--params", npz.toString()))) {
            String[] args = new String[source.size() + 4];
            args[0] = "eval";
            for (int i = 0; i < source.size(); i++) {
                args[i + 1] = source.get(i);
            }
            args[source.size() + 1] = "--data";
            args[source.size() + 2] = data.toString();
            args[source.size() + 3] = "--json";
            CliTesting.Run r = CliTesting.run(args);
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.lastLine().startsWith("{\"test_accuracy\": " + expected + ","), r.lastLine());
        }
    }
}
