package dev.layerwise.net;

import dev.layerwise.kernel.ConvGeometry;
import dev.layerwise.layer.Affine;
import dev.layerwise.layer.Convolution;
import dev.layerwise.layer.Dropout;
import dev.layerwise.layer.Layer;
import dev.layerwise.layer.Pooling;
import dev.layerwise.layer.Relu;
import dev.layerwise.net.NetworkType.InitChoice;
import dev.layerwise.net.NetworkType.Training;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The book's deep convolutional network of chapter 8 (over 99% on MNIST):
 * <pre>
 * Conv1 → Relu1 → Conv2 → Relu2 → Pool1 →
 * Conv3 → Relu3 → Conv4 → Relu4 → Pool2 →
 * Conv5 → Relu5 → Conv6 → Relu6 → Pool3 →
 * Affine1 → Relu7 → Dropout1 → Affine2 → Dropout2 → SoftmaxWithLoss
 * </pre>
 *
 * <p><b>Shape</b>: images {@code (N, C, H, W)} (or flattened, {@code (N, C·H·W)}) → scores {@code (N, output_size)};
 * for MNIST 28 → 28 → 28 → 14 → 14 → 16 → 8 → 8 → 8 → 4, so {@code Affine1} takes 64·4·4 = 1024 features.
 * <b>Parameters</b>: {@code W1 … W6 (filter_num, previous channels, 3, 3)}, {@code W7 (64·4·4, hidden_size)},
 * {@code W8 (hidden_size, output_size)}, He-initialised (Gaussian of standard deviation {@code √(2 / fan-in)}, the
 * fan-in being previous channels · 3 · 3 for a convolution and the input size for an affine layer); {@code b1 … b8}
 * zeros. The convolutions are 3×3 with stride 1 and pad 1, except {@code Conv4}, whose pad is 2 as in the book (that is
 * what makes the last pooled map 4×4). Pooling is 2×2 with stride 2. <b>Book</b>: §8.1, {@code ch08/deep_convnet.py}.
 *
 * <p>Two {@code Dropout(0.5)} layers in the book's (non-inverted) form follow {@code Relu7} and the last affine layer;
 * their masks come from generators seeded from the constructor's. As in the book, {@link #loss(Tensor, Labels)} runs
 * in training mode (dropout on), and prediction and accuracy in inference mode.
 *
 * <pre>{@code
 * DeepConvNet net = new DeepConvNet();
 * double loss = net.gradient(xBatch, tBatch);
 * }</pre>
 */
public class DeepConvNet extends Sequential {
    /** The name under which {@link Architectures} knows this network. */
    public static final String ARCHITECTURE = "deep-convnet";

    /** The book's {@code conv_param_1 … conv_param_6}. */
    public static final List<ConvParam> DEFAULT_CONV_PARAMS = List.of(
            ConvParam.of(16, 3, 1, 1), ConvParam.of(16, 3, 1, 1),
            ConvParam.of(32, 3, 1, 1), ConvParam.of(32, 3, 2, 1),
            ConvParam.of(64, 3, 1, 1), ConvParam.of(64, 3, 1, 1));
    /** The book's {@code hidden_size}. */
    public static final int DEFAULT_HIDDEN_SIZE = 50;
    /** The book's {@code output_size}. */
    public static final int DEFAULT_OUTPUT_SIZE = 10;

    /** This network as {@link Architectures} knows it. */
    public static final NetworkType TYPE = new NetworkType(ARCHITECTURE, DeepConvNet::parameterSpecs,
            DeepConvNet::inferArchitecture, DeepConvNet::fromArchitecture, DeepConvNet::fromChoices,
            new Training(List.of(DEFAULT_HIDDEN_SIZE), WeightInit.he(), "adam", Map.of(), 20, 0, 1000, false,
                    InitChoice.NONE));
    /** The ratio of the book's two dropout layers. */
    public static final double DROPOUT_RATIO = 0.5;

    private static final String NAME = "DeepConvNet";

    private final int[] inputDim;
    private final List<ConvParam> convParams;
    private final int hiddenSize;
    private final int outputSize;

    /** The book's network with its defaults, for MNIST: float32, seed 0. */
    public DeepConvNet() {
        this(ConvNets.array(SimpleConvNet.DEFAULT_INPUT_DIM), DEFAULT_CONV_PARAMS, DEFAULT_HIDDEN_SIZE,
                DEFAULT_OUTPUT_SIZE, DType.FLOAT32, new Rng(0));
    }

