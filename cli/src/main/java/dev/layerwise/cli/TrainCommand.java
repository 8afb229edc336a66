package dev.layerwise.cli;

import dev.layerwise.data.DataSet;
import dev.layerwise.data.Mnist;
import dev.layerwise.io.FileFormatException;
import dev.layerwise.kernel.KernelProvider;
import dev.layerwise.kernel.Parallel;
import dev.layerwise.layer.Dropout;
import dev.layerwise.model.Checkpoints;
import dev.layerwise.model.Model;
import dev.layerwise.model.TrainingState;
import dev.layerwise.net.Activation;
import dev.layerwise.net.DeepConvNet;
import dev.layerwise.net.MultiLayerNet;
import dev.layerwise.net.MultiLayerNetExtend;
import dev.layerwise.net.Network;
import dev.layerwise.net.SimpleConvNet;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.net.WeightInit;
import dev.layerwise.optim.AbstractOptimizer;
import dev.layerwise.optim.LearningRateSchedule;
import dev.layerwise.optim.Optimizer;
import dev.layerwise.optim.Optimizers;
import dev.layerwise.plot.Charts;
import dev.layerwise.tensor.DType;
import dev.layerwise.train.EarlyStopping;
import dev.layerwise.train.Trainer;
import dev.layerwise.train.TrainingResult;
import dev.layerwise.util.Rng;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * dropout and weight decay; with {@code --model simple-convnet} or {@code deep-convnet}, the convolutional nets of
 * chapters 7 and 8 with the book's settings. {@code --save}, {@code --checkpoint-every} and {@code --resume} keep and
 * continue runs; {@code --plot} and {@code --log} record them. Every option is checked before any data is loaded; a bad
 * one exits with 2 and names it.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a network on MNIST (fetched on first use).",
            "With no options: the book's ch05/train_neuralnet.py run.",
            "Examples:",
            "  layerwise train --model mlp --hidden 100,100,100 --optimizer adam --init he \\",
            "      --batchnorm --dropout 0.2",
            "  layerwise train --model simple-convnet --save convnet.lw --plot curves.png",
            "  layerwise train --resume convnet.lw --epochs 25"})
final class TrainCommand implements Callable<Integer> {
    enum Arch {
        two_layer, mlp, mlp_extend, simple_convnet, deep_convnet;

        boolean convolutional() {
            return this == simple_convnet || this == deep_convnet;
        }

        @Override
        public String toString() {
            return name().replace('_', '-');
        }
    }

    enum Sampling { replacement, shuffle }

    enum Progress { auto, always, never }

    /** The options that define a run; a resumed run takes them from its checkpoint. */
    private static final List<String> RUN_OPTIONS = List.of("--model", "--hidden", "--activation", "--init",
            "--batchnorm", "--dropout", "--dropout-mode", "--weight-decay", "--optimizer", "--lr", "--momentum",
            "--decay-rate", "--beta1", "--beta2", "--lr-schedule", "--batch-size", "--train-size", "--eval-sample",
            "--sampling", "--seed", "--dtype");

    @Option(names = "--model", paramLabel = "NAME", defaultValue = "two-layer", converter = ModelConverter.class,
            description = "Network: two-layer (chapter 5), mlp (the book's MultiLayerNet; MultiLayerNetExtend when "
                    + "--batchnorm or --dropout is given), mlp-extend, simple-convnet (chapter 7) or deep-convnet "
                    + "(chapter 8). Default: ${DEFAULT-VALUE}.")
    Arch model;

    @Option(names = "--hidden", paramLabel = "N[,N…]",
            description = "Hidden layer sizes, comma-separated. Default: 50 for two-layer, 100,100,100,100 for mlp, "
                    + "100 for simple-convnet, 50 for deep-convnet.")
    String hidden;

    @Option(names = "--activation", paramLabel = "NAME", defaultValue = "relu",
            description = "Hidden activation of mlp: relu or sigmoid. Default: ${DEFAULT-VALUE}.")
    String activation;

