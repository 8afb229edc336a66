package dev.layerwise.net;

import dev.layerwise.layer.Affine;
import dev.layerwise.layer.BatchNormalization;
import dev.layerwise.layer.Dropout;
import dev.layerwise.layer.Layer;
import dev.layerwise.layer.Parameter;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The book's extended multi-layer net: each hidden layer is {@code Affine → [BatchNorm] → Activation_function →
 * [Dropout]}, then {@code Affine(L+1) → SoftmaxWithLoss}; with optional weight decay.
 *
 * <p><b>Shape</b>: {@code (N, inputSize)} → scores {@code (N, outputSize)}. <b>Parameters</b>, in layer order:
 * {@code W1 b1 [gamma1 beta1] W2 …}; weights drawn by {@link WeightInit} (He by default), biases and β zero, γ one.
 * <b>Buffers</b>: {@code running_mean1}, {@code running_var1}, … of the batch-norm layers. <b>Modes</b>:
 * {@link #gradient} runs in training mode (batch statistics, fresh dropout masks); {@link #predict},
 * {@link #accuracy} and {@link #loss(dev.layerwise.tensor.Tensor, dev.layerwise.tensor.Labels)} in inference mode,
 * as the book's {@code train_flg=False} default. <b>Weight decay</b>: {@code 0.5·λ·ΣW²} in the loss, {@code λ·W} in
 * each weight gradient (not in b, γ, β). <b>Book</b>: §6.3–6.4, {@code common/multi_layer_net_extend.py}.
 *
 * <pre>{@code
 * MultiLayerNetExtend net = new MultiLayerNetExtend(784, List.of(100, 100, 100), 10,
 *         MultiLayerNetExtend.Options.defaults().withBatchnorm(true).withDropout(0.2).withWeightDecay(0.1),
 *         DType.FLOAT32, new Rng(1));
 * }</pre>
 */
public class MultiLayerNetExtend extends Sequential {
    /** The name under which {@link Architectures} knows this network. */
    public static final String ARCHITECTURE = "mlp-extend";

    /** This network as {@link Architectures} knows it. */
    public static final NetworkType TYPE = new NetworkType(ARCHITECTURE, MultiLayerNetExtend::parameterSpecs,
            MultiLayerNetExtend::inferArchitecture, MultiLayerNetExtend::fromArchitecture,
            MultiLayerNetExtend::fromChoices, MultiLayerNet.TYPE.training());

    /**
     * The book's keyword arguments ({@code activation}, {@code weight_init_std}, {@code weight_decay_lambda},
     * {@code use_dropout}, {@code dropout_ration}, {@code use_batchnorm}) and the dropout mode (book by default).
     */
    public record Options(Activation activation, WeightInit weightInit, double weightDecayLambda, boolean useDropout,
                          double dropoutRatio, Dropout.Mode dropoutMode, boolean useBatchnorm) {
        public Options {
            Objects.requireNonNull(activation, "activation");
            Objects.requireNonNull(weightInit, "weightInit");
            Objects.requireNonNull(dropoutMode, "dropoutMode");
            MultiLayers.checkWeightDecay("MultiLayerNetExtend", weightDecayLambda);
            if (!(dropoutRatio >= 0 && dropoutRatio < 1)) {
                throw new IllegalArgumentException("MultiLayerNetExtend: dropout ratio must be in [0, 1), got "
                        + dropoutRatio);
            }
        }

        /** The book's defaults: ReLU, He, no weight decay, no dropout (ratio 0.5 when on), no batch norm. */
        public static Options defaults() {
            return new Options(Activation.RELU, WeightInit.he(), 0, false, Dropout.DEFAULT_RATIO, Dropout.Mode.BOOK,
                    false);
        }

        public Options withActivation(Activation a) {
            return new Options(a, weightInit, weightDecayLambda, useDropout, dropoutRatio, dropoutMode, useBatchnorm);
        }

        public Options withWeightInit(WeightInit w) {
            return new Options(activation, w, weightDecayLambda, useDropout, dropoutRatio, dropoutMode, useBatchnorm);
        }

        public Options withWeightDecay(double lambda) {
            return new Options(activation, weightInit, lambda, useDropout, dropoutRatio, dropoutMode, useBatchnorm);
        }

        /** Dropout after every hidden activation, with the given ratio. */
        public Options withDropout(double ratio) {
            return new Options(activation, weightInit, weightDecayLambda, true, ratio, dropoutMode, useBatchnorm);
        }

        public Options withDropoutMode(Dropout.Mode mode) {
            return new Options(activation, weightInit, weightDecayLambda, useDropout, dropoutRatio, mode,
                    useBatchnorm);
        }

        public Options withBatchnorm(boolean on) {
            return new Options(activation, weightInit, weightDecayLambda, useDropout, dropoutRatio, dropoutMode, on);
        }
    }

    private final List<Integer> allSizes;
    private final Options options;
    private final List<Parameter> weights;

    /** The book's defaults (ReLU, He, nothing else) in float32, weights from {@code new Rng(0)}. */
    public MultiLayerNetExtend(int inputSize, List<Integer> hiddenSizes, int outputSize) {
        this(inputSize, hiddenSizes, outputSize, Options.defaults(), DType.FLOAT32, new Rng(0));
    }

    /**
     * An extended multi-layer net in {@code dtype}. The weights are drawn from {@code rng} first; then each dropout
     * layer gets a generator of its own seeded from {@code rng}.
     */
    public MultiLayerNetExtend(int inputSize, List<Integer> hiddenSizes, int outputSize, Options options,
                               DType dtype, Rng rng) {
        this(MultiLayers.allSizes("MultiLayerNetExtend", inputSize, hiddenSizes, outputSize), options, dtype, rng);
    }

    private MultiLayerNetExtend(List<Integer> all, Options options, DType dtype, Rng rng) {
        super(MultiLayers.initialParameters(all, options.useBatchnorm(), options.weightInit(), dtype, rng),
                params -> layersFor(params, all.size() - 2, options, rng));
        this.allSizes = all;
        this.options = options;
        this.weights = MultiLayers.weights(parameters(), all.size() - 1);
    }

    private static Map<String, Layer> layersFor(Parameters params, int hidden, Options o, Rng rng) {
        Map<String, Layer> layers = new LinkedHashMap<>();
        for (int idx = 1; idx <= hidden; idx++) {
            layers.put("Affine" + idx, new Affine(params.get("W" + idx), params.get("b" + idx)));
            if (o.useBatchnorm()) {
                layers.put("BatchNorm" + idx, new BatchNormalization(params.get("gamma" + idx),
                        params.get("beta" + idx)));
            }
            layers.put("Activation_function" + idx, o.activation().newLayer());
            if (o.useDropout()) {
                layers.put("Dropout" + idx, new Dropout(o.dropoutRatio(), o.dropoutMode(), new Rng(rng.nextLong())));
            }
        }
        int last = hidden + 1;
        layers.put("Affine" + last, new Affine(params.get("W" + last), params.get("b" + last)));
        return layers;
    }

    /**
     * The names and shapes of the parameters, {@code W1 b1 [gamma1 beta1] W2 …} in layer order (batch-norm
     * parameters for the hidden layers when {@code batchnorm}).
     */
    public static List<Parameters.Spec> parameterSpecs(int inputSize, List<Integer> hiddenSizes, int outputSize,
                                                       boolean batchnorm) {
        return MultiLayers.specs(MultiLayers.allSizes("MultiLayerNetExtend", inputSize, hiddenSizes, outputSize),
                batchnorm);
    }

    /** The parameter specs of an architecture, checked but not allocated. */
    static List<Parameters.Spec> parameterSpecs(Architecture a) {
        return parameterSpecs(a.intValue("input_size"), a.intList("hidden_sizes"), a.intValue("output_size"),
                a.booleanValue("use_batchnorm"));
    }

    /**
     * The architecture of an extended multi-layer net with parameters of these shapes; batch norm is on when there
     * is a {@code gamma1}. The options {@code activation} (relu), {@code weight_init_std} (he),
     * {@code weight_decay_lambda} (0), {@code dropout_ratio} (none) and {@code dropout_mode} (book) supply what the
     * shapes cannot tell.
     */
    static Architecture inferArchitecture(Map<String, int[]> shapes, Map<String, Object> options) {
        MultiLayers.onlyOptions(ARCHITECTURE, options, List.of("activation", "weight_init_std",
                "weight_decay_lambda", "dropout_ratio", "dropout_mode"));
        boolean batchnorm = shapes.containsKey("gamma1");
        List<Integer> all = MultiLayers.inferSizes(ARCHITECTURE, shapes, batchnorm);
        Object ratio = options.get("dropout_ratio");
        Options o = new Options(Activation.parse(String.valueOf(MultiLayers.option(options, "activation", "relu"))),
                WeightInit.parse(String.valueOf(MultiLayers.option(options, "weight_init_std", "he"))),
                MultiLayers.number(ARCHITECTURE, MultiLayers.option(options, "weight_decay_lambda", 0),
                        "weight_decay_lambda"), ratio != null,
                ratio == null ? Dropout.DEFAULT_RATIO : MultiLayers.number(ARCHITECTURE, ratio, "dropout_ratio"),
                Dropout.Mode.parse(String.valueOf(MultiLayers.option(options, "dropout_mode", "book"))), batchnorm);
        return architectureOf(all, o);
    }

    private static Architecture architectureOf(List<Integer> all, Options o) {
        Map<String, Object> config = new LinkedHashMap<>();
        MultiLayers.putCommon(config, all, o.activation(), o.weightInit(), o.weightDecayLambda());
        config.put("use_dropout", o.useDropout());
        config.put("dropout_ratio", o.dropoutRatio());
        config.put("dropout_mode", o.dropoutMode().toString());
        config.put("use_batchnorm", o.useBatchnorm());
        return new Architecture(ARCHITECTURE, config);
    }

    /** A new network of this type from a user's {@code choices}, for inputs {@code inputDim} ({@code (C, H, W)}). */
    static Network fromChoices(NetworkType.Choices c, int[] inputDim, int classes, DType dtype, Rng rng) {
        Options o = Options.defaults().withActivation(c.activation()).withWeightInit(c.init())
                .withWeightDecay(c.weightDecay()).withBatchnorm(c.batchnorm()).withDropoutMode(c.dropoutMode());
        if (c.dropout() != null) {
            o = o.withDropout(c.dropout());
        }
        return new MultiLayerNetExtend(ConvNets.size(inputDim), c.hiddenSizes(), classes, o, dtype, rng);
    }

    /** Rebuilds an extended multi-layer net from its {@link #architecture()}. */
    static MultiLayerNetExtend fromArchitecture(Architecture a, DType dtype, Rng rng) {
        Options options = new Options(Activation.parse(a.stringValue("activation")),
                WeightInit.parse(a.stringValue("weight_init_std")), a.doubleValue("weight_decay_lambda"),
                a.booleanValue("use_dropout"), a.doubleValue("dropout_ratio"),
                Dropout.Mode.parse(a.stringValue("dropout_mode")), a.booleanValue("use_batchnorm"));
        return new MultiLayerNetExtend(a.intValue("input_size"), a.intList("hidden_sizes"),
                a.intValue("output_size"), options, dtype, rng);
    }

    @Override
    public Architecture architecture() {
        return architectureOf(allSizes, options);
    }

    /** The running means and variances of the batch-norm layers ({@code running_mean1}, {@code running_var1}, …). */
    @Override
    public Map<String, Tensor> buffers() {
        Map<String, Tensor> buffers = new LinkedHashMap<>();
        for (int idx = 1; idx <= allSizes.size() - 2; idx++) {
            Layer layer = layers().get("BatchNorm" + idx);
            if (layer instanceof BatchNormalization) {
                BatchNormalization bn = (BatchNormalization) layer;
                buffers.put("running_mean" + idx, bn.runningMean());
                buffers.put("running_var" + idx, bn.runningVar());
            }
        }
        return Collections.unmodifiableMap(buffers);
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

    /** The dropout layers in order (empty without dropout), e.g. to fix their masks in a test. */
    public List<Dropout> dropoutLayers() {
        return layers().values().stream().filter(l -> l instanceof Dropout).map(l -> (Dropout) l).toList();
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
