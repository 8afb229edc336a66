package dev.layerwise.net;

import dev.layerwise.layer.Affine;
import dev.layerwise.layer.Layer;
import dev.layerwise.layer.Parameter;
import dev.layerwise.net.NetworkType.InitChoice;
import dev.layerwise.net.NetworkType.Training;
import dev.layerwise.tensor.DType;
import dev.layerwise.util.Rng;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The book's fully connected multi-layer net: {@code Affine1 → Activation_function1 → … → Affine(L+1) →
 * SoftmaxWithLoss} for {@code L} hidden layers, with optional weight decay.
 *
 * <p><b>Shape</b>: {@code (N, inputSize)} → scores {@code (N, outputSize)}. <b>Parameters</b>: {@code W1 b1 W2 b2 …},
 * {@code W_idx} of shape (fan-in, fan-out) drawn by {@link WeightInit} (He by default, the book's
 * {@code weight_init_std='relu'}), biases zero. <b>Weight decay</b>: the loss adds {@code 0.5·λ·ΣW²} over all
 * weights and each weight gradient {@code λ·W}. <b>Book</b>: §6.2–6.4, {@code common/multi_layer_net.py}.
 *
 * <pre>{@code
 * MultiLayerNet net = new MultiLayerNet(784, List.of(100, 100, 100, 100), 10);    // ReLU, He, no decay
 * MultiLayerNet decayed = new MultiLayerNet(784, List.of(100, 100), 10,
 *         MultiLayerNet.Options.defaults().withWeightDecay(0.1), DType.FLOAT32, new Rng(1));
 * }</pre>
 */
public class MultiLayerNet extends Sequential {
    /** The name under which {@link Architectures} knows this network. */
    public static final String ARCHITECTURE = "mlp";

    /** This network as {@link Architectures} knows it. */
    public static final NetworkType TYPE = new NetworkType(ARCHITECTURE, MultiLayerNet::parameterSpecs,
            MultiLayerNet::inferArchitecture, MultiLayerNet::fromArchitecture, MultiLayerNet::fromChoices,
            new Training(List.of(100, 100, 100, 100), WeightInit.he(), "sgd", Map.of(), 0, 10_000, 0, true,
                    InitChoice.ANY));

    /** The book's keyword arguments: {@code activation}, {@code weight_init_std}, {@code weight_decay_lambda}. */
    public record Options(Activation activation, WeightInit weightInit, double weightDecayLambda) {
        public Options {
            Objects.requireNonNull(activation, "activation");
            Objects.requireNonNull(weightInit, "weightInit");
            MultiLayers.checkWeightDecay("MultiLayerNet", weightDecayLambda);
        }

        /** The book's defaults: ReLU, He initialisation, no weight decay. */
        public static Options defaults() {
            return new Options(Activation.RELU, WeightInit.he(), 0);
        }

        public Options withActivation(Activation a) {
            return new Options(a, weightInit, weightDecayLambda);
        }

        public Options withWeightInit(WeightInit w) {
            return new Options(activation, w, weightDecayLambda);
        }

        public Options withWeightDecay(double lambda) {
            return new Options(activation, weightInit, lambda);
        }
    }

    private final List<Integer> allSizes;
    private final Options options;
    private final List<Parameter> weights;

    /** The book's defaults (ReLU, He, no weight decay) in float32, weights from {@code new Rng(0)}. */
    public MultiLayerNet(int inputSize, List<Integer> hiddenSizes, int outputSize) {
        this(inputSize, hiddenSizes, outputSize, Options.defaults(), DType.FLOAT32, new Rng(0));
    }

    /** A multi-layer net in {@code dtype} with weights drawn from {@code rng}. */
    public MultiLayerNet(int inputSize, List<Integer> hiddenSizes, int outputSize, Options options, DType dtype,
                         Rng rng) {
        this(MultiLayers.allSizes("MultiLayerNet", inputSize, hiddenSizes, outputSize), options, dtype, rng);
    }

    private MultiLayerNet(List<Integer> all, Options options, DType dtype, Rng rng) {
        super(MultiLayers.initialParameters(all, false, options.weightInit(), dtype, rng),
                params -> layersFor(params, all.size() - 2, options.activation()));
        this.allSizes = all;
        this.options = options;
        this.weights = MultiLayers.weights(parameters(), all.size() - 1);
    }

