package dev.layerwise.cli;

import dev.layerwise.data.DataSet;
import dev.layerwise.data.Mnist;
import dev.layerwise.layer.Convolution;
import dev.layerwise.layer.Layer;
import dev.layerwise.model.Model;
import dev.layerwise.net.Architectures;
import dev.layerwise.net.Network;
import dev.layerwise.net.Sequential;
import dev.layerwise.plot.Charts;
import dev.layerwise.plot.Images;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code layerwise visualize}: the pictures of chapters 7 and 8, as PNG files. {@code filters} draws the first
 * convolution's filters (the book's {@code ch07/visualize_filter.py}), {@code misclassified} the test digits a model
 * gets wrong, captioned "true→predicted" (the book's {@code ch08/misclassified_mnist.py}).
 */
@Command(name = "visualize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Draw a model's first filters, or the test digits it gets wrong.",
            "The figures are PNG files."},
        subcommands = {VisualizeCommand.Filters.class, VisualizeCommand.Misclassified.class})
final class VisualizeCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** Without a subcommand: the usage, which lists them. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "give a subcommand: filters or misclassified");
    }

    /**
     * Refuses an {@code --out} file that cannot be written before the model is read: the pictures are pixels, so a
     * PNG file in an existing directory.
     */
    static void checkOut(CommandSpec spec, Path out) {
        String problem = PlotFile.problem("--out", out, PlotFile.PIXELS);
        if (problem != null) {
            throw new ParameterException(spec.commandLine(), problem);
        }
    }

    /** Drawing needs no display: AWT in headless mode, unless the user chose otherwise. */
    static void headless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** {@code layerwise visualize filters}: the first convolution's filters, channel 0, as the book draws them. */
    @Command(name = "filters", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Draw the filters of a model's first convolution.",
                "Channel 0 of each, 8 per row, each scaled to its own range, large weights",
                "dark, as the book's visualize_filter.py does."})
    static final class Filters implements Callable<Integer> {
        @Mixin
        ModelSource source;

        @Option(names = "--out", paramLabel = "FILE.png", required = true, description = "The PNG file to write.")
        Path out;

        @Option(names = "--scale", paramLabel = "N", defaultValue = "8",
                description = "Pixels per filter weight. Default: ${DEFAULT-VALUE}.")
        int scale;

        @Option(names = "--initial", description = {"Draw the filters a new network of the same architecture starts "
                + "from (random, seed --seed) instead: the book's \"before learning\" figure."})
        boolean initial;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
                description = "With --initial: the seed of the weights. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (scale < 1 || scale > 64) {
                throw new ParameterException(spec.commandLine(), "--scale must be between 1 and 64, got " + scale);
            }
            checkOut(spec, out);
            Model model = source.load();
            Network network = model.network();
            if (initial) {
                network = Architectures.build(network.architecture(), network.dtype(), new Rng(seed));
            }
            Tensor W = firstFilters(network);
            if (W == null) {
                throw new IOException("the model (" + network.architecture().name() + ") has no convolution, so no "
                        + "filters to draw; use a convolutional network such as simple-convnet or deep-convnet");
            }
            headless();
            Charts.writePng(Images.filters(W, scale), out);
            PrintWriter o = spec.commandLine().getOut();
            o.printf(Locale.ROOT, "wrote %s: %d filters %d×%d%s%n", out, W.dim(0), W.dim(2), W.dim(3),
                    W.dim(1) > 1 ? " (channel 0 of " + W.dim(1) + ")" : "");
            o.flush();
            return 0;
        }
    }

    /**
     * The filters {@code W (FN, C, FH, FW)} of the first convolution of {@code network} in its layer order, or null
     * when it has none.
     */
    static Tensor firstFilters(Network network) {
        if (!(network instanceof Sequential)) {
            return null;
        }
        for (Layer layer : ((Sequential) network).layers().values()) {
            if (layer instanceof Convolution) {
                return layer.parameters().get(0).value();
            }
        }
        return null;
    }

    /** {@code layerwise visualize misclassified}: the first test digits a model gets wrong, in test-set order. */
    @Command(name = "misclassified", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Draw the first MNIST test digits a model misclassifies.",
                "Each is captioned true→predicted; the test accuracy and the pairs are",
                "printed, as the book's misclassified_mnist.py does."})
    static final class Misclassified implements Callable<Integer> {
        @Mixin
        ModelSource source;

        @Mixin
        MnistSource data;

        @Option(names = "--out", paramLabel = "FILE.png", required = true, description = "The PNG file to write.")
        Path out;

        @Option(names = "--count", paramLabel = "N", defaultValue = "20",
                description = "How many misclassified digits to draw at most. Default: ${DEFAULT-VALUE}.")
        int count;

        @Option(names = "--scale", paramLabel = "N", defaultValue = "2",
                description = "Pixels per digit pixel. Default: ${DEFAULT-VALUE}.")
        int scale;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (count < 1) {
                throw new ParameterException(spec.commandLine(), "--count must be at least 1, got " + count);
            }
            if (scale < 1 || scale > 16) {
                throw new ParameterException(spec.commandLine(), "--scale must be between 1 and 16, got " + scale);
            }
            checkOut(spec, out);
            Model model = source.load();
            PrintWriter o = spec.commandLine().getOut();
            DataSet test = data.load(Mnist.Options.defaults().withFlatten(false).withDType(model.network().dtype()),
                    spec.commandLine().getErr()::println).test();
            int[] predicted = model.classify(test.x());
            int[] actual = test.t().indices();
            List<float[]> images = new ArrayList<>();
            List<String> captions = new ArrayList<>();
            List<String> pairs = new ArrayList<>();
            int wrong = 0;
            int pixels = Mnist.PIXELS;
            for (int i = 0; i < actual.length; i++) {
                if (predicted[i] == actual[i]) {
                    continue;
                }
                wrong++;
                if (images.size() < count) {
                    float[] px = new float[pixels];
                    for (int p = 0; p < pixels; p++) {
                        px[p] = (float) test.x().getDouble(i * pixels + p);
                    }
                    images.add(px);
                    captions.add(actual[i] + "→" + predicted[i]);
                    pairs.add(String.format(Locale.ROOT, "#%d: %d→%d", i, actual[i], predicted[i]));
                }
            }
            headless();
            BufferedImage image = Images.digits(images, captions, scale);
            Charts.writePng(image, out);
            o.printf(Locale.ROOT, "test accuracy %.4f (%d of %d images misclassified)%n",
                    1 - (double) wrong / actual.length, wrong, actual.length);
            if (!pairs.isEmpty()) {
                o.println("test image: true→predicted  " + String.join(", ", pairs));
            }
            o.printf(Locale.ROOT, "wrote %s: %d digit%s%n", out, images.size(), images.size() == 1 ? "" : "s");
            o.flush();
            return 0;
        }
    }
}
