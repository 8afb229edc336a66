package dev.layerwise.cli;

import dev.layerwise.data.DataContract;
import dev.layerwise.data.DataSet;
import dev.layerwise.data.DataSource;
import dev.layerwise.data.LabeledData;
import dev.layerwise.io.FileFormatException;
import dev.layerwise.model.Model;
import dev.layerwise.kernel.KernelProvider;
import dev.layerwise.kernel.Parallel;
import dev.layerwise.net.Network;
import dev.layerwise.net.NetworkType;
import dev.layerwise.plot.Charts;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.train.CheckpointListener;
import dev.layerwise.train.CheckpointSink;
import dev.layerwise.train.Checkpoints;
import dev.layerwise.train.EarlyStopping;
import dev.layerwise.train.RunSettings;
import dev.layerwise.train.Trainer;
import dev.layerwise.train.TrainingListener;
import dev.layerwise.train.TrainingResult;
import dev.layerwise.util.Rng;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code layerwise train}: with no options, the book's {@code ch05/train_neuralnet.py} run: a 784-50-10 two-layer net,
 * SGD with learning rate 0.1, 10,000 mini-batches of 100 drawn with replacement, accuracy once per epoch. With
 * {@code --arch mlp}, the book's chapter-6 multi-layer nets with their optimizers, initialisations, batch norm,
 * dropout and weight decay; with {@code --arch simple-convnet} or {@code deep-convnet}, the convolutional nets of
 * chapters 7 and 8 with the book's settings. {@code --save}, {@code --checkpoint-every} and {@code --resume} keep and
 * continue runs; {@code --plot} and {@code --log} record them. Every option is checked before any data is loaded; a bad
 * one exits with 2 and names it.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a network on MNIST (fetched on first use) or on your own data.",
            "Your data: --images DIR, --csv FILE --label COLUMN, --npz FILE or --idx DIR.",
            "With no options: the book's ch05/train_neuralnet.py run.",
            "Examples:",
            "  layerwise train --arch mlp --hidden 100,100,100 --optimizer adam --init he \\",
            "      --batchnorm --dropout 0.2",
            "  layerwise train --arch simple-convnet --save convnet.lw --plot curves.png",
            "  layerwise train --resume convnet.lw --epochs 25",
            "  layerwise train --images photos/ --val-split 0.1 --arch simple-convnet",
            "  layerwise train --csv iris.csv --label species --val-split 0.2 --arch mlp"})
final class TrainCommand implements Callable<Integer> {
    enum Progress { auto, always, never }

    /** Options of the run's mixins that a resumed run may still set; the others are fixed by its checkpoint. */
    private static final Set<String> KEPT_ON_RESUME = Set.of("--iterations", "--epochs", "--early-stopping");

    @Mixin
    NetworkOptions network;

    @Mixin
    OptimizerOptions optimizer;

    @Mixin
    RunOptions run;

    @Mixin
    OutputFiles files;

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
    DataOptions data;

    @Spec
    CommandSpec spec;

    /** What the options of a new run describe, checked: the network's choices and the optimizer's. */
    private record Plan(NetworkType.Choices choices, String optimizer, Map<String, Double> params) {
    }

    @Override
    public Integer call() throws Exception {
        Plan plan = files.resume == null ? validate() : checkResume();
        startKernels();
        Checkpoints.Run r = plan == null ? Checkpoints.resume(files.resume) : null;
        DataSource source = plan != null ? data.source(run.seed) : resumedSource(r.settings());
        if (!quiet && progressBar()) {
            data.progress = ProgressBar.decoding(spec.commandLine().getOut(), Terminal.unicode());
        }
        LabeledData d = data.load(source, plan != null ? run.dtype : r.network().dtype(),
                spec.commandLine().getErr()::println);
        if (plan != null) {
            r = newRun(plan, d.contract(), source);
        } else {
            checkResumedContract(d.contract());
        }
        RunSettings s = r.settings();
        DataSet train = s.trainSize() == null ? d.train() : d.train().head(s.trainSize());
        int total = run.length.steps(Math.max(train.size() / s.batchSize(), 1), s.iterations());
        Trainer.Builder builder = s.trainer(r.network(), r.optimizer(), train, d.evaluation(), total);
        resumeAt(builder, r.position(), total);
        PrintWriter out = spec.commandLine().getOut();
        EarlyStopping stopper = run.earlyStopping == null ? null
                : EarlyStopping.on(EarlyStopping.Metric.TEST_ACCURACY, run.earlyStopping);
        Path saveTo = files.saveTo();
        TrainingLog logger = files.log == null ? null : new TrainingLog(files.log);
        String evaluated = d.validation() != null ? "val" : "test";
        listen(builder, quiet ? null : new ConsoleOutput(out, progressBar(), Terminal.unicode(), evaluated), stopper,
                saveTo == null || files.checkpointEvery == null ? null
                        : CheckpointListener.everyIterations(files.checkpointEvery, toFile(saveTo, s, d.contract())),
                logger);
        Trainer trainer = builder.build();
        if (!quiet) {
            int columns = progressBar() ? Terminal.columns() : 0;
            if (!isPlainMnist(source)) {
                out.println(Terminal.wrap("data: " + d.description(), columns));
            }
            out.println(Terminal.wrap(TrainReport.header(r, files.resume, train.size(), noun(d), trainer), columns));
            out.flush();
        }
        TrainingResult result;
        try {
            result = trainer.run();
        } finally {
            if (logger != null) {
                logger.close();
            }
        }
        write(trainer, result, s, saveTo, d, TrainReport.plotted(r, train.size(), noun(d), trainer));
        finish(out, result, trainer, s, stopper, saveTo, evaluated);
        return 0;
    }

