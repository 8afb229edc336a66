package dev.layerwise.cli;

import dev.layerwise.data.Mnist;
import dev.layerwise.experiment.ExperimentResult;
import dev.layerwise.experiment.Experiments;
import dev.layerwise.experiment.Table;
import dev.layerwise.io.AtomicFiles;
import dev.layerwise.kernel.KernelProvider;
import dev.layerwise.kernel.Parallel;
import dev.layerwise.plot.ExperimentPlots;
import dev.layerwise.plot.Figure;
import dev.layerwise.tensor.DType;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code layerwise experiment NAME}: reruns one of the book's chapter-6 comparisons on MNIST (see
 * {@link Experiments}), prints its final figures, writes its curves as CSV and the book's figure as PNG into a
 * directory with {@code --out}, the figure as PNG or SVG with {@code --plot} (see {@link ExperimentPlots}), and with
 * {@code --json} ends with one JSON object of the figures.
 */
@Command(name = "experiment", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Rerun one of the book's chapter-6 comparisons on MNIST.",
            "It prints the final figures of each compared net.",
            "  optimizers    SGD, Momentum, AdaGrad, Adam; 784-100x4-10, batch 128,",
            "                2000 iterations",
            "  weight-init   std 0.01, Xavier, He; same net, SGD 0.01",
            "  batchnorm     with and without batch norm at 16 weight scales; 1000",
            "                images, 20 epochs",
            "  weight-decay  overfitting 300 images without and with weight decay 0.1;",
            "                201 epochs",
            "  dropout       overfitting 300 images without and with dropout 0.2; 301",
            "                epochs"})
