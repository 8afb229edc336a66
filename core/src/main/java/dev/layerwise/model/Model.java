package dev.layerwise.model;

import dev.layerwise.data.DataContract;
import dev.layerwise.io.FileFormatException;
import dev.layerwise.layer.Functions;
import dev.layerwise.layer.Parameter;
import dev.layerwise.net.Architecture;
import dev.layerwise.net.Architectures;
import dev.layerwise.net.Network;
import dev.layerwise.net.Parameters;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained network that can be saved, loaded and used: its architecture, its parameters and buffers, and optionally
 * the state of the training run that produced it (so that training can resume).
 *
 * <pre>{@code
 * Model.of(net).save(Path.of("mnist.lw"));
 * Model model = Model.load(Path.of("mnist.lw"));
 * int[] digits = model.classify(images);
 * }</pre>
 *
 * <p>The file format is {@link ModelFile}. Loading checks the file completely, including that its arrays are exactly
 * the parameters its architecture needs, before building the network: a bad file is rejected with a
 * {@link FileFormatException} and never yields a half-built model.
 */
public final class Model {
    /** The value of the header's {@code format} field. */
    public static final String FORMAT = "layerwise-model";
    static final String PARAM = "param/";
    static final String BUFFER = "buffer/";
    static final String STATE = "state/";

    private final Network network;
    private final TrainingState training;
    private final DataContract contract;

    private Model(Network network, TrainingState training, DataContract contract) {
        this.network = network;
        this.training = training;
        this.contract = contract;
    }

    /** A model of {@code network} (which must have a registered architecture), without training state. */
    public static Model of(Network network) {
        return new Model(network, null, null);
    }

    /** A model of {@code network} with the state of its training run, for checkpoints. */
    public static Model of(Network network, TrainingState training) {
        return new Model(network, training, null);
    }

    /**
     * This model with the contract of the data it was trained on (input shape, preprocessing, class names), which
     * {@link #save} keeps.
     *
     * @throws IllegalArgumentException if the network does not take the contract's examples or has another number of
     *                                  classes
     */
    public Model withContract(DataContract c) {
        checkContract(network, c);
        return new Model(network, training, c);
    }

    public Network network() {
        return network;
    }

    /**
     * The contract of the data the model was trained on, or null when it is unknown (a network built in Java and
     * never given one). A file without a contract whose network takes MNIST's examples (as every model the CLI
     * wrote before models kept their contract) reads as {@link DataContract#mnist()}; any other, as unknown.
     */
    public DataContract contract() {
        return contract;
    }

    /** The training state saved with the model, or null. */
    public TrainingState training() {
        return training;
    }

    /** The scores for a batch (N, …) → (N, classes), in inference mode. */
    public Tensor predict(Tensor x) {
        return network.predict(x);
    }

    /** Class probabilities (softmax of the scores) for a batch. */
    public Tensor probabilities(Tensor x) {
        return Functions.softmax(predict(x));
    }

    /** The most likely class of each example. */
    public int[] classify(Tensor x) {
        Tensor scores = predict(x);
        int[] out = new int[scores.dim(0)];
        dev.layerwise.tensor.Ops.argmaxRows(scores, out);
        return out;
    }

    /** Saves the model atomically (see {@link ModelFile#write(Path, Map, List)}). */
    public void save(Path file) throws IOException {
        Architecture a = network.architecture();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("format", FORMAT);
        Map<String, Object> arch = new LinkedHashMap<>();
        arch.put("name", a.name());
        arch.put("config", a.config());
        header.put("architecture", arch);
        header.put("dtype", network.dtype().label());
        if (contract != null) {
            header.put("data", contract.toMap());
        }
        List<ModelFile.Entry> entries = new ArrayList<>();
        for (Parameter p : network.parameters()) {
            entries.add(ModelFile.Entry.of(PARAM + p.name(), p.value()));
        }
        for (Map.Entry<String, Tensor> b : network.buffers().entrySet()) {
            entries.add(ModelFile.Entry.of(BUFFER + b.getKey(), b.getValue()));
        }
        if (training != null) {
            header.put("training", training.meta());
            for (ModelFile.Entry e : training.arrays()) {
                entries.add(new ModelFile.Entry(STATE + e.name(), e.dtype(), e.shape(), e.data()));
            }
        }
        ModelFile.write(file, header, entries);
    }

    /** The module that reads and writes ONNX, found through {@link ModelExchange}. */
    static final String ONNX_MODULE = "layerwise-onnx";