    @Option(names = {"--init", "--weight-init-std"}, paramLabel = "INIT",
            description = "Initial weights: he, xavier, or a standard deviation such as 0.01. "
                    + "Default: 0.01 for two-layer and simple-convnet (the book's weight_init_std), he for mlp and "
                    + "deep-convnet.")
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

    @Option(names = "--optimizer", paramLabel = "NAME",
            description = "sgd, momentum, nesterov, adagrad, rmsprop or adam. Default: adam for the conv nets "
                    + "(the book's train_convnet.py), else sgd.")
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
            description = "Mini-batch steps in all (the book's iters_num); with --resume, the total to reach. "
                    + "Default: 10000 (20 epochs for the conv nets).")
    Integer iterations;

    @Option(names = "--epochs", paramLabel = "N",
            description = "Train for N epochs in all instead of --iterations.")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "100",
            description = "Examples per mini-batch. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--train-size", paramLabel = "N",
            description = "Train on the first N training images only (the book's overfitting runs use 300). "
                    + "Default: all 60000.")
    Integer trainSize;

    @Option(names = "--eval-sample", paramLabel = "N",
            description = "Evaluate each epoch on the first N images of each set (the book's "
                    + "evaluate_sample_num_per_epoch); 0: all. The final accuracies use all. "
                    + "Default: 1000 for the conv nets (as the book), else 0.")
    Integer evalSample;

    @Option(names = "--early-stopping", paramLabel = "EPOCHS",
            description = "Stop when the test accuracy has not improved for EPOCHS evaluations. Default: off.")
    Integer earlyStopping;

    @Option(names = "--sampling", paramLabel = "HOW", defaultValue = "replacement",
            description = "How batches are drawn: replacement (the book: random with replacement) or shuffle "
                    + "(a shuffled pass per epoch). Default: ${DEFAULT-VALUE}.")
    Sampling sampling;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "7",
            description = "Seed of the initial weights, dropout masks and the batch order. The book's run is unseeded; "
                    + "its test accuracy varies with the seed by about ±0.002 (see the README). "
                    + "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--dtype", paramLabel = "TYPE", defaultValue = "float32", converter = DTypeConverter.class,
            description = "float32 or float64. Default: ${DEFAULT-VALUE}.")
    DType dtype;

    @Option(names = "--save", paramLabel = "FILE.lw",
            description = "Save the trained model there (atomically; with the training state, so that --resume can "
                    + "continue it). With --resume: default the resumed file.")
    Path save;

    @Option(names = "--checkpoint-every", paramLabel = "N",
            description = "Also save to the --save file every N iterations. Default: only at the end.")
    Integer checkpointEvery;

    @Option(names = "--resume", paramLabel = "FILE.lw",
            description = "Continue the run saved in FILE up to --iterations or --epochs in all (default: its "
                    + "original length), with its settings, batches and optimizer state: it ends bit for bit where "
                    + "an uninterrupted run would.")
    Path resume;

    @Option(names = "--plot", paramLabel = "FILE.png",
            description = "Draw the loss per iteration and the accuracies per epoch into a PNG file.")
    Path plot;

    @Option(names = "--log", paramLabel = "FILE",
            description = "Write one row per evaluation: CSV, or JSON lines when FILE ends in .jsonl.")
    Path log;

    @Option(names = "--progress", paramLabel = "WHEN", defaultValue = "auto",
            description = "Progress bar: auto (on a terminal), always or never. Default: ${DEFAULT-VALUE}.")
    Progress progress;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads for the kernels. Default: the number of processors.")
    Integer threads;

    @Option(names = "--json", description = "End the output with one JSON object of the final figures.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "Print the final summary only (and the JSON with --json).")
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

    /** A run ready to train: from the options, or from a checkpoint. */
    private record Run(Network network, Optimizer optimizer, Map<String, Object> settings,
                       Trainer.Position position) {
    }

    @Override
    public Integer call() throws Exception {
        if (resume != null) {
            validateResume();
        } else {
            validate();
        }
        if (threads != null) {
            Parallel.setThreads(threads);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // The kernels' start-up (loading the Vector API and running each kernel once before anything is compiled:
        // 0.34-0.40 s of a cold run on this machine, on two threads) overlaps the reading of MNIST instead of
        // following it. A bad -Dlayerwise.kernels is reported by the main thread, when it asks for the kernels.
        Thread kernelsStart = new Thread(() -> {
            try {
                KernelProvider.kernels();
            } catch (IllegalStateException reportedLater) {
                // see above
            }
        }, "layerwise-kernels-start");
        kernelsStart.setDaemon(true);
        kernelsStart.start();
        Run run = resume != null ? resumed() : fresh();
        Map<String, Object> s = run.settings();
        DType runDType = run.network().dtype();
        Mnist.Data mnist = source.load(Mnist.Options.defaults().withDType(runDType), err::println);
        Integer size = intSetting(s, "train_size");
        DataSet train = size == null ? mnist.train() : mnist.train().head(size);
        int perEpoch = Math.max(train.size() / intSetting(s, "batch_size"), 1);
        int total = epochs != null ? epochs * perEpoch : iterations != null ? iterations
                : intSetting(s, "iterations");
        Trainer.Builder builder = Trainer.builder(run.network(), run.optimizer(), train, mnist.test())
                .batchSize(intSetting(s, "batch_size")).seed(((Number) s.get("seed")).longValue() + 1)
                .evalSampleSize(intSetting(s, "eval_sample")).iterations(total)
                .sampling("shuffle".equals(s.get("sampling")) ? Trainer.Sampling.SHUFFLED_EPOCHS
                        : Trainer.Sampling.WITH_REPLACEMENT);
        if (run.position() != null) {
            if (run.position().iteration() >= total) {
                throw new ParameterException(spec.commandLine(), "the run in " + resume + " has done "
                        + run.position().iteration() + " iterations; ask for more with --iterations or --epochs");
            }
            builder.resumeFrom(run.position());
        }
        boolean bar = !quiet && (progress == Progress.always || (progress == Progress.auto
                && Terminal.stdoutIsTerminal()));
        if (!quiet) {
            builder.listener(new ConsoleOutput(out, bar, Terminal.unicode()));
        }
        EarlyStopping stopper = null;
        if (earlyStopping != null) {
            stopper = EarlyStopping.on(EarlyStopping.Metric.TEST_ACCURACY, earlyStopping);
            builder.listener(stopper);
        }
        Path saveTo = save != null ? save : resume;
        if (saveTo != null && checkpointEvery != null) {
            builder.listener(new CheckpointSaver(saveTo, checkpointEvery, s));
        }
        TrainingLog logger = log == null ? null : new TrainingLog(log);
        if (logger != null) {
            builder.listener(logger);
        }
        Trainer trainer = builder.build();
        if (!quiet) {
            out.println(header(run, train.size(), trainer));
            out.flush();
        }
        TrainingResult r;
        try {
            r = trainer.run();
        } finally {
            if (logger != null) {
                logger.close();
            }
        }
        if (saveTo != null) {
            Model.of(run.network(), Checkpoints.capture(trainer, s)).save(saveTo);
        }
        if (plot != null) {
            Charts.writePng(Charts.trainingCurves(s.get("model") + " on MNIST", r.losses(), r.evaluations()), plot);
        }
        if (!quiet) {
            if (stopper != null && stopper.stoppedAt() != null) {
                out.printf(Locale.ROOT, "early stopping: no better test accuracy for %d evaluations; best %.4f at "
                        + "epoch %.2f%n", earlyStopping, stopper.best().testAccuracy(), stopper.best().epoch());
            }
            for (Path written : new Path[] {saveTo, plot, log}) {
                if (written != null) {
                    out.println("wrote " + written);
                }
            }
        }
        out.printf(Locale.ROOT, "test accuracy %.4f, train accuracy %.4f, %d iterations in %.1f s (%,.0f samples/s)%n",
                r.testAccuracy(), r.trainAccuracy(), r.iterations(), r.seconds(), r.samplesPerSecond());
        if (json) {
            out.println(summary(r, trainer, s, saveTo));
        }
        out.flush();
        return 0;
    }

    private Json summary(TrainingResult r, Trainer trainer, Map<String, Object> s, Path saved) {
        return new Json()
                .put("test_accuracy", r.testAccuracy())
                .put("train_accuracy", r.trainAccuracy())
                .put("final_loss", r.finalLoss())
                .put("iterations", r.iterations())
                .put("epochs", (double) r.iterations() / trainer.iterationsPerEpoch())
                .put("seconds", r.seconds())
                .put("samples_per_second", r.samplesPerSecond())
                .put("model", s.get("model"))
                .put("architecture", trainer.network().architecture().config())
                .put("optimizer", s.get("optimizer"))
                .put("optimizer_params", s.get("optimizer_params"))
                .put("batch_size", s.get("batch_size"))
                .put("dtype", s.get("dtype"))
                .put("seed", s.get("seed"))
                .put("resumed_from", resume == null ? null : resume.toString())
                .put("saved", saved == null ? null : saved.toString())
                .put("threads", Parallel.threads())
                .put("kernels", KernelProvider.kernels().name());
    }

    /** A new run from the options. */
    private Run fresh() {
        Network net = network();
        int size = trainSize == null ? 60_000 : trainSize;
        int perEpoch = Math.max(size / batchSize, 1);
        int steps = epochs != null ? epochs * perEpoch : iterations != null ? iterations
                : model.convolutional() ? 20 * perEpoch : 10_000;
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("model", modelName());
        s.put("optimizer", optimizerName);
        s.put("optimizer_params", optimizerParams);
        s.put("lr_schedule", lrSchedule);
        s.put("schedule_steps", steps);
        s.put("batch_size", batchSize);
        s.put("train_size", trainSize);
        s.put("eval_sample", evalSample != null ? evalSample : model.convolutional() ? 1000 : 0);
        s.put("sampling", sampling.name());
        s.put("seed", seed);
        s.put("dtype", dtype.label());
        s.put("iterations", steps);
        return new Run(net, optimizer(steps), s, null);
    }

    /** A run continued from the checkpoint in {@code --resume}: network, optimizer and position restored. */
    private Run resumed() throws java.io.IOException {
        Model m = Model.load(resume);
        TrainingState state = m.training();
        if (state == null) {
            throw new FileFormatException(resume + ": holds no training state to resume (it was not saved by "
                    + "layerwise train --save)");
        }
        Map<String, Object> s = new LinkedHashMap<>(Checkpoints.settings(state));
        String name = String.valueOf(s.get("optimizer"));
        Map<String, Double> params = new LinkedHashMap<>();
        Object p = s.get("optimizer_params");
        if (!(p instanceof Map) || !Optimizers.names().contains(name)) {
            throw new FileFormatException(resume + ": the run's optimizer settings are missing or unknown");
        }
        ((Map<?, ?>) p).forEach((k, v) -> params.put(String.valueOf(k), ((Number) v).doubleValue()));
        Optimizer opt;
        try {
            opt = Optimizers.create(name, params, LearningRateSchedule.parse(String.valueOf(s.get("lr_schedule")),
                    ((Number) s.get("schedule_steps")).longValue()));
        } catch (IllegalArgumentException | ClassCastException | NullPointerException e) {
            throw new FileFormatException(resume + ": bad run settings: " + e.getMessage());
        }
        Checkpoints.restoreOptimizer(state, opt);
        Checkpoints.restoreRandom(state, m.network());
        return new Run(m.network(), opt, s, Checkpoints.position(state));
    }

    private static Integer intSetting(Map<String, Object> s, String key) {
        Object v = s.get(key);
        return v == null ? null : ((Number) v).intValue();
    }

    private String header(Run run, int trainImages, Trainer trainer) {
        Map<String, Object> s = run.settings();
        String from = run.position() == null ? "" : String.format(Locale.ROOT, "resuming %s at iteration %d, ",
                resume, run.position().iteration());
        return String.format(Locale.ROOT, "%s%s %s, %s, batch %d, %d iterations (%.1f epochs of %d images), seed %s, "
                        + "%s kernels, %d thread%s", from, s.get("model"), describeNetwork(run.network()),
                describe(run.optimizer(), s), trainer.batchSize(), trainer.iterations(),
                (double) trainer.iterations() / trainer.iterationsPerEpoch(), trainImages, s.get("seed"),
                KernelProvider.kernels().name(), Parallel.threads(), Parallel.threads() == 1 ? "" : "s");
    }

    /** E.g. {@code 784-50-10 (float32)} or {@code (float32; relu, init he, batch norm)}. */
    private static String describeNetwork(Network net) {
        Map<String, Object> c = net.architecture().config();
        StringBuilder sb = new StringBuilder();
        Object hiddenSizes = c.containsKey("hidden_sizes") ? c.get("hidden_sizes") : c.get("hidden_size");
        if (c.containsKey("input_size") && hiddenSizes != null) {
            sb.append(c.get("input_size")).append('-')
                    .append(String.valueOf(hiddenSizes).replaceAll("[\\[\\] ]", "").replace(',', '-'))
                    .append('-').append(c.get("output_size")).append(' ');
        }
        sb.append('(').append(net.dtype());
        List<String> details = new ArrayList<>();
        if (c.containsKey("activation")) {
            details.add(String.valueOf(c.get("activation")));
            details.add("init " + c.get("weight_init_std"));
        }
        if (Boolean.TRUE.equals(c.get("use_batchnorm"))) {
            details.add("batch norm");
        }
        if (Boolean.TRUE.equals(c.get("use_dropout"))) {
            details.add("dropout " + c.get("dropout_ratio"));
        }
        if (c.get("weight_decay_lambda") instanceof Number && ((Number) c.get("weight_decay_lambda")).doubleValue() > 0) {
            details.add("weight decay " + c.get("weight_decay_lambda"));
        }
        if (!details.isEmpty()) {
            sb.append("; ").append(String.join(", ", details));
        }
        return sb.append(')').toString();
    }

    /** {@code SGD lr 0.1}, {@code adam lr 0.001, beta1 0.9, beta2 0.999}, plus a schedule other than constant. */
    private static String describe(Optimizer opt, Map<String, Object> s) {
        String name = String.valueOf(s.get("optimizer"));
        StringBuilder sb = new StringBuilder(name.equals("sgd") ? "SGD" : name);
        String sep = " ";
        for (Map.Entry<?, ?> e : ((Map<?, ?>) s.get("optimizer_params")).entrySet()) {
            sb.append(sep).append(e.getKey()).append(' ').append(e.getValue());
            sep = ", ";
        }
        if (opt instanceof AbstractOptimizer
                && !(((AbstractOptimizer) opt).schedule() instanceof LearningRateSchedule.Constant)) {
            sb.append(", schedule ").append(((AbstractOptimizer) opt).schedule());
        }
        return sb.toString();
    }

    private Network network() {
        Rng rng = new Rng(seed);
        switch (model) {
            case two_layer:
                return new TwoLayerNet(Mnist.PIXELS, hiddenSizes.get(0), Mnist.CLASSES, weightInit.stddev(1), dtype,
                        rng);
            case simple_convnet:
                return new SimpleConvNet(new int[] {1, Mnist.ROWS, Mnist.COLS}, SimpleConvNet.DEFAULT_CONV_PARAM,
                        hiddenSizes.get(0), Mnist.CLASSES, weightInit.stddev(1), dtype, rng);
            case deep_convnet:
                return new DeepConvNet(new int[] {1, Mnist.ROWS, Mnist.COLS}, DeepConvNet.DEFAULT_CONV_PARAMS,
                        hiddenSizes.get(0), Mnist.CLASSES, dtype, rng);
            default:
                break;
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

    /** The registered architecture that is trained. */
    private String modelName() {
        return model == Arch.mlp || model == Arch.mlp_extend ? (extended ? "mlp-extend" : "mlp")
                : model.toString();
    }

    /** With --resume, the run's settings come from the checkpoint: options that would change them are refused. */
    private void validateResume() {
        for (String option : RUN_OPTIONS) {
            if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                throw usage(option + " cannot be changed when resuming: the run continues with the settings "
                        + "saved in " + resume);
            }
        }
        validateCommon();
    }

    /** Checks the options that apply to new and resumed runs alike. */
    private void validateCommon() {
        if (iterations != null && epochs != null) {
            throw usage("give --iterations or --epochs, not both");
        }
        positive("--iterations", iterations);
        positive("--epochs", epochs);
        positive("--threads", threads);
        positive("--early-stopping", earlyStopping);
        positive("--checkpoint-every", checkpointEvery);
        if (checkpointEvery != null && save == null && resume == null) {
            throw usage("--checkpoint-every needs --save FILE (or --resume FILE) to write to");
        }
        for (Path p : new Path[] {save, plot, log}) {
            Path parent = p == null ? null : p.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw usage("cannot write " + p + ": no directory " + parent);
            }
        }
        if (save != null && Files.isDirectory(save)) {
            throw usage("--save " + save + " is a directory; give a file name such as model.lw");
        }
    }

    /** Checks every option and derives what they describe; throws a usage error naming the first bad one. */
    void validate() {
        validateCommon();
        positive("--batch-size", batchSize);
        positive("--train-size", trainSize);
        if (evalSample != null && evalSample < 0) {
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
        boolean stdInit = model == Arch.two_layer || model == Arch.simple_convnet;
        try {
            weightInit = init == null ? (stdInit ? WeightInit.std(TwoLayerNet.DEFAULT_WEIGHT_INIT_STD)
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
        if (model != Arch.mlp && model != Arch.mlp_extend) {
            if (hiddenSizes.size() != 1) {
                throw usage("--model " + model + " has one hidden layer size; got --hidden " + hidden
                        + (model == Arch.two_layer ? " (use --model mlp for more)" : ""));
            }
            requireMlp("--batchnorm", batchnorm);
            requireMlp("--dropout", dropout != null);
            requireMlp("--weight-decay", weightDecay != null);
            requireMlp("--activation " + activation, act != Activation.RELU);
            if (stdInit && weightInit.scalesWithFanIn()) {
                throw usage("--model " + model + " takes a standard deviation for --init (the book's "
                        + "weight_init_std), got " + init);
            }
            if (model == Arch.deep_convnet && init != null) {
                throw usage("--model deep-convnet uses He initialisation, as the book's DeepConvNet; --init does not "
                        + "apply");
            }
        }
        extended = model == Arch.mlp_extend || batchnorm || dropout != null;
        validateOptimizer();
        optimizer(1);
    }

    private void validateOptimizer() {
        String requested = optimizer != null ? optimizer : model.convolutional() ? "adam" : "sgd";
        optimizerName = requested.trim().toLowerCase(Locale.ROOT);
        if (!Optimizers.names().contains(optimizerName)) {
            throw usage("--optimizer: unknown optimizer '" + optimizer + "' (expected one of "
                    + String.join(", ", Optimizers.names()) + ")");
        }
        Map<String, Double> params = new LinkedHashMap<>(Optimizers.defaults(optimizerName));
        double rate = lr != null ? lr : (model == Arch.two_layer && optimizerName.equals("sgd") ? 0.1
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
            switch (model) {
                case two_layer:
                    return List.of(50);
                case simple_convnet:
                    return List.of(SimpleConvNet.DEFAULT_HIDDEN_SIZE);
                case deep_convnet:
                    return List.of(DeepConvNet.DEFAULT_HIDDEN_SIZE);
                default:
                    return List.of(100, 100, 100, 100);
            }
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
            throw usage(option + " needs --model mlp (the " + model + " net is the book's, with its own layers)");
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

    /** Accepts the model names with dashes or underscores. */
    static final class ModelConverter implements picocli.CommandLine.ITypeConverter<Arch> {
        @Override
        public Arch convert(String value) {
            try {
                return Arch.valueOf(value.trim().toLowerCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("unknown model '" + value
                        + "' (expected two-layer, mlp, mlp-extend, simple-convnet or deep-convnet)");
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
