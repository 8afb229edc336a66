package dev.layerwise.cli;

import dev.layerwise.data.DataSet;
import dev.layerwise.data.Mnist;
import dev.layerwise.kernel.KernelProvider;
import dev.layerwise.kernel.Parallel;
import dev.layerwise.layer.Dropout;
import dev.layerwise.net.Activation;
import dev.layerwise.net.MultiLayerNet;
import dev.layerwise.net.MultiLayerNetExtend;
import dev.layerwise.net.Network;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.net.WeightInit;
import dev.layerwise.optim.AbstractOptimizer;
import dev.layerwise.optim.LearningRateSchedule;
import dev.layerwise.optim.Optimizer;
import dev.layerwise.optim.Optimizers;
import dev.layerwise.tensor.DType;
import dev.layerwise.train.EarlyStopping;
import dev.layerwise.train.Evaluation;
import dev.layerwise.train.Trainer;
import dev.layerwise.train.TrainingListener;
import dev.layerwise.train.TrainingResult;
import dev.layerwise.util.Rng;
import java.io.PrintWriter;
import java.util.ArrayList;
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
 * {@code layerwise train}: with no options, the book's {@code ch05/train_neuralnet.py} run: a 784-50-10 two-layer net,
 * SGD with learning rate 0.1, 10,000 mini-batches of 100 drawn with replacement, accuracy once per epoch. With
 * {@code --model mlp}, the book's chapter-6 multi-layer nets with their optimizers, initialisations, batch norm,
 * dropout and weight decay. Every option is checked before any data is loaded; a bad one exits with 2 and names it.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a network on MNIST (fetched on first use).",
            "With no options: the book's ch05/train_neuralnet.py run.",
            "Example (chapter 6): layerwise train --model mlp --hidden 100,100,100 --optimizer adam --init he "
                    + "--batchnorm --dropout 0.2 --weight-decay 0.01 --epochs 5"})
final class TrainCommand implements Callable<Integer> {
    enum Model {
        two_layer, mlp, mlp_extend;

        @Override
        public String toString() {
            return name().replace('_', '-');
        }
    }

    enum Sampling { replacement, shuffle }

    @Option(names = "--model", paramLabel = "NAME", defaultValue = "two-layer", converter = ModelConverter.class,
            description = "Network: two-layer (chapter 5), mlp (the book's MultiLayerNet; MultiLayerNetExtend when "
                    + "--batchnorm or --dropout is given) or mlp-extend. Default: ${DEFAULT-VALUE}.")
    Model model;

    @Option(names = "--hidden", paramLabel = "N[,N…]",
            description = "Hidden layer sizes, comma-separated. Default: 50 for two-layer, 100,100,100,100 for mlp.")
    String hidden;

    @Option(names = "--activation", paramLabel = "NAME", defaultValue = "relu",
            description = "Hidden activation of mlp: relu or sigmoid. Default: ${DEFAULT-VALUE}.")
    String activation;

    @Option(names = {"--init", "--weight-init-std"}, paramLabel = "INIT",
            description = "Initial weights: he, xavier, or a standard deviation such as 0.01. "
                    + "Default: 0.01 for two-layer (the book's weight_init_std), he for mlp.")
    String init;

    @Option(names = "--batchnorm", description = "Batch normalisation after every hidden affine layer (mlp).")
    boolean batchnorm;

    @Option(names = "--dropout", paramLabel = "RATIO",
            description = "Dropout after every hidden activation with this ratio, in [0, 1) (mlp). Default: none.")
    Double dropout;

    @Option(names = "--dropout-mode", paramLabel = "MODE", defaultValue = "book",
            description = "book (scale by 1 - ratio at inference) or inverted (scale by 1 / (1 - ratio) in "
                    + "training). Default: ${DEFAULT-VALUE}.")
    String dropoutMode;

    @Option(names = "--weight-decay", paramLabel = "LAMBDA",
            description = "Weight decay: adds 0.5·LAMBDA·ΣW² to the loss (mlp). Default: 0.")
    Double weightDecay;

