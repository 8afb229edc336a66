package dev.layerwise.cli;

import dev.layerwise.data.DataSet;
import dev.layerwise.data.Mnist;
import dev.layerwise.gradcheck.GradientCheck;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.util.Rng;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code layerwise gradcheck}: the book's {@code ch05/gradient_check.py}. Builds the 784-50-10 two-layer net in float64,
 * computes the gradients of the loss on the first few MNIST training images by backpropagation and by central
 * differences, and prints the mean absolute difference per parameter. Exits with 1 when a mean difference reaches the
 * tolerance.
 */
@Command(name = "gradcheck", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare backprop with numerical gradients (the book's ch05/gradient_check.py).",
            "Prints one line per parameter; fails if a mean difference reaches --tolerance."})
final class GradcheckCommand implements Callable<Integer> {
    @Option(names = "--images", paramLabel = "N", defaultValue = "3",
            description = "MNIST training images in the batch. Default: ${DEFAULT-VALUE} (as the book).")
    int images;

    @Option(names = "--hidden", paramLabel = "N", defaultValue = "50",
            description = "Hidden layer size. Default: ${DEFAULT-VALUE}.")
    int hidden;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the initial weights. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--tolerance", paramLabel = "T", defaultValue = "1e-6",
            description = "Largest acceptable mean absolute difference. Default: ${DEFAULT-VALUE}.")
    double tolerance;

    @Option(names = "--json",
            description = "Standard output carries one JSON object only: per parameter (in order) its name, size, "
                    + "mean and max absolute difference and max relative error, then the verdict; the lines for "
                    + "people go to standard error.")
    boolean json;

    @Mixin
    MnistSource source;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (images < 1) {
            throw new ParameterException(spec.commandLine(), "--images must be at least 1, got " + images);
        }
        if (hidden < 1) {
            throw new ParameterException(spec.commandLine(), "--hidden must be at least 1, got " + hidden);
        }
        // With --json, standard output is for the one JSON object alone: the lines for people go to standard error.
        PrintWriter out = json ? spec.commandLine().getErr() : spec.commandLine().getOut();
        Mnist.Data mnist = source.load(Mnist.Options.defaults().withDType(DType.FLOAT64),
                spec.commandLine().getErr()::println);
        DataSet batch = mnist.train().head(images);
        TwoLayerNet net = new TwoLayerNet(Mnist.PIXELS, hidden, Mnist.CLASSES, TwoLayerNet.DEFAULT_WEIGHT_INIT_STD,
                DType.FLOAT64, new Rng(seed));
        GradientCheck.Report report = GradientCheck.check(net, batch.x(), Labels.of(
                Arrays.copyOf(batch.t().indices(), images)));
        boolean ok = true;
        List<Map<String, Object>> entries = new ArrayList<>();
        for (GradientCheck.Entry e : report.entries()) {
            out.printf(Locale.ROOT, "%s:%.10g%n", e.name(), e.meanAbsDiff());
            boolean passed = e.meanAbsDiff() < tolerance;
            ok &= passed;
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", e.name());
            entry.put("size", e.size());
            entry.put("mean_abs_diff", e.meanAbsDiff());
            entry.put("max_abs_diff", e.maxAbsDiff());
            entry.put("max_rel_error", e.maxRelError());
            entry.put("ok", passed);
            entries.add(entry);
        }
        double maxAbsDiff = report.entries().stream().mapToDouble(GradientCheck.Entry::maxAbsDiff).max().orElse(0);
        out.printf(Locale.ROOT, "max abs diff %.3g, max relative error %.3g over %d parameters; %s (tolerance %.1g)%n",
                maxAbsDiff, report.maxRelError(), net.parameters().totalSize(), ok ? "OK" : "FAILED", tolerance);
        out.flush();
        if (json) {
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.println(new Json().put("parameters", entries).put("max_abs_diff", maxAbsDiff)
                    .put("max_rel_error", report.maxRelError()).put("tolerance", tolerance).put("images", images)
                    .put("hidden", hidden).put("seed", seed).put("ok", ok));
            stdout.flush();
        }
        return ok ? 0 : Main.FAILURE;
    }
}