    /**
     * Writes the model as ONNX at the exporter's default opset, for ONNX Runtime and other tools: input
     * {@code input} (N, …), outputs {@code logits} and {@code probabilities}, the book's semantics kept (see the
     * module {@code layerwise-onnx}).
     *
     * @throws UnsupportedOperationException when the module {@code layerwise-onnx} is not on the class path
     */
    public void exportOnnx(Path file) throws IOException {
        exportOnnx(file, 0);
    }

    /** {@link #exportOnnx(Path)} at the given opset (0: the exporter's default). */
    public void exportOnnx(Path file, int opset) throws IOException {
        ModelExchange.find("onnx", ONNX_MODULE).write(this, file, opset);
    }

    /**
     * Reads an ONNX model whose graph is one of Layerwise's networks (as Layerwise or another tool wrote it).
     *
     * @throws FileFormatException naming the file and the node that cannot be read or mapped
     * @throws UnsupportedOperationException when the module {@code layerwise-onnx} is not on the class path
     */
    public static Model importOnnx(Path file) throws IOException {
        return ModelExchange.find("onnx", ONNX_MODULE).read(file);
    }

    /**
     * Loads a model saved by {@link #save}.
     *
     * @throws FileFormatException if the file is not a valid model file, naming what is wrong
     * @throws java.nio.file.NoSuchFileException if there is no such file
     */
    public static Model load(Path file) throws IOException {
        ModelFile.Contents c = ModelFile.read(file);
        String src = file.toString();
        Map<String, Object> h = c.header();
        if (!FORMAT.equals(h.get("format"))) {
            throw new FileFormatException(src + ": header field 'format' is " + h.get("format") + ", expected "
                    + FORMAT);
        }
        DType dtype;
        try {
            dtype = DType.parse(String.valueOf(h.get("dtype")));
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(src + ": " + e.getMessage());
        }
        Architecture a = architecture(h.get("architecture"), src);
        List<Parameters.Spec> specs;
        try {
            specs = Architectures.parameterSpecs(a);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new FileFormatException(src + ": bad architecture: " + e.getMessage());
        }
        Map<String, Tensor> params = new LinkedHashMap<>();
        Map<String, Tensor> buffers = new LinkedHashMap<>();
        List<ModelFile.Entry> state = new ArrayList<>();
        for (ModelFile.Entry e : c.entries()) {
            if (e.name().startsWith(PARAM)) {
                params.put(e.name().substring(PARAM.length()), floatTensor(e, dtype, src));
            } else if (e.name().startsWith(BUFFER)) {
                buffers.put(e.name().substring(BUFFER.length()), floatTensor(e, dtype, src));
            } else if (e.name().startsWith(STATE)) {
                state.add(new ModelFile.Entry(e.name().substring(STATE.length()), e.dtype(), e.shape(), e.data()));
            } else {
                throw new FileFormatException(src + ": unexpected array '" + e.name() + "'");
            }
        }
        List<String> expected = new ArrayList<>();
        for (Parameters.Spec s : specs) {
            expected.add(s.name());
            Tensor t = params.get(s.name());
            if (t == null) {
                throw new FileFormatException(src + ": architecture " + a.name() + " needs parameter '" + s.name()
                        + "', which the file lacks");
            }
            if (!t.hasShape(s.shape())) {
                throw new FileFormatException(src + ": parameter '" + s.name() + "' has shape "
                        + Shapes.toString(t.shape()) + ", architecture " + a.name() + " needs "
                        + Shapes.toString(s.shape()));
            }
        }
        if (!expected.equals(new ArrayList<>(params.keySet()))) {
            throw new FileFormatException(src + ": parameters " + params.keySet() + " do not match architecture "
                    + a.name() + " " + expected);
        }
        Network net;
        try {
            net = Architectures.build(a, dtype, new Rng(0));
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(src + ": bad architecture: " + e.getMessage());
        }
        net.parameters().setValues(params);
        Map<String, Tensor> netBuffers = net.buffers();
        if (!netBuffers.keySet().equals(buffers.keySet())) {
            throw new FileFormatException(src + ": buffers " + buffers.keySet() + " do not match architecture "
                    + a.name() + " " + netBuffers.keySet());
        }
        for (Map.Entry<String, Tensor> b : netBuffers.entrySet()) {
            Tensor given = buffers.get(b.getKey());
            if (!given.sameShape(b.getValue())) {
                throw new FileFormatException(src + ": buffer '" + b.getKey() + "' has shape "
                        + Shapes.toString(given.shape()) + ", expected " + Shapes.toString(b.getValue().shape()));
            }
            b.getValue().copyFrom(given);
        }
        TrainingState training = null;
        Object meta = h.get("training");
        if (meta != null) {
            if (!(meta instanceof Map)) {
                throw new FileFormatException(src + ": header field 'training' is not an object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) meta;
            training = new TrainingState(m, state);
        } else if (!state.isEmpty()) {
            throw new FileFormatException(src + ": training arrays without a 'training' header");
        }
        if (!h.containsKey("data")) {
            // Without the field: an MNIST model of the CLI, or a network saved from Java without a contract.
            return new Model(net, training, takes(net, DataContract.mnist()) ? DataContract.mnist() : null);
        }
        DataContract contract = DataContract.fromMap(h.get("data"), src);
        try {
            checkContract(net, contract);
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(src + ": header field 'data' does not fit the network: " + e.getMessage());
        }
        return new Model(net, training, contract);
    }

    /**
     * A model of architecture {@code name} holding the given parameters (book names, e.g. read from the book's
     * {@code numpy.savez(**params)}): the architecture is inferred from their shapes and {@code options}, every
     * parameter must be present with its exact shape, and no other may be given. Buffers (batch normalisation's
     * running statistics) may be given too; those not given keep their initial values.
     *
     * @throws IllegalArgumentException naming what does not fit
     */
    public static Model fromParameters(String name, Map<String, Tensor> tensors, Map<String, Object> options,
                                       DType dtype) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        tensors.forEach((k, v) -> shapes.put(k, v.shape()));
        Architecture a = Architectures.infer(name, shapes, options);
        List<String> paramNames = new ArrayList<>();
        for (Parameters.Spec s : Architectures.parameterSpecs(a)) {
            paramNames.add(s.name());
        }
        Network net = Architectures.build(a, dtype, new Rng(0));
        Map<String, Tensor> params = new LinkedHashMap<>();
        Map<String, Tensor> buffers = net.buffers();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (paramNames.contains(e.getKey())) {
                params.put(e.getKey(), e.getValue());
            } else if (buffers.containsKey(e.getKey())) {
                Tensor b = buffers.get(e.getKey());
                if (!b.sameShape(e.getValue())) {
                    throw new IllegalArgumentException("'" + e.getKey() + "' has shape "
                            + Shapes.toString(e.getValue().shape()) + ", expected " + Shapes.toString(b.shape()));
                }
                b.copyFrom(e.getValue());
            } else {
                throw new IllegalArgumentException("'" + e.getKey() + "' is not a parameter of " + name
                        + " (expected " + paramNames + (buffers.isEmpty() ? "" : " and " + buffers.keySet()) + ")");
            }
        }
        net.parameters().setValues(params);
        return new Model(net, null, null);
    }