final class ExperimentCommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", completionCandidates = OptionTypes.ExperimentCandidates.class,
            description = "optimizers, weight-init, batchnorm, weight-decay or dropout.")
    String name;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Write the curves as CSV files into DIR, created if missing (its parent must exist): "
                    + "NAME-loss.csv or NAME-accuracy.csv; weight-init also weight-init-activations.csv, the "
                    + "histogram counts; and the book's figure as NAME.png.")
    Path out;

    @Option(names = "--plot", paramLabel = "FILE",
            description = "Draw the book's figure of the experiment into FILE: PNG or SVG by its extension (.png, "
                    + ".svg); its directory must exist.")
    Path plot;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the initial weights (the same for every compared net) and the batches. "
                    + "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--iterations", paramLabel = "N",
            description = "Steps of optimizers and weight-init. Default: 2000 (the book).")
    Integer iterations;

    @Option(names = "--epochs", paramLabel = "N",
            description = "Epochs of batchnorm, weight-decay and dropout. Default: the book's (20, 201, 301).")
    Integer epochs;

    @Option(names = "--scales", paramLabel = "N",
            description = "Weight scales of batchnorm, log-spaced from 1 to 1e-4. Default: 16 (the book).")
    Integer scales;

    @Option(names = "--eval-sample", paramLabel = "N",
            description = "Test images evaluated per epoch in weight-decay and dropout (0: all 10000, as the book; "
                    + "the final figures always use all). Default: 1000.")
    Integer evalSample;

    @Option(names = "--dtype", paramLabel = "TYPE", defaultValue = "float32",
            converter = OptionTypes.DTypes.class,
            description = "float32 or float64. Default: ${DEFAULT-VALUE}.")
    DType dtype;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads for the kernels. Default: the number of processors.")
    Integer threads;

    @Option(names = "--json", description = "Standard output carries one JSON object of the final figures only; "
            + "progress, figures and file names for people go to standard error.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "Print the final figures only, no progress.")
    boolean quiet;

    @Mixin
    MnistSource source;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Experiments.Settings settings = validate();
        if (threads != null) {
            Parallel.setThreads(threads);
        }
        PrintWriter err = spec.commandLine().getErr();
        // With --json, standard output is for the one JSON object alone: what people read goes to standard error.
        PrintWriter o = json ? err : spec.commandLine().getOut();
        Mnist.Data mnist = source.load(Mnist.Options.defaults().withDType(dtype), err::println);
        if (!quiet) {
            o.printf(Locale.ROOT, "experiment %s (book ch06), seed %d, %s, %s kernels, %d thread%s%n", name, seed,
                    dtype, KernelProvider.kernels().name(), Parallel.threads(), Parallel.threads() == 1 ? "" : "s");
            o.flush();
        }
        ExperimentResult r = Experiments.run(name, mnist, settings, line -> {
            if (!quiet) {
                o.println(line);
                o.flush();
            }
        });
        for (String line : r.summary()) {
            o.println(line);
        }
        Figure figure = out == null && plot == null ? null : ExperimentPlots.plot(r, settings);
        if (out != null) {
            OutputPaths.create(out);
            for (Table t : r.tables()) {
                Path file = out.resolve(name + "-" + t.name() + ".csv");
                AtomicFiles.write(file, stream -> stream.write(t.toCsv().getBytes(StandardCharsets.UTF_8)));
                o.println("wrote " + file);
            }
            Path png = out.resolve(name + ".png");
            figure.write(png);
            o.println("wrote " + png);
        }
        if (plot != null) {
            figure.write(plot);
            o.println("wrote " + plot);
        }
        o.printf(Locale.ROOT, "%s done in %.1f s%n", name, r.seconds());
        if (json) {
            Json j = new Json();
            for (Map.Entry<String, Object> e : r.figures().entrySet()) {
                j.put(e.getKey(), e.getValue());
            }
            j.put("total_seconds", r.seconds()).put("seed", seed).put("dtype", dtype.label())
                    .put("kernels", KernelProvider.kernels().name()).put("threads", Parallel.threads());
            o.flush();
            spec.commandLine().getOut().println(j);
            spec.commandLine().getOut().flush();
        }
        o.flush();
        return 0;
    }

    /** Checks the name and every option before any data is read. */
    Experiments.Settings validate() {
        name = name.trim().toLowerCase(Locale.ROOT);
        if (!Experiments.NAMES.contains(name)) {
            throw usage("unknown experiment '" + name + "' (expected one of " + String.join(", ", Experiments.NAMES)
                    + ")");
        }
        positive("--iterations", iterations);
        positive("--epochs", epochs);
        positive("--threads", threads);
        if (scales != null && scales < 2) {
            throw usage("--scales must be at least 2, got " + scales);
        }
        if (evalSample != null && evalSample < 0) {
            throw usage("--eval-sample must be at least 0 (0: all), got " + evalSample);
        }
        if (iterations != null && !(name.equals("optimizers") || name.equals("weight-init"))) {
            throw usage("--iterations applies to optimizers and weight-init; " + name + " takes --epochs");
        }
        if (epochs != null && (name.equals("optimizers") || name.equals("weight-init"))) {
            throw usage("--epochs applies to batchnorm, weight-decay and dropout; " + name + " takes --iterations");
        }
        if (scales != null && !name.equals("batchnorm")) {
            throw usage("--scales applies to batchnorm only");
        }
        if (evalSample != null && !(name.equals("weight-decay") || name.equals("dropout"))) {
            throw usage("--eval-sample applies to weight-decay and dropout only");
        }
        String plotProblem = plot == null ? null : PlotFile.problem("--plot", plot, PlotFile.FIGURES);
        if (plotProblem != null) {
            throw usage(plotProblem);
        }
        if (out != null) {
            OutputPaths.directory(spec, "--out", out);
        }
        return new Experiments.Settings(seed, dtype, iterations == null ? 0 : iterations, epochs == null ? 0 : epochs,
                scales == null ? 0 : scales, evalSample == null ? -1 : evalSample);
    }

    private void positive(String option, Integer value) {
        if (value != null && value < 1) {
            throw usage(option + " must be at least 1, got " + value);
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