    /**
     * The book's constructor: {@code inputDim} {@code (C, H, W)}, the six convolutions' {@code convParams}, the
     * hidden and output sizes, in {@code dtype} with weights drawn from {@code rng}.
     *
     * @throws IllegalArgumentException for a geometry that does not work, naming the layer and the shapes
     */
    public DeepConvNet(int[] inputDim, List<ConvParam> convParams, int hiddenSize, int outputSize, DType dtype,
                       Rng rng) {
        super(initialParameters(inputDim, convParams, hiddenSize, outputSize, dtype, rng),
                params -> layersFor(params, convParams, new Rng(rng.nextLong()), new Rng(rng.nextLong())));
        this.inputDim = inputDim.clone();
        this.convParams = List.copyOf(convParams);
        this.hiddenSize = hiddenSize;
        this.outputSize = outputSize;
    }

    /** A new network of this type from a user's {@code choices}, for inputs {@code inputDim} ({@code (C, H, W)}). */
    static Network fromChoices(NetworkType.Choices c, int[] inputDim, int classes, DType dtype, Rng rng) {
        return new DeepConvNet(inputDim, DEFAULT_CONV_PARAMS, c.hiddenSizes().get(0), classes, dtype, rng);
    }

    /** Rebuilds a deep convnet from its {@link #architecture()}. */
    static DeepConvNet fromArchitecture(Architecture a, DType dtype, Rng rng) {
        return new DeepConvNet(ConvNets.array(a.intList("input_dim")), convParams(a), a.intValue("hidden_size"),
                a.intValue("output_size"), dtype, rng);
    }