    /** Whether {@code net} takes {@code c}'s examples and gives its classes. */
    private static boolean takes(Network net, DataContract c) {
        try {
            checkContract(net, c);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Checks that {@code net} takes examples of {@code c}'s shape and scores {@code c}'s classes, by running one example
     * of zeros through it.
     */
    private static void checkContract(Network net, DataContract c) {
        int[] shape = new int[c.exampleShape().length + 1];
        shape[0] = 1;
        System.arraycopy(c.exampleShape(), 0, shape, 1, shape.length - 1);
        Tensor scores;
        try {
            scores = net.predict(Tensor.zeros(net.dtype(), shape));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the network does not take examples of shape "
                    + Shapes.toString(c.exampleShape()) + ": " + e.getMessage(), e);
        }
        if (scores.dim(1) != c.classes()) {
            throw new IllegalArgumentException("the network scores " + scores.dim(1) + " classes, the data has "
                    + c.classes() + " " + c.classNames());
        }
    }

    private static Architecture architecture(Object o, String src) throws FileFormatException {
        if (!(o instanceof Map)) {
            throw new FileFormatException(src + ": header field 'architecture' is missing or not an object");
        }
        Map<?, ?> m = (Map<?, ?>) o;
        if (!(m.get("name") instanceof String) || !(m.get("config") instanceof Map)) {
            throw new FileFormatException(src + ": header field 'architecture' needs a 'name' and a 'config'");
        }
        Map<String, Object> config = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) m.get("config")).entrySet()) {
            config.put(String.valueOf(e.getKey()), e.getValue());
        }
        try {
            return new Architecture((String) m.get("name"), config);
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(src + ": bad architecture: " + e.getMessage());
        }
    }

    private static Tensor floatTensor(ModelFile.Entry e, DType dtype, String src) throws FileFormatException {
        if (!e.dtype().equals(dtype.label())) {
            throw new FileFormatException(src + ": array '" + e.name() + "' is " + e.dtype() + " in a " + dtype
                    + " model");
        }
        return e.toTensor();
    }

    @Override
    public String toString() {
        return "Model(" + network.architecture().name() + ", " + network.dtype()
                + (training != null ? ", with training state" : "") + ")";
    }
}
