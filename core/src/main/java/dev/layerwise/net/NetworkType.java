package dev.layerwise.net;

import dev.layerwise.layer.Dropout;
import dev.layerwise.tensor.DType;
import dev.layerwise.util.Rng;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A kind of network Layerwise knows by name: how to check and rebuild one from its {@link Architecture}, how to tell
 * its architecture from parameter shapes alone, how to build a new one from a user's choices, and what a training run
 * uses when the user chooses nothing. Each network class holds its type as {@code TYPE}; {@link Architectures#TYPES}
 * lists them, so that a new network is one class and one line there.
 */
public final class NetworkType {

    /** The names and shapes of the parameters of an architecture, computed without allocating them. */
    @FunctionalInterface
    public interface ParameterSpecs {
        List<Parameters.Spec> of(Architecture a);
    }

    /** The architecture of a network whose parameters have the given shapes; see {@link NetworkType#infer}. */
    @FunctionalInterface
    public interface Inference {
        Architecture infer(Map<String, int[]> shapes, Map<String, Object> options);
    }

    /** A network of an architecture, freshly initialised; see {@link NetworkType#build}. */
    @FunctionalInterface
    public interface Builder {
        Network build(Architecture a, DType dtype, Rng rng);
    }

    /** A new network from a user's choices; see {@link NetworkType#create}. */
    @FunctionalInterface
    public interface Creator {
        Network create(Choices choices, int[] inputDim, int classes, DType dtype, Rng rng);
    }

    private final String name;
    private final ParameterSpecs parameterSpecs;
    private final Inference inference;
    private final Builder builder;
    private final Creator creator;
    private final Training training;

    /** A network type from its name, the network class's own functions and its training defaults. */
    public NetworkType(String name, ParameterSpecs parameterSpecs, Inference inference, Builder builder,
                       Creator creator, Training training) {
        this.name = Objects.requireNonNull(name, "name");
        this.parameterSpecs = Objects.requireNonNull(parameterSpecs, "parameterSpecs");
        this.inference = Objects.requireNonNull(inference, "inference");
        this.builder = Objects.requireNonNull(builder, "builder");
        this.creator = Objects.requireNonNull(creator, "creator");
        this.training = Objects.requireNonNull(training, "training");
    }

    /** The registered name, e.g. {@code two-layer}, stored in model files. */
    public String name() {
        return name;
    }

    /** The names and shapes of the parameters of {@code a}, computed without allocating them. */
    public List<Parameters.Spec> parameterSpecs(Architecture a) {
        return parameterSpecs.of(a);
    }

    /**
     * The architecture of a network of this type whose parameters have the given shapes (book names); {@code options}
     * supply what the shapes cannot tell, and an unknown option is an error.
     */
    public Architecture infer(Map<String, int[]> shapes, Map<String, Object> options) {
        return inference.infer(shapes, options);
    }

    /** A network of architecture {@code a}, its parameters freshly initialised from {@code rng}. */
    public Network build(Architecture a, DType dtype, Rng rng) {
        return builder.build(a, dtype, rng);
    }

    /** A new network of this type from {@code choices}, for inputs {@code (C, H, W)} and {@code classes} outputs. */
    public Network create(Choices choices, int[] inputDim, int classes, DType dtype, Rng rng) {
        return creator.create(choices, inputDim, classes, dtype, rng);
    }

    /** What a training run of this network uses by default, and which choices it takes. */
    public Training training() {
        return training;
    }

    @Override
    public String toString() {
        return name;
    }

    /**
     * What a user chooses for a new network: hidden sizes, hidden activation, initial weights, batch normalisation,
     * dropout ({@code null}: none) and its mode, and the weight-decay coefficient.
     */
    public record Choices(List<Integer> hiddenSizes, Activation activation, WeightInit init, boolean batchnorm,
                   Double dropout, Dropout.Mode dropoutMode, double weightDecay) {
        public Choices {
            hiddenSizes = List.copyOf(hiddenSizes);
            Objects.requireNonNull(activation, "activation");
            Objects.requireNonNull(init, "init");
            Objects.requireNonNull(dropoutMode, "dropoutMode");
        }
    }

    /** Which initial weights a network takes. */
    public enum InitChoice {
        /** A standard deviation, He or Xavier. */
        ANY,
        /** A standard deviation only (the book's {@code weight_init_std}). */
        STANDARD_DEVIATION,
        /** None: the network's own initialisation. */
        NONE
    }

    /**
     * A training run's defaults for this network, from the book's scripts: hidden sizes, initial weights, optimizer
     * and learning rates that differ from the optimizer's own default (by optimizer name), the run's length (in
     * epochs when {@code epochs > 0}, else in iterations) and the evaluation sample; and which choices apply:
     * {@code layered} networks take several hidden sizes, an activation, batch norm, dropout and weight decay.
     */
    public record Training(List<Integer> hiddenSizes, WeightInit init, String optimizer,
                           Map<String, Double> learningRates, int epochs, int iterations, int evalSample,
                           boolean layered, InitChoice initChoice) {
        public Training {
            hiddenSizes = List.copyOf(hiddenSizes);
            learningRates = Map.copyOf(learningRates);
        }
    }
}
