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
public interface NetworkType {

    /** The registered name, e.g. {@code two-layer}, stored in model files. */
    String name();

    /** The names and shapes of the parameters of {@code a}, computed without allocating them. */
    List<Parameters.Spec> parameterSpecs(Architecture a);

    /**
     * The architecture of a network of this type whose parameters have the given shapes (book names); {@code options}
     * supply what the shapes cannot tell, and an unknown option is an error.
     */
    Architecture infer(Map<String, int[]> shapes, Map<String, Object> options);

    /** A network of architecture {@code a}, its parameters freshly initialised from {@code rng}. */
    Network build(Architecture a, DType dtype, Rng rng);

    /** A new network of this type from {@code choices}, for inputs {@code (C, H, W)} and {@code classes} outputs. */
    Network create(Choices choices, int[] inputDim, int classes, DType dtype, Rng rng);

    /** What a training run of this network uses by default, and which choices it takes. */
    Training training();

    /**
     * What a user chooses for a new network: hidden sizes, hidden activation, initial weights, batch normalisation,
     * dropout ({@code null}: none) and its mode, and the weight-decay coefficient.
     */
    record Choices(List<Integer> hiddenSizes, Activation activation, WeightInit init, boolean batchnorm,
                   Double dropout, Dropout.Mode dropoutMode, double weightDecay) {
        public Choices {
            hiddenSizes = List.copyOf(hiddenSizes);
            Objects.requireNonNull(activation, "activation");
            Objects.requireNonNull(init, "init");
            Objects.requireNonNull(dropoutMode, "dropoutMode");
        }
    }

    /** Which initial weights a network takes. */
    enum InitChoice {
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
    record Training(List<Integer> hiddenSizes, WeightInit init, String optimizer, Map<String, Double> learningRates,
                    int epochs, int iterations, int evalSample, boolean layered, InitChoice initChoice) {
        public Training {
            hiddenSizes = List.copyOf(hiddenSizes);
            learningRates = Map.copyOf(learningRates);
        }
    }
}