    private static Map<String, Layer> layersFor(Parameters params, int hidden, Activation activation) {
        Map<String, Layer> layers = new LinkedHashMap<>();
        for (int idx = 1; idx <= hidden; idx++) {
            layers.put("Affine" + idx, new Affine(params.get("W" + idx), params.get("b" + idx)));
            layers.put("Activation_function" + idx, activation.newLayer());
        }
        int last = hidden + 1;
        layers.put("Affine" + last, new Affine(params.get("W" + last), params.get("b" + last)));
        return layers;
    }

    /** The names and shapes of the parameters, {@code W1 (in, h1), b1, W2 (h1, h2), …}, in layer order. */
    public static List<Parameters.Spec> parameterSpecs(int inputSize, List<Integer> hiddenSizes, int outputSize) {
        return MultiLayers.specs(MultiLayers.allSizes("MultiLayerNet", inputSize, hiddenSizes, outputSize), false);
    }

    /** The parameter specs of an architecture, checked but not allocated. */
    static List<Parameters.Spec> parameterSpecs(Architecture a) {
        return parameterSpecs(a.intValue("input_size"), a.intList("hidden_sizes"), a.intValue("output_size"));
    }

    /**
     * The architecture of a multi-layer net with parameters of these shapes (the book's {@code params}); the options
     * {@code activation} (relu), {@code weight_init_std} (he) and {@code weight_decay_lambda} (0) supply what the
     * shapes cannot tell.
     */
    static Architecture inferArchitecture(Map<String, int[]> shapes, Map<String, Object> options) {
        MultiLayers.onlyOptions(ARCHITECTURE, options, List.of("activation", "weight_init_std",
                "weight_decay_lambda"));
        List<Integer> all = MultiLayers.inferSizes(ARCHITECTURE, shapes, false);
        Options o = new Options(Activation.parse(String.valueOf(MultiLayers.option(options, "activation", "relu"))),
                WeightInit.parse(String.valueOf(MultiLayers.option(options, "weight_init_std", "he"))),
                MultiLayers.number(ARCHITECTURE, MultiLayers.option(options, "weight_decay_lambda", 0),
                        "weight_decay_lambda"));
        return architectureOf(all, o);
    }

    private static Architecture architectureOf(List<Integer> all, Options o) {
        Map<String, Object> config = new LinkedHashMap<>();
        MultiLayers.putCommon(config, all, o.activation(), o.weightInit(), o.weightDecayLambda());
        return new Architecture(ARCHITECTURE, config);
    }

    /** A new network of this type from a user's {@code choices}, for inputs {@code inputDim} ({@code (C, H, W)}). */
    static Network fromChoices(NetworkType.Choices c, int[] inputDim, int classes, DType dtype, Rng rng) {
        if (c.batchnorm() || c.dropout() != null) {
            return MultiLayerNetExtend.TYPE.create(c, inputDim, classes, dtype, rng);
        }
        return new MultiLayerNet(ConvNets.size(inputDim), c.hiddenSizes(), classes,
                new Options(c.activation(), c.init(), c.weightDecay()), dtype, rng);
    }

    /** Rebuilds a multi-layer net from its {@link #architecture()}. */
    static MultiLayerNet fromArchitecture(Architecture a, DType dtype, Rng rng) {
        Options options = new Options(Activation.parse(a.stringValue("activation")),
                WeightInit.parse(a.stringValue("weight_init_std")), a.doubleValue("weight_decay_lambda"));
        return new MultiLayerNet(a.intValue("input_size"), a.intList("hidden_sizes"), a.intValue("output_size"),
                options, dtype, rng);
    }

    @Override
    public Architecture architecture() {
        return architectureOf(allSizes, options);
    }

    /** {@code 0.5·λ·ΣW²} over all weights. */
    @Override
    protected double regularization() {
        return MultiLayers.weightDecay(weights, options.weightDecayLambda());
    }

    /** {@code dW += λ·W} for every weight. */
    @Override
    protected void regularizationGradient() {
        MultiLayers.weightDecayGradient(weights, options.weightDecayLambda());
    }

    public int inputSize() {
        return allSizes.get(0);
    }

    public List<Integer> hiddenSizes() {
        return allSizes.subList(1, allSizes.size() - 1);
    }

    public int outputSize() {
        return allSizes.get(allSizes.size() - 1);
    }

    public Options options() {
        return options;
    }
}