    @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "sgd",
            description = "sgd, momentum, nesterov, adagrad, rmsprop or adam. Default: ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(names = "--lr", paramLabel = "RATE",
            description = "Learning rate. Default: 0.1 for two-layer with sgd (the book's chapter-5 run), else the "
                    + "optimizer's book default (0.01; adam 0.001).")
    Double lr;

    @Option(names = "--momentum", paramLabel = "M", description = "Momentum of momentum and nesterov. Default: 0.9.")
    Double momentum;

    @Option(names = "--decay-rate", paramLabel = "D", description = "Decay rate of rmsprop. Default: 0.99.")
    Double decayRate;

    @Option(names = "--beta1", paramLabel = "B", description = "beta1 of adam. Default: 0.9.")
    Double beta1;

    @Option(names = "--beta2", paramLabel = "B", description = "beta2 of adam. Default: 0.999.")
    Double beta2;

    @Option(names = "--lr-schedule", paramLabel = "SCHEDULE", defaultValue = "constant",
            description = "constant, step:EVERY:GAMMA (multiply the rate by GAMMA every EVERY steps) or "
                    + "cosine[:MIN_LR] (anneal to MIN_LR over the run). Default: ${DEFAULT-VALUE}.")
    String lrSchedule;

    @Option(names = "--iterations", paramLabel = "N",
            description = "Mini-batch steps (the book's iters_num). Default: 10000.")
    Integer iterations;

    @Option(names = "--epochs", paramLabel = "N", description = "Train for N epochs instead of --iterations.")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "100",
            description = "Examples per mini-batch. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--train-size", paramLabel = "N",
            description = "Train on the first N training images only (the book's overfitting runs use 300). "
                    + "Default: all 60000.")
    Integer trainSize;

    @Option(names = "--eval-sample", paramLabel = "N", defaultValue = "0",
            description = "Evaluate each epoch on the first N images of each set (the book's "
                    + "evaluate_sample_num_per_epoch); 0: all. The final accuracies use all. "
                    + "Default: ${DEFAULT-VALUE}.")
    int evalSample;

    @Option(names = "--early-stopping", paramLabel = "EPOCHS",
            description = "Stop when the test accuracy has not improved for EPOCHS evaluations. Default: off.")
    Integer earlyStopping;

    @Option(names = "--sampling", paramLabel = "HOW", defaultValue = "replacement",
            description = "How batches are drawn: replacement (the book: random with replacement) or shuffle "
                    + "(a shuffled pass per epoch). Default: ${DEFAULT-VALUE}.")
    Sampling sampling;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the initial weights, dropout masks and the batch order. Default: ${DEFAULT-VALUE}.")
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

    /** What the options describe, checked: built by {@link #validate()} before any data is read. */
    private List<Integer> hiddenSizes;
    private WeightInit weightInit;
    private Activation act;
    private Dropout.Mode mode;
    private String optimizerName;
    private Map<String, Double> optimizerParams;
    private boolean extended;

    @Override
    public Integer call() throws Exception {
        validate();
        if (threads != null) {
            Parallel.setThreads(threads);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Mnist.Data mnist = source.load(Mnist.Options.defaults().withDType(dtype), err::println);
        DataSet train = trainSize == null ? mnist.train() : mnist.train().head(trainSize);
        Network net = network();
        int steps = epochs != null ? epochs * Math.max(train.size() / batchSize, 1)
                : (iterations != null ? iterations : 10_000);
        Optimizer opt = optimizer(steps);
        Trainer.Builder builder = Trainer.builder(net, opt, train, mnist.test())
                .batchSize(batchSize).seed(seed + 1).evalSampleSize(evalSample)
                .sampling(sampling == Sampling.shuffle ? Trainer.Sampling.SHUFFLED_EPOCHS
                        : Trainer.Sampling.WITH_REPLACEMENT);
        if (epochs != null) {
            builder.epochs(epochs);
        } else {
            builder.iterations(steps);
        }
        if (!quiet) {
            builder.listener(new EpochPrinter(out));
        }
        EarlyStopping stopper = null;
        if (earlyStopping != null) {
            stopper = EarlyStopping.on(EarlyStopping.Metric.TEST_ACCURACY, earlyStopping);
            builder.listener(stopper);
        }
        Trainer trainer = builder.build();
        if (!quiet) {
            out.printf(Locale.ROOT, "%s %s (%s%s), %s, batch %d, %d iterations (%.1f epochs of %d images), seed %d, "
                            + "%s kernels, %d thread%s%n", modelName(), sizes(), dtype, details(), describe(opt),
                    batchSize,
                    trainer.iterations(), (double) trainer.iterations() / trainer.iterationsPerEpoch(), train.size(),
                    seed, KernelProvider.kernels().name(), Parallel.threads(), Parallel.threads() == 1 ? "" : "s");
        }
        TrainingResult r = trainer.run();
        if (stopper != null && stopper.stoppedAt() != null) {
            out.printf(Locale.ROOT, "early stopping: no better test accuracy for %d evaluations; best %.4f at "
                    + "epoch %.2f%n", earlyStopping, stopper.best().testAccuracy(), stopper.best().epoch());
        }
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
                    .put("model", modelName())
                    .put("hidden", hiddenSizes)
                    .put("activation", act.toString())
                    .put("init", weightInit.toString())
                    .put("batchnorm", batchnorm)
                    .put("dropout", dropout)
                    .put("dropout_mode", dropout == null ? null : mode.toString())
                    .put("weight_decay", weightDecay == null ? 0.0 : weightDecay)
                    .put("optimizer", optimizerName)
                    .put("optimizer_params", optimizerParams)
                    .put("dtype", dtype.label())
                    .put("seed", seed)
                    .put("threads", Parallel.threads())
                    .put("kernels", KernelProvider.kernels().name()));
        }
        out.flush();
        return 0;
    }

    private Network network() {
        Rng rng = new Rng(seed);
        if (model == Model.two_layer) {
            return new TwoLayerNet(Mnist.PIXELS, hiddenSizes.get(0), Mnist.CLASSES, weightInit.stddev(1), dtype, rng);
        }
        double lambda = weightDecay == null ? 0 : weightDecay;
        if (!extended) {
            return new MultiLayerNet(Mnist.PIXELS, hiddenSizes, Mnist.CLASSES, new MultiLayerNet.Options(act,
                    weightInit, lambda), dtype, rng);
        }
        MultiLayerNetExtend.Options o = MultiLayerNetExtend.Options.defaults().withActivation(act)
                .withWeightInit(weightInit).withWeightDecay(lambda).withBatchnorm(batchnorm).withDropoutMode(mode);
        if (dropout != null) {
            o = o.withDropout(dropout);
        }
        return new MultiLayerNetExtend(Mnist.PIXELS, hiddenSizes, Mnist.CLASSES, o, dtype, rng);
    }

    /** The optimizer with its schedule over {@code steps} (cosine needs the length of the run). */
    private Optimizer optimizer(long steps) {
        LearningRateSchedule schedule;
        try {
            schedule = LearningRateSchedule.parse(lrSchedule, steps);
        } catch (IllegalArgumentException e) {
            throw usage("--lr-schedule: " + e.getMessage());
        }
        return Optimizers.create(optimizerName, optimizerParams, schedule);
    }

    /** The registered architecture that is trained: two-layer, mlp or mlp-extend. */
    private String modelName() {
        return model == Model.two_layer ? model.toString() : extended ? "mlp-extend" : "mlp";
    }

    /** {@code ; relu, init he, batch norm, …} for the multi-layer nets, nothing for the chapter-5 net. */
    private String details() {
        if (model == Model.two_layer) {
            return "";
        }
        StringBuilder sb = new StringBuilder("; ").append(act).append(", init ").append(weightInit);
        if (batchnorm) {
            sb.append(", batch norm");
        }
        if (dropout != null) {
            sb.append(", dropout ").append(dropout).append(mode == Dropout.Mode.INVERTED ? " (inverted)" : "");
        }
        if (weightDecay != null && weightDecay > 0) {
            sb.append(", weight decay ").append(weightDecay);
        }
        return sb.toString();
    }

    private String sizes() {
        StringBuilder sb = new StringBuilder().append(Mnist.PIXELS);
        for (int h : hiddenSizes) {
            sb.append('-').append(h);
        }
        return sb.append('-').append(Mnist.CLASSES).toString();
    }

    /** {@code SGD lr 0.1}, {@code adam lr 0.001, beta1 0.9, beta2 0.999}, plus a schedule other than constant. */
    private String describe(Optimizer opt) {
        StringBuilder sb = new StringBuilder(optimizerName.equals("sgd") ? "SGD" : optimizerName);
        String sep = " ";
        for (Map.Entry<String, Double> e : optimizerParams.entrySet()) {
            sb.append(sep).append(e.getKey()).append(' ').append(e.getValue());
            sep = ", ";
        }
        if (opt instanceof AbstractOptimizer
                && !(((AbstractOptimizer) opt).schedule() instanceof LearningRateSchedule.Constant)) {
            sb.append(", schedule ").append(((AbstractOptimizer) opt).schedule());
        }
        return sb.toString();
    }

    /** Checks every option and derives what they describe; throws a usage error naming the first bad one. */
    void validate() {
        if (iterations != null && epochs != null) {
            throw usage("give --iterations or --epochs, not both");
        }
        positive("--iterations", iterations);
        positive("--epochs", epochs);
        positive("--batch-size", batchSize);
        positive("--threads", threads);
        positive("--train-size", trainSize);
        positive("--early-stopping", earlyStopping);
        if (evalSample < 0) {
            throw usage("--eval-sample must be at least 0 (0: all), got " + evalSample);
        }
        if (trainSize != null && trainSize > 60_000) {
            throw usage("--train-size must be at most 60000 (the MNIST training set), got " + trainSize);
        }
        hiddenSizes = parseHidden();
        try {
            act = Activation.parse(activation);
        } catch (IllegalArgumentException e) {
            throw usage("--activation: " + e.getMessage());
        }
        try {
            weightInit = init == null ? (model == Model.two_layer ? WeightInit.std(TwoLayerNet.DEFAULT_WEIGHT_INIT_STD)
                    : WeightInit.he()) : WeightInit.parse(init);
        } catch (IllegalArgumentException e) {
            throw usage("--init: " + e.getMessage());
        }
        try {
            mode = Dropout.Mode.parse(dropoutMode);
        } catch (IllegalArgumentException e) {
            throw usage("--dropout-mode: " + e.getMessage());
        }
        if (dropout != null && !(dropout >= 0 && dropout < 1)) {
            throw usage("--dropout must be a ratio in [0, 1), got " + dropout);
        }
        if (weightDecay != null && (!(weightDecay >= 0) || Double.isInfinite(weightDecay))) {
            throw usage("--weight-decay must be a number >= 0, got " + weightDecay);
        }
        if (model == Model.two_layer) {
            if (hiddenSizes.size() != 1) {
                throw usage("--model two-layer has one hidden layer; got --hidden " + hidden
                        + " (use --model mlp for more)");
            }
            requireMlp("--batchnorm", batchnorm);
            requireMlp("--dropout", dropout != null);
            requireMlp("--weight-decay", weightDecay != null);
            requireMlp("--activation " + activation, act != Activation.RELU);
            if (weightInit.scalesWithFanIn()) {
                throw usage("--model two-layer takes a standard deviation for --init (the book's weight_init_std), "
                        + "got " + init + "; use --model mlp for he or xavier");
            }
        }
        extended = model == Model.mlp_extend || batchnorm || dropout != null;
        validateOptimizer();
        optimizer(1);
    }

    private void validateOptimizer() {
        optimizerName = optimizer.trim().toLowerCase(Locale.ROOT);
        if (!Optimizers.names().contains(optimizerName)) {
            throw usage("--optimizer: unknown optimizer '" + optimizer + "' (expected one of "
                    + String.join(", ", Optimizers.names()) + ")");
        }
        Map<String, Double> params = new LinkedHashMap<>(Optimizers.defaults(optimizerName));
        double rate = lr != null ? lr : (model == Model.two_layer && optimizerName.equals("sgd") ? 0.1
                : params.get("lr"));
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw usage("--lr must be a positive number, got " + rate);
        }
        params.put("lr", rate);
        Object[][] extra = {{"--momentum", "momentum", momentum}, {"--decay-rate", "decay_rate", decayRate},
            {"--beta1", "beta1", beta1}, {"--beta2", "beta2", beta2}};
        for (Object[] e : extra) {
            String option = (String) e[0];
            String key = (String) e[1];
            Double value = (Double) e[2];
            if (value == null) {
                continue;
            }
            if (!params.containsKey(key)) {
                List<String> takers = new ArrayList<>();
                for (String name : Optimizers.names()) {
                    if (Optimizers.defaults(name).containsKey(key)) {
                        takers.add(name);
                    }
                }
                throw usage(option + " applies to --optimizer " + String.join(" or ", takers) + ", not "
                        + optimizerName);
            }
            if (!(value >= 0 && value < 1)) {
                throw usage(option + " must be in [0, 1), got " + value);
            }
            params.put(key, value);
        }
        optimizerParams = params;
    }

    private List<Integer> parseHidden() {
        if (hidden == null) {
            return model == Model.two_layer ? List.of(50) : List.of(100, 100, 100, 100);
        }
        List<Integer> sizes = new ArrayList<>();
        for (String part : hidden.split(",", -1)) {
            String p = part.trim();
            if (p.isEmpty()) {
                if (hidden.trim().isEmpty()) {
                    break;
                }
                throw usage("--hidden must be sizes separated by commas, such as 100,100; got '" + hidden + "'");
            }
            try {
                sizes.add(Integer.parseInt(p));
            } catch (NumberFormatException e) {
                throw usage("--hidden must be whole numbers separated by commas, such as 100,100; got '" + hidden
                        + "'");
            }
        }
        if (sizes.isEmpty()) {
            throw usage("--hidden needs at least one hidden layer size, such as --hidden 100,100");
        }
        for (int h : sizes) {
            if (h < 1) {
                throw usage("--hidden sizes must be at least 1, got " + hidden);
            }
        }
        return List.copyOf(sizes);
    }

    private void requireMlp(String option, boolean given) {
        if (given) {
            throw usage(option + " needs --model mlp (the two-layer net is the book's chapter-5 ReLU net)");
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

    /** Accepts {@code two-layer}, {@code mlp}, {@code mlp-extend} (and underscores). */
    static final class ModelConverter implements picocli.CommandLine.ITypeConverter<Model> {
        @Override
        public Model convert(String value) {
            try {
                return Model.valueOf(value.trim().toLowerCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("unknown model '" + value
                        + "' (expected two-layer, mlp or mlp-extend)");
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