    private static List<ConvParam> convParams(Architecture a) {
        List<Integer> num = a.intList("filter_num");
        List<Integer> size = a.intList("filter_size");
        List<Integer> pad = a.intList("pad");
        List<Integer> stride = a.intList("stride");
        if (num.size() != 6 || size.size() != 6 || pad.size() != 6 || stride.size() != 6) {
            throw new IllegalArgumentException(ARCHITECTURE + ": filter_num, filter_size, pad and stride must list "
                    + "six convolutions each, got " + num + ", " + size + ", " + pad + ", " + stride);
        }
        List<ConvParam> params = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            params.add(ConvParam.of(num.get(i), size.get(i), pad.get(i), stride.get(i)));
        }
        return params;
    }

    @Override
    public Architecture architecture() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("input_dim", ConvNets.list(inputDim));
        config.put("filter_num", convParams.stream().map(ConvParam::filterNum).toList());
        config.put("filter_size", convParams.stream().map(ConvParam::filterSize).toList());
        config.put("pad", convParams.stream().map(ConvParam::pad).toList());
        config.put("stride", convParams.stream().map(ConvParam::stride).toList());
        config.put("hidden_size", hiddenSize);
        config.put("output_size", outputSize);
        return new Architecture(ARCHITECTURE, config);
    }

    /** The book's {@code loss(x, t)}: in training mode, dropout on ({@code predict(x, train_flg=True)}). */
    @Override
    public double loss(Tensor x, Labels t) {
        return loss(x, t, true);
    }

    /** Also takes flattened images {@code (N, C·H·W)}, seen as {@code (N, C, H, W)}. */
    @Override
    public Tensor forward(Tensor x, boolean train) {
        return super.forward(ConvNets.images(x, inputDim), train);
    }

    /** The per-sample shape after the last pooling layer: what {@code Affine1} flattens. */
    static int[] pooledShape(int[] inputDim, List<ConvParam> convParams) {
        int[] shape = ConvNets.inputDim(NAME, inputDim);
        if (convParams.size() != 6) {
            throw new IllegalArgumentException(NAME + ": needs six conv_params, got " + convParams.size());
        }
        for (int i = 0; i < 6; i++) {
            ConvGeometry conv = ConvNets.conv(NAME, "Conv" + (i + 1), "W" + (i + 1), shape, convParams.get(i));
            shape = ConvNets.out(conv, convParams.get(i).filterNum());
            if (i % 2 == 1) {
                shape = ConvNets.out(ConvNets.pool(NAME, "Pool" + (i / 2 + 1), shape));
            }
        }
        return shape;
    }

    /** The names and shapes of the parameters, checked and computed without allocating them. */
    public static List<Parameters.Spec> parameterSpecs(int[] inputDim, List<ConvParam> convParams, int hiddenSize,
                                                       int outputSize) {
        int flat = Shapes.size(pooledShape(inputDim, convParams));
        ConvNets.checkSize(NAME, "hidden_size", hiddenSize);
        ConvNets.checkSize(NAME, "output_size", outputSize);
        List<Parameters.Spec> specs = new ArrayList<>();
        int channels = inputDim[0];
        for (int i = 0; i < 6; i++) {
            ConvParam p = convParams.get(i);
            specs.add(Parameters.spec("W" + (i + 1), p.filterNum(), channels, p.filterSize(), p.filterSize()));
            specs.add(Parameters.spec("b" + (i + 1), p.filterNum()));
            channels = p.filterNum();
        }
        specs.add(Parameters.spec("W7", flat, hiddenSize));
        specs.add(Parameters.spec("b7", hiddenSize));
        specs.add(Parameters.spec("W8", hiddenSize, outputSize));
        specs.add(Parameters.spec("b8", outputSize));
        return specs;
    }

    static List<Parameters.Spec> parameterSpecs(Architecture a) {
        return parameterSpecs(ConvNets.array(a.intList("input_dim")), convParams(a), a.intValue("hidden_size"),
                a.intValue("output_size"));
    }

    /**
     * The architecture of a deep convnet with parameters of these shapes: filters, hidden and output sizes come from
     * the shapes; options {@code input_dim} ("1x28x28"), {@code pad} and {@code stride} ("1,1,1,2,1,1") default to
     * the book's.
     */
    static Architecture inferArchitecture(Map<String, int[]> shapes, Map<String, Object> options) {
        Architectures.onlyOptions(ARCHITECTURE, options, "input_dim", "pad", "stride");
        List<Integer> num = new ArrayList<>();
        List<Integer> size = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            int[] w = Architectures.shape(shapes, "W" + i, 4);
            num.add(w[0]);
            size.add(w[2]);
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("input_dim", Architectures.dims(options.getOrDefault("input_dim", "1x28x28"),
                Architectures.shape(shapes, "W1", 4)[1]));
        config.put("filter_num", num);
        config.put("filter_size", size);
        config.put("pad", Architectures.intList(options.get("pad"),
                DEFAULT_CONV_PARAMS.stream().map(ConvParam::pad).toList(), "pad"));
        config.put("stride", Architectures.intList(options.get("stride"),
                DEFAULT_CONV_PARAMS.stream().map(ConvParam::stride).toList(), "stride"));
        config.put("hidden_size", Architectures.shape(shapes, "W7", 2)[1]);
        config.put("output_size", Architectures.shape(shapes, "W8", 2)[1]);
        return new Architecture(ARCHITECTURE, config);
    }

    private static Parameters initialParameters(int[] inputDim, List<ConvParam> convParams, int hiddenSize,
                                                int outputSize, DType dtype, Rng rng) {
        List<Parameters.Spec> specs = parameterSpecs(inputDim, convParams, hiddenSize, outputSize);
        int[] fanIn = new int[8];
        for (int i = 0; i < 8; i++) {
            int[] shape = specs.get(2 * i).shape();
            fanIn[i] = i < 6 ? shape[1] * shape[2] * shape[3] : shape[0];
        }
        Parameters params = Parameters.allocate(dtype, specs);
        WeightInit he = WeightInit.he();
        for (int i = 0; i < 8; i++) {
            he.fill(params.get("W" + (i + 1)).value(), fanIn[i], rng);
        }
        return params;
    }

    private static Map<String, Layer> layersFor(Parameters params, List<ConvParam> convParams, Rng dropout1,
                                                Rng dropout2) {
        Map<String, Layer> layers = new LinkedHashMap<>();
        for (int i = 0; i < 6; i++) {
            ConvParam p = convParams.get(i);
            layers.put("Conv" + (i + 1), new Convolution(params.get("W" + (i + 1)), params.get("b" + (i + 1)),
                    p.stride(), p.pad()));
            layers.put("Relu" + (i + 1), new Relu());
            if (i % 2 == 1) {
                layers.put("Pool" + (i / 2 + 1), new Pooling(2, 2, 2));
            }
        }
        layers.put("Affine1", new Affine(params.get("W7"), params.get("b7")));
        layers.put("Relu7", new Relu());
        layers.put("Dropout1", new Dropout(DROPOUT_RATIO, Dropout.Mode.BOOK, dropout1));
        layers.put("Affine2", new Affine(params.get("W8"), params.get("b8")));
        layers.put("Dropout2", new Dropout(DROPOUT_RATIO, Dropout.Mode.BOOK, dropout2));
        return layers;
    }

    /** The input shape {@code (C, H, W)}. */
    public int[] inputDim() {
        return inputDim.clone();
    }

    /** The six convolutions' hyperparameters. */
    public List<ConvParam> convParams() {
        return convParams;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public int outputSize() {
        return outputSize;
    }
}
