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
import dev.layerwise.optim.Optimizers;
import dev.layerwise.train.Checkpoint;
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
import java.io.UncheckedIOException;
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

    /** The share of the training data held out for validation when --early-stopping is given without --val-split. */
    static final double EARLY_STOPPING_VAL_SPLIT = 0.1;

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

    @Option(names = "--json", description = "Print one JSON object of the final figures and settings on standard "
            + "output, and nothing else there: the rest goes to standard error.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "Print the final summary line only (and warnings).")
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
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // With --json, standard output carries the JSON object only: everything for people goes to standard error.
        PrintWriter human = json ? err : out;
        if (plan != null && run.earlyStopping != null && data.valSplit == null) {
            data.valSplit = EARLY_STOPPING_VAL_SPLIT;
            err.printf(Locale.ROOT, "note: early stopping watches a validation split: %.0f%% of the training data is "
                    + "held out (--val-split %s; give --val-split F to choose); the test set is evaluated at the end%n",
                    EARLY_STOPPING_VAL_SPLIT * 100, EARLY_STOPPING_VAL_SPLIT);
            err.flush();
        }
        try (Interruption interruption = Interruption.watch(err)) {
            return train(plan, out, human, interruption);
        }
    }

    /** The run, from reading the data to the summary. */
    private int train(Plan plan, PrintWriter out, PrintWriter human, Interruption interruption) throws Exception {
        startKernels();
        Checkpoints.Run r = plan == null ? Checkpoints.resume(files.resume) : null;
        DataSource source = plan != null ? data.source(run.seed) : resumedSource(r.settings());
        if (run.earlyStopping != null && source.validationSplit() == null) {
            throw usage(spec, "--early-stopping watches a validation split, and the run in " + files.resume
                    + " trains without one; start a run with --val-split F to stop it early");
        }
        if (!quiet && progressBar()) {
            data.progress = ProgressBar.decoding(human, Terminal.unicode());
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
        EarlyStopping stopper = run.earlyStopping == null ? null
                : EarlyStopping.on(EarlyStopping.Metric.VALIDATION_ACCURACY, run.earlyStopping);
        Path saveTo = files.saveTo();
        if (saveTo != null) {
            interruption.savesTo(saveTo, r.position() != null, r.position() == null ? -1 : r.position().iteration());
        }
        TrainingLog logger = files.log == null ? null : new TrainingLog(files.log, d.validation() != null);
        String evaluated = d.validation() != null ? "val" : "test";
        boolean sampled = s.evalSample() > 0 && (s.evalSample() < train.size()
                || (d.evaluation() != null && s.evalSample() < d.evaluation().size()));
        int finalExamples = train.size() + size(d.validation()) + size(d.test());
        ConsoleOutput console = quiet ? null : new ConsoleOutput(human, progressBar(), Terminal.unicode(), evaluated,
                sampled, String.format(Locale.ROOT, "all %,d %s", finalExamples, noun(d)));
        CheckpointSink sink = saveTo == null ? null : toFile(saveTo, s, d.contract());
        listen(builder, saveTo == null ? null : saveWhenTrained(sink, interruption), console, stopper,
                sink == null || files.checkpointEvery == null ? null
                        : CheckpointListener.everyIterations(files.checkpointEvery,
                                c -> interruption.save(() -> sink.save(c), c.iteration(), false)),
                logger);
        Trainer trainer = builder.build();
        if (!quiet) {
            int columns = progressBar() ? Terminal.columns() : 0;
            if (!isPlainMnist(source)) {
                human.println(Terminal.wrap("data: " + d.description(), columns));
            }
            human.println(Terminal.wrap(TrainReport.header(r, files.resume, train.size(), noun(d), trainer), columns));
            if (sampled) {
                human.println(Terminal.wrap(String.format(Locale.ROOT, "each epoch's accuracies, marked ~, are "
                        + "measured on the first %d %s of each set (--eval-sample); the final ones on all",
                        s.evalSample(), noun(d)), columns));
            }
            human.flush();
        }
        interruption.running(trainer, console);
        TrainingResult result;
        double testAccuracy;
        try {
            result = trainer.run();
            // After a validation split the test set is read once, here, at the end.
            testAccuracy = d.validation() == null ? result.testAccuracy()
                    : d.test() == null ? Double.NaN : trainer.network().accuracy(d.test());
        } finally {
            if (console != null) {
                console.evaluationDone();
            }
            if (logger != null) {
                logger.close();
            }
        }
        write(trainer, result, s, saveTo, d, TrainReport.plotted(r, train.size(), noun(d), trainer), interruption);
        Accuracies a = new Accuracies(result.trainAccuracy(), d.validation() == null ? null
                : result.testAccuracy(), testAccuracy);
        finish(out, human, result, a, trainer, s, stopper, saveTo, d, train);
        return 0;
    }

    /** The final accuracies: on the training set, the validation split (null without one) and the test set. */
    record Accuracies(double train, Double validation, double test) {
    }

    private static int size(DataSet set) {
        return set == null ? 0 : set.size();
    }

    /**
     * Saves the trained model as soon as the steps are done, before the final evaluation, so that an interruption
     * there does not lose it; it is saved again after, with the evaluation in its record.
     */
    private static TrainingListener saveWhenTrained(CheckpointSink sink, Interruption interruption) {
        return new TrainingListener() {
            @Override
            public void onStepsDone(Trainer trainer) {
                Checkpoint c = new Checkpoint(trainer.network(), trainer.optimizer(), trainer.iteration(),
                        trainer.epoch(), null, trainer.position());
                try {
                    interruption.save(() -> sink.save(c), c.iteration(), true);
                } catch (IOException e) {
                    throw new UncheckedIOException(e.getMessage(), e);
                }
            }

            @Override
            public boolean toleratesLateEvaluations() {
                return true; // it hears no evaluation
            }
        };
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
                       String described, Interruption interruption)
            throws IOException {
        if (saveTo != null) {
            interruption.save(() -> Model.of(trainer.network(), Checkpoints.capture(trainer, s))
                    .withContract(d.contract()).save(saveTo), trainer.iteration(), true);
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

    /**
     * Whether to draw the progress bar: asked for, or standard output is a terminal. Not with --json unless asked:
     * the bar would go to standard error, through the launcher's filter, which passes whole lines only.
     */
    private boolean progressBar() {
        return progress == Progress.always || (progress == Progress.auto && !json && Terminal.stdoutIsTerminal());
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

    /**
     * The lines after the run: early stopping, the files written, the final figures, a warning if the run learned
     * nothing, and the JSON summary (the only thing on standard output with --json).
     */
    private void finish(PrintWriter out, PrintWriter human, TrainingResult r, Accuracies a, Trainer trainer,
                        RunSettings s, EarlyStopping stopper, Path saveTo, LabeledData d, DataSet train) {
        if (!quiet) {
            if (stopper != null && stopper.stoppedAt() != null) {
                human.printf(Locale.ROOT, "early stopping: no better validation accuracy for %d evaluations; best "
                        + "%.4f at epoch %.2f%n", run.earlyStopping, stopper.best().testAccuracy(),
                        stopper.best().epoch());
            }
            for (Path written : new Path[] {saveTo, files.plot, files.log}) {
                if (written != null) {
                    human.println("wrote " + written);
                }
            }
        }
        StringBuilder figures = new StringBuilder();
        if (!Double.isNaN(a.test()) || a.validation() == null) {
            figures.append(String.format(Locale.ROOT, "test accuracy %.4f, ", a.test()));
        }
        if (a.validation() != null) {
            figures.append(String.format(Locale.ROOT, "validation accuracy %.4f, ", a.validation()));
        }
        human.printf(Locale.ROOT, "%strain accuracy %.4f, %d iterations in %.1f s (%,.0f samples/s)%n", figures,
                a.train(), r.iterations(), r.seconds(), r.samplesPerSecond());
        String chance = TrainReport.chanceWarning(a, d, train, s, defaultRate());
        if (chance != null) {
            spec.commandLine().getErr().println("warning: " + chance);
        }
        human.flush();
        if (json) {
            Json summary = TrainReport.summary(r, a, trainer, s, files.resume, saveTo).put("at_chance_level",
                    chance != null);
            out.println(d.validation() != null ? summary.put("evaluated_on", "validation") : summary);
        }
        out.flush();
        spec.commandLine().getErr().flush();
    }

    /** The learning rate a new run of its network and optimizer has by default; null for a resumed run. */
    private Double defaultRate() {
        if (files.resume != null) {
            return null;
        }
        String name = optimizer.name(network.arch);
        return network.arch.training().learningRates().getOrDefault(name, Optimizers.defaults(name).get("lr"));
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
