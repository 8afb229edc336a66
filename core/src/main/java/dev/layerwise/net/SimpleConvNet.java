package dev.layerwise.net;

import dev.layerwise.kernel.ConvGeometry;
import dev.layerwise.layer.Affine;
import dev.layerwise.layer.Convolution;
import dev.layerwise.layer.Layer;
import dev.layerwise.layer.Pooling;
import dev.layerwise.layer.Relu;
import dev.layerwise.net.NetworkType.InitChoice;
import dev.layerwise.net.NetworkType.Training;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The book's simple convolutional network of chapter 7:
 * {@code Conv1 → Relu1 → Pool1 → Affine1 → Relu2 → Affine2 → SoftmaxWithLoss}.
 *
 * <p><b>Shape</b>: images {@code (N, C, H, W)} as {@code input_dim} says (or the same flattened to {@code (N, C·H·W)})
 * → scores {@code (N, outputSize)}. <b>Parameters</b>: {@code W1 (filter_num, C, filter_size, filter_size)},
 * {@code W2 (filter_num·PH·PW, hidden_size)} where {@code PH × PW} is the pooled size, {@code W3 (hidden_size,
 * output_size)}, each drawn from a Gaussian of standard deviation {@code weight_init_std}; {@code b1}, {@code b2},
 * {@code b3} zeros. The pooling is 2×2 with stride 2. <b>Book</b>: §7.5, {@code ch07/simple_convnet.py}.
 *
 * <p>Sizes: the book sizes {@code W2} as {@code filter_num · (conv_output_size / 2)²} from the input's height alone,
 * which is the real size when the convolution's output is square and even (as for MNIST, 24×24); otherwise its
 * network fails at the first forward pass. Here {@code W2} is sized from the actual pooled shape, rounded down as the
 * book's layers round, so every configuration the book runs is the same and the others work. A filter that does not
 * fit the padded input, a stride below 1 and the like fail when the network is built.
 *
 * <pre>{@code
 * SimpleConvNet net = new SimpleConvNet();        // (1, 28, 28), 30 filters 5×5, hidden 100, 10 classes
 * double loss = net.gradient(xBatch, tBatch);     // backprop; gradients in net.parameters()
 * double acc = net.accuracy(xTest, tTest);
 * }</pre>
 */
public class SimpleConvNet extends Sequential {
    /** The name under which {@link Architectures} knows this network. */
    public static final String ARCHITECTURE = "simple-convnet";

    /** The book's {@code input_dim}: MNIST images. */
    public static final List<Integer> DEFAULT_INPUT_DIM = List.of(1, 28, 28);
    /** The book's {@code conv_param}: 30 filters 5×5, pad 0, stride 1. */
    public static final ConvParam DEFAULT_CONV_PARAM = ConvParam.of(30, 5, 0, 1);
    /** The book's {@code hidden_size}. */
    public static final int DEFAULT_HIDDEN_SIZE = 100;
    /** The book's {@code output_size}. */
    public static final int DEFAULT_OUTPUT_SIZE = 10;
    /** The book's {@code weight_init_std}. */
    public static final double DEFAULT_WEIGHT_INIT_STD = 0.01;

    /** This network as {@link Architectures} knows it. */
    public static final NetworkType TYPE = new NetworkType(ARCHITECTURE, SimpleConvNet::parameterSpecs,
            SimpleConvNet::inferArchitecture, SimpleConvNet::fromArchitecture, SimpleConvNet::fromChoices,
            new Training(List.of(DEFAULT_HIDDEN_SIZE), WeightInit.std(DEFAULT_WEIGHT_INIT_STD), "adam", Map.of(), 20,
                    0, 1000, false, InitChoice.STANDARD_DEVIATION));

    private static final String NAME = "SimpleConvNet";

    private final int[] inputDim;
    private final ConvParam convParam;
    private final int hiddenSize;
    private final int outputSize;
    private final double weightInitStd;

    /** The book's network with its defaults: float32, seed 0. */
    public SimpleConvNet() {
        this(ConvNets.array(DEFAULT_INPUT_DIM), DEFAULT_CONV_PARAM, DEFAULT_HIDDEN_SIZE, DEFAULT_OUTPUT_SIZE,
                DEFAULT_WEIGHT_INIT_STD, DType.FLOAT32, new Rng(0));
    }

    /**
     * The book's constructor: {@code inputDim} {@code (C, H, W)}, the convolution's {@code convParam}, the hidden and
     * output sizes and {@code weightInitStd}, in {@code dtype} with weights drawn from {@code rng}.
     *
     * @throws IllegalArgumentException for a geometry that does not work, naming the layer and the shapes
     */
    public SimpleConvNet(int[] inputDim, ConvParam convParam, int hiddenSize, int outputSize, double weightInitStd,
                         DType dtype, Rng rng) {
        super(initialParameters(inputDim, convParam, hiddenSize, outputSize, weightInitStd, dtype, rng),
                params -> layersFor(params, convParam));
        this.inputDim = inputDim.clone();
        this.convParam = convParam;
        this.hiddenSize = hiddenSize;
        this.outputSize = outputSize;
        this.weightInitStd = weightInitStd;
    }

    /** A new network of this type from a user's {@code choices}, for inputs {@code inputDim} ({@code (C, H, W)}). */
    static Network fromChoices(NetworkType.Choices c, int[] inputDim, int classes, DType dtype, Rng rng) {
        return new SimpleConvNet(inputDim, DEFAULT_CONV_PARAM, c.hiddenSizes().get(0), classes,
                c.init().stddev(1), dtype, rng);
    }

