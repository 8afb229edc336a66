package dev.layerwise.net;

import dev.layerwise.layer.Affine;
import dev.layerwise.layer.Layer;
import dev.layerwise.layer.Relu;
import dev.layerwise.net.NetworkType.InitChoice;
import dev.layerwise.net.NetworkType.Training;
import dev.layerwise.tensor.DType;
import dev.layerwise.util.Rng;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The book's two-layer network of chapter 5: {@code Affine1 → Relu1 → Affine2 → SoftmaxWithLoss}.
 *
 * <p><b>Shape</b>: {@code (N, inputSize)} → scores {@code (N, outputSize)}. <b>Parameters</b>: {@code W1 (inputSize,
 * hiddenSize)} and {@code W2 (hiddenSize, outputSize)} drawn from a Gaussian of standard deviation
 * {@code weightInitStd}, {@code b1}, {@code b2} zeros. <b>Book</b>: §5.7, {@code ch05/two_layer_net.py}.
 *
 * <pre>{@code
 * TwoLayerNet net = new TwoLayerNet(784, 50, 10);
 * double loss = net.gradient(xBatch, tBatch);     // backprop; gradients in net.parameters()
 * double acc = net.accuracy(xTest, tTest);
 * }</pre>
 */
public class TwoLayerNet extends Sequential {
    /** The name under which {@link Architectures} knows this network. */
    public static final String ARCHITECTURE = "two-layer";

    /** The book's default standard deviation of the initial weights. */
    public static final double DEFAULT_WEIGHT_INIT_STD = 0.01;

    /** The two-layer net as {@link Architectures} knows it; trained as the book's {@code ch05/train_neuralnet.py}. */
    public static final NetworkType TYPE = new NetworkType(ARCHITECTURE, TwoLayerNet::parameterSpecs,
            TwoLayerNet::inferArchitecture, TwoLayerNet::fromArchitecture, TwoLayerNet::fromChoices,
            new Training(List.of(50), WeightInit.std(DEFAULT_WEIGHT_INIT_STD), "sgd", Map.of("sgd", 0.1), 0,
                    10_000, 0, false, InitChoice.STANDARD_DEVIATION));

    private final int inputSize;
    private final int hiddenSize;
    private final int outputSize;
    private final double weightInitStd;

    /** The book's constructor: float32, {@code weightInitStd} 0.01, seed 0. */
    public TwoLayerNet(int inputSize, int hiddenSize, int outputSize) {
        this(inputSize, hiddenSize, outputSize, DEFAULT_WEIGHT_INIT_STD, DType.FLOAT32, new Rng(0));
    }

    /** A two-layer net in {@code dtype}, with weights drawn from {@code rng}. */
    public TwoLayerNet(int inputSize, int hiddenSize, int outputSize, double weightInitStd, DType dtype, Rng rng) {
        super(initialParameters(inputSize, hiddenSize, outputSize, weightInitStd, dtype, rng),
                TwoLayerNet::layersFor);
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.outputSize = outputSize;
        this.weightInitStd = weightInitStd;
    }

    /** A new network of this type from a user's {@code choices}, for inputs {@code inputDim} ({@code (C, H, W)}). */
    static Network fromChoices(NetworkType.Choices c, int[] inputDim, int classes, DType dtype, Rng rng) {
        return new TwoLayerNet(ConvNets.size(inputDim), c.hiddenSizes().get(0), classes, c.init().stddev(1),
                dtype, rng);
    }

    /** Rebuilds a two-layer net from its {@link #architecture()}. */
    static TwoLayerNet fromArchitecture(Architecture a, DType dtype, Rng rng) {
        return new TwoLayerNet(a.intValue("input_size"), a.intValue("hidden_size"), a.intValue("output_size"),
                a.doubleValue("weight_init_std"), dtype, rng);
    }

    @Override
    public Architecture architecture() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("input_size", inputSize);
        config.put("hidden_size", hiddenSize);
        config.put("output_size", outputSize);
        config.put("weight_init_std", weightInitStd);
        return new Architecture(ARCHITECTURE, config);
    }

    private static Parameters initialParameters(int inputSize, int hiddenSize, int outputSize, double weightInitStd,
                                                DType dtype, Rng rng) {
        checkSize("inputSize", inputSize);
        checkSize("hiddenSize", hiddenSize);
        checkSize("outputSize", outputSize);
        Parameters params = Parameters.allocate(dtype, parameterSpecs(inputSize, hiddenSize, outputSize));
        WeightInit init = WeightInit.std(weightInitStd);
        init.fill(params.get("W1").value(), inputSize, rng);
        init.fill(params.get("W2").value(), hiddenSize, rng);
        return params;
    }

    /** The names and shapes of the parameters: {@code W1 (in, hidden), b1, W2 (hidden, out), b2}. */
    public static List<Parameters.Spec> parameterSpecs(int inputSize, int hiddenSize, int outputSize) {
        return List.of(Parameters.spec("W1", inputSize, hiddenSize), Parameters.spec("b1", hiddenSize),
                Parameters.spec("W2", hiddenSize, outputSize), Parameters.spec("b2", outputSize));
    }

    /** The architecture of a two-layer net with parameters of these shapes. */
    static Architecture inferArchitecture(Map<String, int[]> shapes, Map<String, Object> options) {
        Architectures.onlyOptions(ARCHITECTURE, options, "weight_init_std");
        int[] w1 = Architectures.shape(shapes, "W1", 2);
        int[] w2 = Architectures.shape(shapes, "W2", 2);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("input_size", w1[0]);
        config.put("hidden_size", w1[1]);
        config.put("output_size", w2[1]);
        config.put("weight_init_std", options.getOrDefault("weight_init_std", DEFAULT_WEIGHT_INIT_STD));
        return new Architecture(ARCHITECTURE, config);
    }

    /** The parameter specs of an architecture, checked but not allocated. */
    static List<Parameters.Spec> parameterSpecs(Architecture a) {
        int in = a.intValue("input_size");
        int hidden = a.intValue("hidden_size");
        int out = a.intValue("output_size");
        checkSize("input_size", in);
        checkSize("hidden_size", hidden);
        checkSize("output_size", out);
        return parameterSpecs(in, hidden, out);
    }

    private static Map<String, Layer> layersFor(Parameters params) {
        Map<String, Layer> layers = new LinkedHashMap<>();
        layers.put("Affine1", new Affine(params.get("W1"), params.get("b1")));
        layers.put("Relu1", new Relu());
        layers.put("Affine2", new Affine(params.get("W2"), params.get("b2")));
        return layers;
    }

    private static void checkSize(String name, int size) {
        if (size < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + size);
        }
    }

    public int inputSize() {
        return inputSize;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public int outputSize() {
        return outputSize;
    }
}
