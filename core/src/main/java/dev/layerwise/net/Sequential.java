package dev.layerwise.net;

import dev.layerwise.data.DataSet;
import dev.layerwise.layer.Layer;
import dev.layerwise.layer.Parameter;
import dev.layerwise.layer.SoftmaxWithLoss;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Ops;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Named layers walked forward in order and backward in reverse, ending in {@link SoftmaxWithLoss}: the book's
 * {@code OrderedDict} of layers plus its {@code lastLayer}.
 *
 * <p>The layers' parameters must be exactly the network's {@link Parameters}, in order. The first layer is told that
 * nobody needs its input gradient.
 *
 * <pre>{@code
 * Map<String, Layer> layers = new LinkedHashMap<>();
 * layers.put("Affine1", new Affine(params.get("W1"), params.get("b1")));
 * layers.put("Relu1", new Relu());
 * layers.put("Affine2", new Affine(params.get("W2"), params.get("b2")));
 * Sequential net = new Sequential(params, layers);
 * }</pre>
 */
public class Sequential implements Network {
    /** Rows evaluated at a time by {@link #predict} and {@link #accuracy}, to bound the memory of the activations. */
    private static final int EVAL_CHUNK = 1000;

    private final Parameters params;
    private final Map<String, Layer> layers;
    private final List<Map.Entry<String, Layer>> order;
    private final SoftmaxWithLoss lastLayer = new SoftmaxWithLoss();
    private int[] argmax = new int[0];
    /** Examples stored as bytes, converted for {@link #accuracy(DataSet)}; kept for the next evaluation. */
    private Tensor evalInput;