    /** Rebuilds a simple convnet from its {@link #architecture()}. */
    static SimpleConvNet fromArchitecture(Architecture a, DType dtype, Rng rng) {
        return new SimpleConvNet(ConvNets.array(a.intList("input_dim")),
                ConvParam.of(a.intValue("filter_num"), a.intValue("filter_size"), a.intValue("pad"),
                        a.intValue("stride")),
                a.intValue("hidden_size"), a.intValue("output_size"), a.doubleValue("weight_init_std"), dtype, rng);
    }

    @Override
    public Architecture architecture() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("input_dim", ConvNets.list(inputDim));
        config.put("filter_num", convParam.filterNum());
        config.put("filter_size", convParam.filterSize());
        config.put("pad", convParam.pad());
        config.put("stride", convParam.stride());
        config.put("hidden_size", hiddenSize);
        config.put("output_size", outputSize);
        config.put("weight_init_std", weightInitStd);
        return new Architecture(ARCHITECTURE, config);
    }

    /** Also takes flattened images {@code (N, C·H·W)}, seen as {@code (N, C, H, W)}. */
    @Override
    public Tensor forward(Tensor x, boolean train) {
        return super.forward(ConvNets.images(x, inputDim), train);
    }

    /** The per-sample shape after the pooling layer, {@code (filter_num, PH, PW)}: what {@code Affine1} flattens. */
    static int[] pooledShape(int[] inputDim, ConvParam convParam) {
        int[] in = ConvNets.inputDim(NAME, inputDim);
        ConvGeometry conv = ConvNets.conv(NAME, "Conv1", "W1", in, convParam);
        ConvGeometry pool = ConvNets.pool(NAME, "Pool1", ConvNets.out(conv, convParam.filterNum()));
        return ConvNets.out(pool);
    }

    /** The names and shapes of the parameters, checked and computed without allocating them. */
    public static List<Parameters.Spec> parameterSpecs(int[] inputDim, ConvParam convParam, int hiddenSize,
                                                       int outputSize) {
        int poolOutputSize = Shapes.size(pooledShape(inputDim, convParam));
        ConvNets.checkSize(NAME, "hidden_size", hiddenSize);
        ConvNets.checkSize(NAME, "output_size", outputSize);
        int fn = convParam.filterNum();
        int fs = convParam.filterSize();
        return List.of(
                Parameters.spec("W1", fn, inputDim[0], fs, fs), Parameters.spec("b1", fn),
                Parameters.spec("W2", poolOutputSize, hiddenSize), Parameters.spec("b2", hiddenSize),
                Parameters.spec("W3", hiddenSize, outputSize), Parameters.spec("b3", outputSize));
    }

    static List<Parameters.Spec> parameterSpecs(Architecture a) {
        return parameterSpecs(ConvNets.array(a.intList("input_dim")), ConvParam.of(a.intValue("filter_num"),
                a.intValue("filter_size"), a.intValue("pad"), a.intValue("stride")), a.intValue("hidden_size"),
                a.intValue("output_size"));
    }

    /**
     * The architecture of a simple convnet with parameters of these shapes. The shapes tell the filters, the hidden
     * and output sizes; options {@code input_dim} ("1x28x28"), {@code pad} and {@code stride} default to the book's.
     */
    static Architecture inferArchitecture(Map<String, int[]> shapes, Map<String, Object> options) {
        Architectures.onlyOptions(ARCHITECTURE, options, "input_dim", "pad", "stride", "weight_init_std");
        int[] w1 = Architectures.shape(shapes, "W1", 4);
        int[] w2 = Architectures.shape(shapes, "W2", 2);
        int[] w3 = Architectures.shape(shapes, "W3", 2);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("input_dim", Architectures.dims(options.getOrDefault("input_dim", "1x28x28"), w1[1]));
        config.put("filter_num", w1[0]);
        config.put("filter_size", w1[2]);
        config.put("pad", options.getOrDefault("pad", DEFAULT_CONV_PARAM.pad()));
        config.put("stride", options.getOrDefault("stride", DEFAULT_CONV_PARAM.stride()));
        config.put("hidden_size", w2[1]);
        config.put("output_size", w3[1]);
        config.put("weight_init_std", options.getOrDefault("weight_init_std", DEFAULT_WEIGHT_INIT_STD));
        return new Architecture(ARCHITECTURE, config);
    }

    private static Parameters initialParameters(int[] inputDim, ConvParam convParam, int hiddenSize, int outputSize,
                                                double weightInitStd, DType dtype, Rng rng) {
        Parameters params = Parameters.allocate(dtype, parameterSpecs(inputDim, convParam, hiddenSize, outputSize));
        int fs = convParam.filterSize();
        int poolOutputSize = params.get("W2").value().dim(0);
        WeightInit init = WeightInit.std(weightInitStd);
        init.fill(params.get("W1").value(), inputDim[0] * fs * fs, rng);
        init.fill(params.get("W2").value(), poolOutputSize, rng);
        init.fill(params.get("W3").value(), hiddenSize, rng);
        return params;
    }

    private static Map<String, Layer> layersFor(Parameters params, ConvParam convParam) {
        Map<String, Layer> layers = new LinkedHashMap<>();
        layers.put("Conv1", new Convolution(params.get("W1"), params.get("b1"), convParam.stride(), convParam.pad()));
        layers.put("Relu1", new Relu());
        layers.put("Pool1", new Pooling(2, 2, 2));
        layers.put("Affine1", new Affine(params.get("W2"), params.get("b2")));
        layers.put("Relu2", new Relu());
        layers.put("Affine2", new Affine(params.get("W3"), params.get("b3")));
        return layers;
    }

    /** The input shape {@code (C, H, W)}. */
    public int[] inputDim() {
        return inputDim.clone();
    }

    public ConvParam convParam() {
        return convParam;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public int outputSize() {
        return outputSize;
    }
}