    /** Whether the run trains on MNIST with its own test set, as every run did before other data could be read. */
    private static boolean isPlainMnist(DataSource source) {
        return source.kind() == DataSource.Kind.MNIST && source.validationSplit() == null;
    }

    /**
     * The data source of a resumed run: the one it recorded (MNIST for runs that recorded none), or the one given on
     * the command line, which must read the same data (for MNIST, any directory of MNIST's files).
     */
    private DataSource resumedSource(RunSettings settings) {
        DataSource recorded = settings.data() != null ? settings.data() : DataSource.mnist();
        if (!data.given() && data.valSplit == null) {
            return recorded;
        }
        DataSource asked = data.source(settings.seed());
        boolean mnist = asked.kind() == DataSource.Kind.MNIST && recorded.kind() == DataSource.Kind.MNIST;
        boolean same = mnist ? DataOptions.same(new DataSource(asked.kind(), null, asked.options()),
                new DataSource(recorded.kind(), null, recorded.options())) : DataOptions.same(asked, recorded);
        if (!same) {
            throw usage(spec, "the run in " + files.resume + " trained on " + DataOptions.describe(recorded)
                    + "; resume it with the same data options, or with none to read that data again");
        }
        return asked;
    }

    /** Refuses to resume on data that now reads differently (another class set, other means) from the model's. */
    private void checkResumedContract(DataContract now) throws IOException {
        DataContract saved = Model.load(files.resume).contract();
        if (saved != null && !saved.equals(now)) {
            throw new FileFormatException(files.resume + ": the run's data has changed since it was saved (the model "
                    + "expects " + Shapes.toString(saved.exampleShape()) + ", classes " + saved.classNames()
                    + "; the data now gives " + Shapes.toString(now.exampleShape()) + ", classes " + now.classNames()
                    + (saved.normalization().equals(now.normalization()) ? "" : ", other normalisation") + ")");
        }
    }

    /** A checkpoint sink saving the model with its data contract and training state, atomically. */
    private static CheckpointSink toFile(Path file, RunSettings s, DataContract contract) {
        return c -> Model.of(c.network(), Checkpoints.capture(c, s)).withContract(contract).save(file);
    }

    /** Continues the run from {@code position}, if it is resumed, refusing a length it has already reached. */
    private void resumeAt(Trainer.Builder builder, Trainer.Position position, int total) {
        if (position != null) {
            if (position.iteration() >= total) {
                throw usage(spec, "the run in " + files.resume + " has done " + position.iteration()
                        + " iterations; ask for more with --iterations or --epochs");
            }
            builder.resumeFrom(position);
        }
    }

    /** Saves the model with its training state and draws the plot of the run {@code described}, as asked. */
    private void write(Trainer trainer, TrainingResult result, RunSettings s, Path saveTo, LabeledData d,
                       String described)
            throws IOException {
        if (saveTo != null) {
            Model.of(trainer.network(), Checkpoints.capture(trainer, s)).withContract(d.contract()).save(saveTo);
        }
        if (files.plot != null) {
            String on = s.data() == null || s.data().kind() == DataSource.Kind.MNIST ? "MNIST"
                    : Path.of(s.data().path()).getFileName().toString();
            Charts.trainingCurves(s.model() + " on " + on, described, result.losses(), result.evaluations())
                    .write(files.plot);
        }
    }

    /** Adds the listeners that are not null, in order. */
    private static void listen(Trainer.Builder builder, TrainingListener... listeners) {
        for (TrainingListener l : listeners) {
            if (l != null) {
                builder.listener(l);
            }
        }
    }

    private boolean progressBar() {
        return progress == Progress.always || (progress == Progress.auto && Terminal.stdoutIsTerminal());
    }

    /**
     * Starts the kernels on a thread of their own, so that their start-up (loading the Vector API, running each
     * kernel once) overlaps the reading of MNIST instead of following it. A bad {@code -Dlayerwise.kernels} is
     * reported by the main thread, when it asks for the kernels.
     */
    private void startKernels() {
        if (threads != null) {
            Parallel.setThreads(threads);
        }
        Thread kernelsStart = new Thread(() -> {
            try {
                KernelProvider.kernels();
            } catch (IllegalStateException reportedLater) {
                // see above
            }
        }, "layerwise-kernels-start");
        kernelsStart.setDaemon(true);
        kernelsStart.start();
    }

