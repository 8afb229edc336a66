package dev.layerwise.cli;

import dev.layerwise.net.NetworkType;
import dev.layerwise.tensor.DType;
import dev.layerwise.train.Trainer;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/** {@code train}'s options of the run: its length, the batches, the evaluations, early stopping, seed and dtype. */
final class RunOptions {
    /** How batches are drawn. */
    enum Sampling {
        replacement(Trainer.Sampling.WITH_REPLACEMENT), shuffle(Trainer.Sampling.SHUFFLED_EPOCHS);

        final Trainer.Sampling trainer;

        Sampling(Trainer.Sampling trainer) {
            this.trainer = trainer;
        }
    }

    /**
     * The run's length: in iterations or in epochs, not both. The group's check is {@link #check}'s rather than
     * picocli's, which would word a repeated or a second option as "expected only one match" of the group.
     */
    static final class Length {
        @Option(names = "--iterations", paramLabel = "N",
                description = "Mini-batch steps in all (the book's iters_num); with --resume, the total to reach. "
                        + "Default: 10000 (20 epochs for the conv nets).")
        Integer iterations;

        @Option(names = "--epochs", paramLabel = "N",
                description = "Train for N epochs in all instead of --iterations.")
        Integer epochs;

        /** Checks that each option of the group is given at most once, that not both are, and their values. */
        void check(CommandSpec spec) {
            for (String option : List.of("--iterations", "--epochs")) {
                OptionSpec o = spec.commandLine().getParseResult().matchedOption(option);
                if (o != null && o.stringValues().size() > 1) {
                    throw TrainCommand.usage(spec, "option '" + option + "' (" + o.paramLabel()
                            + ") should be specified only once");
                }
            }
            if (iterations != null && epochs != null) {
                throw TrainCommand.usage(spec, "give --iterations or --epochs, not both");
            }
            TrainCommand.positive(spec, "--iterations", iterations);
            TrainCommand.positive(spec, "--epochs", epochs);
        }

        /** The steps asked for with {@code perEpoch} steps an epoch, or {@code otherwise} when neither is given. */
        int steps(int perEpoch, int otherwise) {
            return epochs != null ? epochs * perEpoch : iterations != null ? iterations : otherwise;
        }
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1", validate = false)
    Length length = new Length();

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
            description = "Stop when the validation accuracy has not improved for EPOCHS evaluations (without "
                    + "--val-split, 10%% of the training data is held out for it; the test set is evaluated at the "
                    + "end only). Default: off.")
    Integer earlyStopping;

    @Option(names = "--sampling", paramLabel = "HOW", defaultValue = "replacement",
            description = "How batches are drawn: replacement (the book: random with replacement) or shuffle "
                    + "(a shuffled pass per epoch). Default: ${DEFAULT-VALUE}.")
    Sampling sampling;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "7",
            description = "Seed of the initial weights, dropout masks and the batch order. The book's run is unseeded; "
                    + "its test accuracy varies with the seed by about 0.002 either way (see the README). "
                    + "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--dtype", paramLabel = "TYPE", defaultValue = "float32", converter = OptionTypes.DTypes.class,
            description = "float32 or float64. Default: ${DEFAULT-VALUE}.")
    DType dtype;

    /** Checks the options that apply to new and resumed runs alike: the length and early stopping. */
    void checkLength(CommandSpec spec) {
        length.check(spec);
        TrainCommand.positive(spec, "--early-stopping", earlyStopping);
    }

    /** Checks the options of a new run. */
    void check(CommandSpec spec) {
        TrainCommand.positive(spec, "--batch-size", batchSize);
        TrainCommand.positive(spec, "--train-size", trainSize);
        if (evalSample != null && evalSample < 0) {
            throw TrainCommand.usage(spec, "--eval-sample must be at least 0 (0: all), got " + evalSample);
        }
        if (trainSize != null && trainSize > 60_000) {
            throw TrainCommand.usage(spec, "--train-size must be at most 60000 (the MNIST training set), got "
                    + trainSize);
        }
    }

    /** The steps of a new run of {@code model}: those asked for, else the network's default. */
    int steps(NetworkType model) {
        int perEpoch = Math.max((trainSize == null ? 60_000 : trainSize) / batchSize, 1);
        NetworkType.Training t = model.training();
        return length.steps(perEpoch, t.epochs() > 0 ? t.epochs() * perEpoch : t.iterations());
    }

    /** The evaluation sample of a new run of {@code model}: the one given, else the network's default. */
    int evalSample(NetworkType model) {
        return evalSample != null ? evalSample : model.training().evalSample();
    }
}
