package dev.layerwise.cli;

import dev.layerwise.data.Mnist;
import dev.layerwise.kernel.KernelProvider;
import dev.layerwise.kernel.Parallel;
import dev.layerwise.net.Network;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.optim.SGD;
import dev.layerwise.tensor.DType;
import dev.layerwise.train.Evaluation;
import dev.layerwise.train.Trainer;
import dev.layerwise.train.TrainingListener;
import dev.layerwise.train.TrainingResult;
import dev.layerwise.util.Rng;
import java.io.PrintWriter;
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
 * {@code layerwise train}: with no options, the book's {@code ch05/train_neuralnet.py} run: a 784-50-10 two-layer net,
 * SGD with learning rate 0.1, 10,000 mini-batches of 100 drawn with replacement, accuracy once per epoch.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a network on MNIST (fetched on first use).",
            "With no options: the book's ch05/train_neuralnet.py run."})
final class TrainCommand implements Callable<Integer> {
    enum Model {
        two_layer;

        @Override
        public String toString() {
            return name().replace('_', '-');
        }
    }

    enum Sampling { replacement, shuffle }

    @Option(names = "--model", defaultValue = "two-layer", converter = ModelConverter.class,
            description = "Network: two-layer (the book's chapter 5). Default: ${DEFAULT-VALUE}.")
    Model model;

    @Option(names = "--hidden", split = ",", paramLabel = "N[,N…]", defaultValue = "50",
            description = "Hidden layer size. Default: ${DEFAULT-VALUE}.")
    List<Integer> hidden;

    @Option(names = "--iterations", paramLabel = "N",
            description = "Mini-batch steps (the book's iters_num). Default: 10000.")
    Integer iterations;

    @Option(names = "--epochs", paramLabel = "N", description = "Train for N epochs instead of --iterations.")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "100",
            description = "Examples per mini-batch. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = "0.1",
            description = "Learning rate of SGD. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--weight-init-std", paramLabel = "STD", defaultValue = "0.01",
            description = "Standard deviation of the initial weights. Default: ${DEFAULT-VALUE}.")
    double weightInitStd;

    @Option(names = "--sampling", defaultValue = "replacement",
            description = "How batches are drawn: replacement (the book: random with replacement) or shuffle "
                    + "(a shuffled pass per epoch). Default: ${DEFAULT-VALUE}.")
    Sampling sampling;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the initial weights and the batch order. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--dtype", paramLabel = "TYPE", defaultValue = "float32", converter = DTypeConverter.class,
            description = "float32 or float64. Default: ${DEFAULT-VALUE}.")
    DType dtype;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads for the kernels. Default: the number of processors.")
    Integer threads;

    @Option(names = "--json", description = "End the output with one JSON object of the final figures.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "Print the final summary only.")
    boolean quiet;

    @Mixin
    MnistSource source;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        validate();
        if (threads != null) {
            Parallel.setThreads(threads);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Mnist.Data mnist = source.load(Mnist.Options.defaults().withDType(dtype), err::println);
        Network net = new TwoLayerNet(Mnist.PIXELS, hidden.get(0), Mnist.CLASSES, weightInitStd, dtype,
                new Rng(seed));
        Trainer.Builder builder = Trainer.builder(net, new SGD(lr), mnist.train(), mnist.test())
                .batchSize(batchSize).seed(seed + 1)
                .sampling(sampling == Sampling.shuffle ? Trainer.Sampling.SHUFFLED_EPOCHS
                        : Trainer.Sampling.WITH_REPLACEMENT);
        if (epochs != null) {
            builder.epochs(epochs);
        } else {
            builder.iterations(iterations != null ? iterations : 10_000);
        }
        if (!quiet) {
            builder.listener(new EpochPrinter(out));
        }
        Trainer trainer = builder.build();
        if (!quiet) {
            out.printf(Locale.ROOT, "%s %d-%d-%d (%s), SGD lr %s, batch %d, %d iterations (%.1f epochs), seed %d, "
                            + "%s kernels, %d thread%s%n", model, Mnist.PIXELS, hidden.get(0), Mnist.CLASSES, dtype,
                    lr, batchSize, trainer.iterations(), (double) trainer.iterations() / trainer.iterationsPerEpoch(),
                    seed, KernelProvider.kernels().name(), Parallel.threads(), Parallel.threads() == 1 ? "" : "s");
        }
        TrainingResult r = trainer.run();
        out.printf(Locale.ROOT, "test accuracy %.4f, train accuracy %.4f, %d iterations in %.1f s (%,.0f samples/s)%n",
                r.testAccuracy(), r.trainAccuracy(), r.iterations(), r.seconds(), r.samplesPerSecond());
        if (json) {
            out.println(new Json()
                    .put("test_accuracy", r.testAccuracy())
                    .put("train_accuracy", r.trainAccuracy())
                    .put("final_loss", r.finalLoss())
                    .put("iterations", r.iterations())
                    .put("epochs", (double) r.iterations() / trainer.iterationsPerEpoch())
                    .put("seconds", r.seconds())
                    .put("samples_per_second", r.samplesPerSecond())
                    .put("model", model.toString())
                    .put("dtype", dtype.label())
                    .put("seed", seed)
                    .put("threads", Parallel.threads())
                    .put("kernels", KernelProvider.kernels().name()));
        }
        out.flush();
        return 0;
    }

    private void validate() {
        if (iterations != null && epochs != null) {
            throw usage("give --iterations or --epochs, not both");
        }
        positive("--iterations", iterations);
        positive("--epochs", epochs);
        positive("--batch-size", batchSize);
        positive("--threads", threads);
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw usage("--lr must be a positive number, got " + lr);
        }
        if (!(weightInitStd >= 0) || Double.isInfinite(weightInitStd)) {
            throw usage("--weight-init-std must be a number >= 0, got " + weightInitStd);
        }
        if (hidden.isEmpty()) {
            throw usage("--hidden needs at least one size");
        }
        for (int h : hidden) {
            positive("--hidden", h);
        }
        if (model == Model.two_layer && hidden.size() != 1) {
            throw usage("--model two-layer has one hidden layer; got --hidden " + hidden);
        }
    }

    private void positive(String option, Integer value) {
        if (value != null && value < 1) {
            throw usage(option + " must be at least 1, got " + value);
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** One line per evaluation, like the book's {@code train acc, test acc | …}. */
    static final class EpochPrinter implements TrainingListener {
        private final PrintWriter out;

        EpochPrinter(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void onEvaluation(Trainer trainer, Evaluation e) {
            out.printf(Locale.ROOT, "epoch %5.2f  iteration %6d  loss %.4f  train acc %.4f  test acc %.4f  %6.1f s%n",
                    e.epoch(), e.iteration(), e.loss(), e.trainAccuracy(), e.testAccuracy(), e.seconds());
            out.flush();
        }
    }

    /** Accepts {@code two-layer} (and {@code two_layer}). */
    static final class ModelConverter implements picocli.CommandLine.ITypeConverter<Model> {
        @Override
        public Model convert(String value) {
            try {
                return Model.valueOf(value.trim().toLowerCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("unknown model '" + value
                        + "' (expected two-layer)");
            }
        }
    }

    /** Parses float32/float64. */
    static final class DTypeConverter implements picocli.CommandLine.ITypeConverter<DType> {
        @Override
        public DType convert(String value) {
            try {
                return DType.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