    /** A new run from the options. */
    private Checkpoints.Run newRun(Plan plan, DataContract contract, DataSource source) {
        NetworkType type = network.arch;
        if (contract.kind() == DataContract.Kind.FEATURES && isConvNet(type)) {
            throw usage(spec, "--arch " + type.name() + " is a convolutional net and needs images; the data ("
                    + DataOptions.describe(source) + ") holds table features " + Shapes.toString(
                    contract.exampleShape()) + ": use --arch two-layer or mlp");
        }
        Network net = type.create(plan.choices(), contract.exampleShape(), contract.classes(), run.dtype,
                new Rng(run.seed));
        int steps = run.steps(type);
        RunSettings s = new RunSettings(net.architecture().name(), plan.optimizer(), plan.params(),
                optimizer.lrSchedule, steps, run.batchSize, run.trainSize, run.evalSample(type), run.sampling.trainer,
                run.seed, run.dtype, steps).withData(source);
        return new Checkpoints.Run(net, s.newOptimizer(), s, null);
    }

    /** The lines after the run: early stopping, the files written, the final figures, the JSON summary. */
    private void finish(PrintWriter out, TrainingResult r, Trainer trainer, RunSettings s, EarlyStopping stopper,
                        Path saveTo, String evaluated) {
        String name = evaluated.equals("val") ? "validation" : "test";
        if (!quiet) {
            if (stopper != null && stopper.stoppedAt() != null) {
                out.printf(Locale.ROOT, "early stopping: no better %s accuracy for %d evaluations; best %.4f at "
                        + "epoch %.2f%n", name, run.earlyStopping, stopper.best().testAccuracy(), stopper.best().epoch());
            }
            for (Path written : new Path[] {saveTo, files.plot, files.log}) {
                if (written != null) {
                    out.println("wrote " + written);
                }
            }
        }
        out.printf(Locale.ROOT, "%s accuracy %.4f, train accuracy %.4f, %d iterations in %.1f s (%,.0f samples/s)%n",
                name, r.testAccuracy(), r.trainAccuracy(), r.iterations(), r.seconds(), r.samplesPerSecond());
        if (json) {
            Json summary = TrainReport.summary(r, trainer, s, files.resume, saveTo);
            out.println(evaluated.equals("val") ? summary.put("evaluated_on", "validation") : summary);
        }
        out.flush();
    }

    /** With --resume, the run's settings come from the checkpoint: options that would change them are refused. */
    private Plan checkResume() {
        for (String mixin : List.of("network", "optimizer", "run")) {
            for (OptionSpec o : spec.mixins().get(mixin).options()) {
                String name = o.names()[0];
                if (!KEPT_ON_RESUME.contains(name) && spec.commandLine().getParseResult().hasMatchedOption(name)) {
                    throw usage(spec, name + " cannot be changed when resuming: the run continues with the settings "
                            + "saved in " + files.resume);
                }
            }
        }
        checkCommon();
        return null;
    }

    /** What the training examples are called: images, or a table's rows. */
    private static String noun(LabeledData d) {
        return d.contract().kind() == DataContract.Kind.IMAGES ? "images" : "rows";
    }

    /** Whether {@code type} is a convolutional net, which takes images (C, H, W) only. */
    static boolean isConvNet(NetworkType type) {
        return type.name().contains("convnet");
    }

    /** Checks the options that apply to new and resumed runs alike. */
    private void checkCommon() {
        run.checkLength(spec);
        positive(spec, "--threads", threads);
        files.check(spec);
    }

    /** Checks every option of a new run; throws a usage error naming the first bad one. */
    Plan validate() {
        checkCommon();
        run.check(spec);
        data.check(spec);
        NetworkType type = network.type(spec);
        if (data.isTable() && isConvNet(type)) {
            throw usage(spec, "--arch " + type.name() + " is a convolutional net and needs images; --csv "
                    + "gives table features: use --arch two-layer or mlp");
        }
        NetworkType.Choices choices = network.choices(spec);
        return new Plan(choices, optimizer.name(network.arch), optimizer.params(network.arch, spec));
    }

    /** The text given for {@code option} on the command line, or null. */
    static String given(CommandSpec spec, String option) {
        OptionSpec o = spec.commandLine().getParseResult().matchedOption(option);
        return o == null || o.stringValues().isEmpty() ? null : o.stringValues().get(o.stringValues().size() - 1);
    }

    static void positive(CommandSpec spec, String option, Integer value) {
        if (value != null && value < 1) {
            throw usage(spec, option + " must be at least 1, got " + value);
        }
    }

    static ParameterException usage(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
