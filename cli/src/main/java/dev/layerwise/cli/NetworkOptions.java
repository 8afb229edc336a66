package dev.layerwise.cli;

import dev.layerwise.layer.Dropout;
import dev.layerwise.net.Activation;
import dev.layerwise.net.Architectures;
import dev.layerwise.net.NetworkType;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.net.WeightInit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code train}'s options of the network: which one, its layer sizes, activation, initial weights, regularisation. */
final class NetworkOptions {
    @Option(names = "--arch", paramLabel = "ARCH", converter = OptionTypes.Architecture.class,
            completionCandidates = OptionTypes.ArchitectureNames.class,
            description = "Network: two-layer (chapter 5), mlp (the book's MultiLayerNet; MultiLayerNetExtend when "
                    + "--batchnorm or --dropout is given), mlp-extend, simple-convnet (chapter 7) or deep-convnet "
                    + "(chapter 8). Default: two-layer.")
    NetworkType arch;

    /**
     * The former spelling of {@code --arch}, still accepted with a note: everywhere else {@code --model} names a model
     * file, and a file given here is most likely a run to continue.
     */
    @Option(names = "--model", paramLabel = "NAME", hidden = true)
    String model;

    /** Whether {@link #type} has settled {@link #arch}. */
    private boolean resolved;

    @Option(names = "--hidden", paramLabel = "N[,N…]", converter = OptionTypes.Hidden.class,
            description = "Hidden layer sizes, comma-separated. Default: 50 for two-layer, 100,100,100,100 for mlp, "
                    + "100 for simple-convnet, 50 for deep-convnet.")
    OptionTypes.HiddenSizes hidden;

    @Option(names = "--activation", paramLabel = "FUNCTION", defaultValue = "relu",
            completionCandidates = OptionTypes.ActivationCandidates.class,
            converter = OptionTypes.Activations.class,
            description = "Hidden activation of mlp: relu or sigmoid. Default: ${DEFAULT-VALUE}.")
    String activation;

    @Option(names = {"--init", "--weight-init-std"}, paramLabel = "INIT", converter = OptionTypes.WeightInits.class,
            description = "Initial weights: he, xavier, or a standard deviation such as 0.01. "
                    + "Default: 0.01 for two-layer and simple-convnet (the book's weight_init_std), he for mlp and "
                    + "deep-convnet.")
    WeightInit init;

    @Option(names = "--batchnorm", description = "Batch normalisation after every hidden affine layer (mlp).")
    boolean batchnorm;

    @Option(names = "--dropout", paramLabel = "RATIO",
            description = "Dropout after every hidden activation with this ratio, in [0, 1) (mlp). Default: none.")
    Double dropout;

    @Option(names = "--dropout-mode", paramLabel = "MODE", defaultValue = "book",
            converter = OptionTypes.DropoutModes.class,
            description = "book (scale by 1 - ratio at inference) or inverted (scale by 1 / (1 - ratio) in "
                    + "training). Default: ${DEFAULT-VALUE}.")
    Dropout.Mode dropoutMode;

    @Option(names = "--weight-decay", paramLabel = "LAMBDA",
            description = "Weight decay: adds 0.5·LAMBDA·ΣW² to the loss (mlp). Default: 0.")
    Double weightDecay;

    /**
     * The network type: {@code --arch}, or the former {@code --model NAME} with a note on standard error; two-layer
     * when neither is given. Sets {@link #arch}.
     */
    NetworkType type(CommandSpec spec) {
        if (resolved) {
            return arch;
        }
        resolved = true;
        if (model != null) {
            if (arch != null) {
                throw TrainCommand.usage(spec, "--model is the former name of --arch: give --arch only");
            }
            String name = model.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            if (!Architectures.names().contains(name)) {
                boolean file = model.endsWith(".lw") || Files.exists(Path.of(model));
                throw TrainCommand.usage(spec, file
                        ? "--model " + model + ": train takes a network type with --arch; to continue training a "
                                + "saved model, use --resume " + model
                        : "unknown network '" + model + "' (expected " + OptionTypes.oneOf(
                                Architectures.names()) + "; --arch names it)");
            }
            spec.commandLine().getErr().println("layerwise train: note: --model " + model + " is spelled --arch "
                    + name + " now (--model names a model file in the other commands)");
            arch = Architectures.type(name);
        } else if (arch == null) {
            arch = TwoLayerNet.TYPE;
        }
        return arch;
    }

    /** The choices made, with the network's defaults for the rest, checked against what the network takes. */
    NetworkType.Choices choices(CommandSpec spec) {
        NetworkType type = type(spec);
        NetworkType.Training t = type.training();
        Activation act = Activation.parse(activation);
        List<Integer> sizes = hidden == null ? t.hiddenSizes() : hidden.sizes();
        if (dropout != null && !(dropout >= 0 && dropout < 1)) {
            throw TrainCommand.usage(spec, "--dropout must be a ratio in [0, 1), got " + dropout);
        }
        if (weightDecay != null && (!(weightDecay >= 0) || Double.isInfinite(weightDecay))) {
            throw TrainCommand.usage(spec, "--weight-decay must be a number >= 0, got " + weightDecay);
        }
        if (!t.layered()) {
            if (sizes.size() != 1) {
                throw TrainCommand.usage(spec, "--arch " + type.name() + " has one hidden layer size; got --hidden "
                        + hidden.text() + (type == TwoLayerNet.TYPE ? " (use --arch mlp for more)" : ""));
            }
            requireLayered(spec, "--batchnorm", batchnorm);
            requireLayered(spec, "--dropout", dropout != null);
            requireLayered(spec, "--weight-decay", weightDecay != null);
            requireLayered(spec, "--activation " + activation, act != Activation.RELU);
            if (t.initChoice() == NetworkType.InitChoice.STANDARD_DEVIATION && init != null
                    && init.scalesWithFanIn()) {
                throw TrainCommand.usage(spec, "--arch " + type.name() + " takes a standard deviation for --init "
                        + "(the book's weight_init_std), got " + TrainCommand.given(spec, "--init"));
            }
            if (t.initChoice() == NetworkType.InitChoice.NONE && init != null) {
                throw TrainCommand.usage(spec, "--arch " + type.name() + " uses He initialisation, as the book's "
                        + "DeepConvNet; --init does not apply");
            }
        }
        return new NetworkType.Choices(sizes, act, init != null ? init : t.init(), batchnorm, dropout,
                dropoutMode, weightDecay == null ? 0 : weightDecay);
    }

    private void requireLayered(CommandSpec spec, String option, boolean given) {
        if (given) {
            throw TrainCommand.usage(spec, option + " needs --arch mlp (the " + arch.name()
                    + " net is the book's, with its own layers)");
        }
    }
}