    /** A network of {@code layers} (in iteration order) over {@code params}, ending in softmax with loss. */
    public Sequential(Parameters params, Map<String, ? extends Layer> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a network needs at least one layer");
        }
        this.params = params;
        this.layers = Collections.unmodifiableMap(new LinkedHashMap<>(layers));
        this.order = List.copyOf(this.layers.entrySet());
        checkParameters();
        order.get(0).getValue().setInputGradientNeeded(false);
    }

    /** For subclasses that build their layers from their parameters: {@code layers.apply(params)}. */
    protected Sequential(Parameters params, Function<Parameters, Map<String, Layer>> layers) {
        this(params, layers.apply(params));
    }

    private void checkParameters() {
        List<Parameter> used = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Layer layer : layers.values()) {
            for (Parameter p : layer.parameters()) {
                if (!seen.add(p.name())) {
                    throw new IllegalArgumentException("parameter " + p.name() + " is used by two layers");
                }
                used.add(p);
            }
        }
        if (!used.equals(params.list())) {
            throw new IllegalArgumentException("the layers' parameters " + used + " are not the network's "
                    + params.list());
        }
    }

    @Override
    public DType dtype() {
        return params.dtype();
    }

    /**
     * Named networks ({@link TwoLayerNet}, …) describe themselves; a hand-assembled {@code Sequential} has no
     * registered architecture, so its parameters can be saved (as {@code .npz}) but not a self-describing model file.
     */
    @Override
    public Architecture architecture() {
        throw new UnsupportedOperationException("a hand-assembled Sequential has no registered architecture; "
                + "use one of " + Architectures.names() + " or save its parameters as .npz");
    }

    @Override
    public Parameters parameters() {
        return params;
    }

    /** The layers by name, in order (unmodifiable). */
    public Map<String, Layer> layers() {
        return layers;
    }

    @Override
    public Map<String, long[]> randomState() {
        Map<String, long[]> state = new LinkedHashMap<>();
        for (Map.Entry<String, Layer> e : order) {
            if (e.getValue().rng() != null) {
                state.put(e.getKey(), e.getValue().rng().state());
            }
        }
        return state;
    }

    @Override
    public void restoreRandomState(Map<String, long[]> state) {
        if (!state.keySet().equals(randomState().keySet())) {
            throw new IllegalArgumentException("random states for " + state.keySet() + ", the network draws in "
                    + randomState().keySet());
        }
        state.forEach((name, s) -> layers.get(name).rng().setState(s));
    }

    /** The last layer, softmax with loss. */
    public SoftmaxWithLoss lastLayer() {
        return lastLayer;
    }

    /**
     * Runs the layers forward in training ({@code train}) or inference mode; returns the scores, which are the last
     * layer's buffer (overwritten by the next forward).
     */
    public Tensor forward(Tensor x, boolean train) {
        Tensor out = x;
        for (Map.Entry<String, Layer> e : order) {
            try {
                out = e.getValue().forward(out, train);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("layer " + e.getKey() + ": " + ex.getMessage(), ex);
            }
        }
        return out;
    }

    @Override
    public Tensor predict(Tensor x) {
        Tensor input = checkedInput(x);
        int n = input.dim(0);
        if (n <= EVAL_CHUNK) {
            return forward(input, false).copy();
        }
        Tensor result = null;
        for (int from = 0; from < n; from += EVAL_CHUNK) {
            int to = Math.min(n, from + EVAL_CHUNK);
            Tensor scores = forward(input.rows(from, to), false);
            if (result == null) {
                result = Tensor.zeros(scores.dtype(), n, scores.dim(1));
            }
            result.rows(from, to).copyFrom(scores);
        }
        return result;
    }

    /** The loss in inference mode, as the book's {@code loss(x, t)} (training mode: {@link #loss(Tensor, Labels, boolean)}). */
    @Override
    public double loss(Tensor x, Labels t) {
        return loss(x, t, false);
    }

    /** The loss in training or inference mode, as the book's {@code loss(x, t, train_flg)}. */
    public double loss(Tensor x, Labels t, boolean train) {
        Tensor scores = forward(checkedBatch(x), train);
        return lastLayer.forward(scores, t) + regularization();
    }

    /** A term added to the loss (weight decay); none here. */
    protected double regularization() {
        return 0;
    }

    /** Adds the gradient of {@link #regularization()} to the parameters' gradients; nothing here. */
    protected void regularizationGradient() {
    }

    @Override
    public double accuracy(Tensor x, Labels t) {
        Tensor input = checkedInput(x);
        return accuracy(input.dim(0), t, input::rows);
    }

    /**
     * The accuracy on {@code data}, {@value #EVAL_CHUNK} examples at a time: views of its tensor, or, for examples
     * stored as bytes, converted into a buffer the network keeps for its next evaluation.
     */
    @Override
    public double accuracy(DataSet data) {
        Tensor buffer = data.hasTensor() ? null : evalBuffer(data);
        return accuracy(data.size(), data.t(), (from, to) -> checkedInput(data.rows(from, to, buffer)));
    }

    /** A buffer for {@value #EVAL_CHUNK} of {@code data}'s examples: the last one, when it fits. */
    private Tensor evalBuffer(DataSet data) {
        int[] shape = data.shape();
        shape[0] = Math.min(EVAL_CHUNK, shape[0]);
        if (evalInput == null || evalInput.dtype() != data.dtype() || !Arrays.equals(evalInput.shape(), shape)) {
            evalInput = Tensor.zeros(data.dtype(), shape);
        }
        return evalInput;
    }

    /** The accuracy over {@code n} examples, those of rows {@code [from, to)} given by {@code rows}. */
    private double accuracy(int n, Labels t, BiFunction<Integer, Integer, Tensor> rows) {
        if (n == 0) {
            return 0;
        }
        int[] labels = t.indices();
        if (labels.length != n) {
            throw new IllegalArgumentException("accuracy: " + labels.length + " labels for " + n + " rows");
        }
        int correct = 0;
        for (int from = 0; from < n; from += EVAL_CHUNK) {
            int to = Math.min(n, from + EVAL_CHUNK);
            Tensor scores = forward(rows.apply(from, to), false);
            if (argmax.length < to - from) {
                argmax = new int[to - from];
            }
            Ops.argmaxRows(scores, argmax);
            for (int i = from; i < to; i++) {
                if (argmax[i - from] == labels[i]) {
                    correct++;
                }
            }
        }
        return (double) correct / n;
    }

    @Override
    public double gradient(Tensor x, Labels t) {
        Tensor scores = forward(checkedBatch(x), true);
        double loss = lastLayer.forward(scores, t) + regularization();
        Tensor dout = lastLayer.backward();
        for (int i = order.size() - 1; i >= 0 && dout != null; i--) {
            Map.Entry<String, Layer> e = order.get(i);
            try {
                dout = e.getValue().backward(dout);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("layer " + e.getKey() + ": " + ex.getMessage(), ex);
            }
        }
        regularizationGradient();
        return loss;
    }

    /**
     * The book's {@code numerical_gradient(x, t)}: central differences of the training-mode loss for every parameter
     * (slow: two forward passes per scalar). Returns new tensors by name; the parameters, and the {@link #buffers()}
     * (batch norm's running statistics, which every training-mode forward updates), are left as they were. Dropout
     * draws a new mask on every forward: fix the masks first for a meaningful result.
     */
    public Map<String, Tensor> numericalGradient(Tensor x, Labels t) {
        Map<String, Tensor> saved = new LinkedHashMap<>();
        buffers().forEach((name, buffer) -> saved.put(name, buffer.copy()));
        Map<String, Tensor> grads = new LinkedHashMap<>();
        try {
            for (Parameter p : params) {
                grads.put(p.name(), CentralDifference.gradient(() -> loss(x, t, true), p.value()));
            }
        } finally {
            buffers().forEach((name, buffer) -> buffer.copyFrom(saved.get(name)));
        }
        return grads;
    }

    private Tensor checkedBatch(Tensor x) {
        if (x.dtype() != dtype()) {
            throw new IllegalArgumentException("input " + x.dtype() + Shapes.toString(x.shape())
                    + " does not match the network's dtype " + dtype());
        }
        if (x.rank() < 1) {
            throw new IllegalArgumentException("input must have a batch dimension, got a scalar");
        }
        return x;
    }

    private Tensor checkedInput(Tensor x) {
        Tensor input = x.dtype() == dtype() ? x : x.to(dtype());
        return checkedBatch(input);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('(').append(dtype());
        for (Map.Entry<String, Layer> e : order) {
            sb.append(", ").append(e.getKey()).append('=').append(e.getValue());
        }
        return sb.append(")").toString();
    }
}
