package dev.layerwise.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.layerwise.data.DataContract;
import dev.layerwise.io.FileFormatException;
import dev.layerwise.io.Json;
import dev.layerwise.layer.BatchNormalization;
import dev.layerwise.model.Model;
import dev.layerwise.net.Architecture;
import dev.layerwise.net.Architectures;
import dev.layerwise.net.Network;
import dev.layerwise.net.Parameters;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an ONNX model whose graph is one of Layerwise's registered networks, as Layerwise writes it or as other tools
 * (PyTorch, {@code onnx.helper}) write the same layers.
 *
 * <p>The graph must be one chain from its single input: each node takes the previous node's output and constants
 * (initializers or {@code Constant} nodes). The operators read and what they become:
 * <ul>
 *   <li>{@code Gemm} ({@code transB} 0: {@code W} is (in, out) as the book's; 1: PyTorch's (out, in), transposed
 *       here), and {@code MatMul} followed by {@code Add} of the bias: an affine layer;
 *   <li>{@code Flatten} (axis 1) and a {@code Reshape} to (N, features): the affine layer's own flattening;
 *   <li>{@code Conv} (square filters, equal pads and strides, no dilation or groups): a convolution;
 *       {@code MaxPool} 2×2, stride 2, unpadded: the networks' pooling;
 *   <li>{@code Relu}, {@code Sigmoid}; {@code BatchNormalization} of 2-D inputs (its ε becomes the book's: the
 *       running variance takes the difference, {@code var + ε_file − ε_book}, which leaves every output as it was);
 *   <li>{@code Mul} by a scalar: the book's dropout at inference (scale {@code 1 − ratio}); {@code Dropout} and
 *       {@code Identity}: inverted dropout, or nothing;
 *   <li>a last {@code Softmax}: the probabilities; the model's scores are its input.
 * </ul>
 * The chain is then matched against the registered architectures ({@code mlp}, {@code mlp-extend},
 * {@code simple-convnet}, {@code deep-convnet}); a file Layerwise wrote names its own architecture in its metadata
 * and is rebuilt as exactly that one when the graph is exactly what exporting it gives.
 *
 * <p>Hostile files: the file's size is checked before it is read, and every tensor's declared shape against the data
 * it holds; nothing is allocated from a declared size alone. Any problem is a {@link FileFormatException} naming the
 * file and, for a node, its name and operator.
 */
final class OnnxImporter {
    /** The largest file read: ONNX's protobuf cannot be larger than 2 GiB, and Layerwise's networks are far smaller. */
    static final long MAX_FILE_BYTES = 1L << 30;
    /** The most values one input example may have (the network checks one example when the model is built). */
    static final int MAX_EXAMPLE_SIZE = 1 << 24;
    /** The largest stride, pad or dimension taken from an attribute or the input shape. */
    static final long MAX_GEOMETRY = 1 << 16;
    /** The recursion limit of the protobuf parser (a model's messages nest a few levels deep). */
    private static final int MAX_NESTING = 64;

    /** The operators read, in the order messages list them. */
    static final List<String> SUPPORTED = List.of("Gemm", "MatMul", "Add", "Flatten", "Reshape", "Conv", "MaxPool",
            "Relu", "Sigmoid", "Softmax", "BatchNormalization", "Dropout", "Mul", "Identity", "Constant");

    /** One layer read from the graph. */
    private sealed interface Step {
        /** The name of the node the step was read from. */
        String node();
    }

    private record Dense(String node, Tensor W, Tensor b) implements Step {
    }

    private record Conv(String node, Tensor W, Tensor b, int stride, int pad) implements Step {
    }

    private record Pool(String node) implements Step {
    }

    private record Act(String node, String kind) implements Step {
    }

    private record Norm(String node, Tensor gamma, Tensor beta, Tensor mean, Tensor var) implements Step {
    }

    /** The book's dropout at inference: times {@code scale}. */
    private record Scale(String node, double scale) implements Step {
    }

    /** ONNX's dropout (the identity at inference), of the given ratio. */
    private record Drop(String node, double ratio) implements Step {
    }

    private final ModelProto model;
    private final GraphProto graph;
    private final int opset;
    private final Map<String, TensorProto> constants = new HashMap<>();
    private final List<Step> steps = new ArrayList<>();
    private DType dtype;
    /** The input's shape without the batch dimension; −1 where the file leaves it open. */
    private int[] inputShape;
    /** Dimensions of the current value per example: 3 for images, 1 for features. */
    private int rank;
    private String current;

    private OnnxImporter(ModelProto model) throws OnnxReadException {
        this.model = model;
        if (!model.hasGraph()) {
            throw new OnnxReadException("not an ONNX model: it has no graph");
        }
        this.graph = model.getGraph();
        int op = -1;
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                op = (int) Math.max(-1, Math.min(Integer.MAX_VALUE, o.getVersion()));
            }
        }
        if (op < 1) {
            throw new OnnxReadException("the model imports no version of ONNX's operator set (opset_import)");
        }
        this.opset = op;
    }

    /**
     * Reads the model in {@code file}.
     *
     * @throws FileFormatException naming the file and what is wrong or cannot be expressed
     */
    static Model read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new FileFormatException(file + ": " + size + " bytes; ONNX models read here are at most "
                    + MAX_FILE_BYTES + " bytes");
        }
        byte[] bytes = Files.readAllBytes(file);
        ModelProto m;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setRecursionLimit(MAX_NESTING);
            // Tensors' raw data stay views of the file's bytes rather than copies of them.
            in.enableAliasing(true);
            m = ModelProto.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new FileFormatException(file + ": not an ONNX model: its protobuf does not parse ("
                    + oneLine(e.getMessage()) + ")");
        }
        try {
            return new OnnxImporter(m).toModel();
        } catch (OnnxReadException e) {
            throw new FileFormatException(file + ": " + oneLine(e.getMessage()));
        }
    }

    /** A message on one line: any line break from a quoted value (a tensor's name, metadata) shown as a space. */
    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("[\\r\\n]+", " ");
    }

    private Model toModel() throws OnnxReadException {
        readInput();
        walk();
        Mapped mapped = map();
        DataContract contract = contract(mapped.classes);
        Model inferred = build(mapped, contract);
        Model exact = asWritten(inferred, contract);
        return exact != null ? exact : inferred;
    }

    // ---- the graph ----------------------------------------------------------------------------------------------

    private void readInput() throws OnnxReadException {
        for (TensorProto t : graph.getInitializerList()) {
            constants.put(t.getName(), t);
        }
        List<ValueInfoProto> inputs = new ArrayList<>();
        for (ValueInfoProto v : graph.getInputList()) {
            if (!constants.containsKey(v.getName())) {
                inputs.add(v);
            }
        }
        if (inputs.size() != 1) {
            throw new OnnxReadException("the graph has " + inputs.size() + " inputs " + names(inputs)
                    + "; Layerwise's networks take one");
        }
        ValueInfoProto in = inputs.get(0);
        String where = "input '" + q(in.getName()) + "'";
        if (!in.getType().hasTensorType()) {
            throw new OnnxReadException(where + " is not a tensor");
        }
        TypeProto.Tensor t = in.getType().getTensorType();
        if (t.getElemType() == OnnxTensors.FLOAT) {
            dtype = DType.FLOAT32;
        } else if (t.getElemType() == OnnxTensors.DOUBLE) {
            dtype = DType.FLOAT64;
        } else {
            throw new OnnxReadException(where + " is of " + OnnxTensors.typeName(t.getElemType())
                    + "; Layerwise's networks take float or double");
        }
        if (!t.hasShape() || t.getShape().getDimCount() < 2) {
            throw new OnnxReadException(where + " needs a shape (N, features) or (N, C, H, W)");
        }
        int dims = t.getShape().getDimCount() - 1;
        if (dims != 1 && dims != 3) {
            throw new OnnxReadException(where + " has " + (dims + 1) + " dimensions; Layerwise's networks take "
                    + "(N, features) or (N, C, H, W)");
        }
        inputShape = new int[dims];
        long size = 1;
        for (int i = 0; i < dims; i++) {
            TensorShapeProto.Dimension d = t.getShape().getDim(i + 1);
            if (d.hasDimValue()) {
                if (d.getDimValue() < 1 || d.getDimValue() > MAX_GEOMETRY) {
                    throw new OnnxReadException(where + " has dimension " + d.getDimValue() + " at axis " + (i + 1));
                }
                inputShape[i] = (int) d.getDimValue();
                size *= inputShape[i];
            } else {
                inputShape[i] = -1;
            }
        }
        if (size > MAX_EXAMPLE_SIZE) {
            throw new OnnxReadException(where + " has " + size + " values per example, more than "
                    + MAX_EXAMPLE_SIZE);
        }
        current = in.getName();
        rank = dims;
    }

    private void walk() throws OnnxReadException {
        String logits = null;
        String probabilities = null;
        Set<String> produced = new HashSet<>();
        produced.add(current);
        for (NodeProto node : graph.getNodeList()) {
            String op = node.getOpType();
            String where = "node '" + q(node.getName()) + "' (" + q(op) + ")";
            if (!node.getDomain().isEmpty() && !node.getDomain().equals("ai.onnx")) {
                throw unsupported(node);
            }
            if (op.equals("Constant")) {
                constant(node, where);
                continue;
            }
            List<String> data = new ArrayList<>();
            for (String i : node.getInputList()) {
                if (!i.isEmpty() && !constants.containsKey(i)) {
                    data.add(i);
                }
            }
            if (probabilities != null) {
                throw new OnnxReadException(where + " follows the Softmax; Layerwise reads Softmax only as the last "
                        + "node");
            }
            if (!data.equals(List.of(current))) {
                throw new OnnxReadException(where + " takes " + data.stream().map(d -> "'" + q(d) + "'").toList()
                        + ", not just the output '" + q(current) + "' of the node before it: Layerwise's networks "
                        + "are one chain of layers");
            }
            if (node.getOutputCount() < 1 || node.getOutput(0).isEmpty()) {
                throw new OnnxReadException(where + " has no output");
            }
            switch (op) {
                case "Gemm" -> gemm(node, where);
                case "MatMul" -> matMul(node, where);
                case "Add" -> add(node, where);
                case "Flatten" -> flatten(node, where);
                case "Reshape" -> reshape(node, where);
                case "Conv" -> conv(node, where);
                case "MaxPool" -> maxPool(node, where);
                case "Relu", "Sigmoid" -> steps.add(new Act(node.getName(), op));
                case "Softmax" -> {
                    long axis = intAttr(node, "axis", opset >= 13 ? -1 : 1, where);
                    if (rank != 1 || (axis != 1 && axis != -1)) {
                        throw new OnnxReadException(where + " must be over the scores (N, classes), axis 1");
                    }
                    logits = current;
                    probabilities = node.getOutput(0);
                }
                case "BatchNormalization" -> batchNorm(node, where);
                case "Dropout" -> dropout(node, where);
                case "Mul" -> mul(node, where);
                case "Identity" -> {
                }
                default -> throw unsupported(node);
            }
            for (int i = 1; i < node.getOutputCount(); i++) {
                // A second output (MaxPool's indices, Dropout's mask) may be there, but nothing may use it: the
                // chain check above rejects any node that takes it.
                produced.add(node.getOutput(i));
            }
            current = node.getOutput(0);
            if (!produced.add(current)) {
                throw new OnnxReadException(where + " writes '" + q(current) + "' a second time");
            }
        }
        if (steps.isEmpty()) {
            throw new OnnxReadException("the graph has no layers");
        }
        if (logits == null) {
            logits = current;
        }
        Set<String> allowed = new HashSet<>(Arrays.asList(logits, current));
        for (ValueInfoProto out : graph.getOutputList()) {
            if (!allowed.contains(out.getName())) {
                throw new OnnxReadException("graph output '" + q(out.getName()) + "' is neither the scores '"
                        + q(logits) + "' nor the probabilities of the last node");
            }
        }
        if (graph.getOutputCount() == 0) {
            throw new OnnxReadException("the graph has no output");
        }
    }

    private OnnxReadException unsupported(NodeProto node) {
        String op = node.getDomain().isEmpty() ? node.getOpType() : node.getDomain() + "." + node.getOpType();
        return new OnnxReadException("node '" + q(node.getName()) + "' has operator " + q(op) + ", which Layerwise does "
                + "not read (it reads " + String.join(", ", SUPPORTED) + ")");
    }

    private void constant(NodeProto node, String where) throws OnnxReadException {
        if (node.getOutputCount() != 1 || node.getAttributeCount() != 1) {
            throw new OnnxReadException(where + " must have one output and one value");
        }
        AttributeProto a = node.getAttribute(0);
        TensorProto.Builder t = TensorProto.newBuilder().setName(node.getOutput(0));
        switch (a.getName()) {
            case "value" -> t.mergeFrom(a.getT()).setName(node.getOutput(0));
            case "value_float" -> t.setDataType(OnnxTensors.FLOAT).addFloatData(a.getF());
            case "value_floats" -> t.setDataType(OnnxTensors.FLOAT).addDims(a.getFloatsCount())
                    .addAllFloatData(a.getFloatsList());
            case "value_int" -> t.setDataType(OnnxTensors.INT64).addInt64Data(a.getI());
            case "value_ints" -> t.setDataType(OnnxTensors.INT64).addDims(a.getIntsCount())
                    .addAllInt64Data(a.getIntsList());
            default -> throw new OnnxReadException(where + " has a value of kind '" + q(a.getName())
                    + "'; Layerwise reads value, value_float(s) and value_int(s)");
        }
        constants.put(node.getOutput(0), t.build());
    }

    /** Input {@code i} of a node, which must be a constant; null when absent and {@code optional}. */
    private OnnxTensors.Data constantInput(NodeProto node, int i, String what, boolean optional, String where)
            throws OnnxReadException {
        if (i >= node.getInputCount() || node.getInput(i).isEmpty()) {
            if (optional) {
                return null;
            }
            throw new OnnxReadException(where + " lacks its " + what);
        }
        TensorProto t = constants.get(node.getInput(i));
        if (t == null) {
            throw new OnnxReadException(where + ": its " + what + " '" + q(node.getInput(i))
                    + "' is not a constant");
        }
        return OnnxTensors.read(t, where + ": " + what + " '" + q(node.getInput(i)) + "'");
    }

    /** A constant input holding parameters, as a tensor of the model's dtype. */
    private Tensor parameter(NodeProto node, int i, String what, boolean optional, String where)
            throws OnnxReadException {
        OnnxTensors.Data d = constantInput(node, i, what, optional, where);
        if (d == null) {
            return null;
        }
        if (d.type() != OnnxTensors.elemType(dtype)) {
            throw new OnnxReadException(where + ": " + what + " " + d.describe() + " is not of the input's type, "
                    + OnnxTensors.typeName(OnnxTensors.elemType(dtype)));
        }
        return d.toTensor(dtype);
    }

    private void requireFeatures(String where) throws OnnxReadException {
        if (rank != 1) {
            throw new OnnxReadException(where + " takes images (N, C, H, W); Layerwise's affine layers take "
                    + "(N, features): flatten them first");
        }
    }

    private void gemm(NodeProto node, String where) throws OnnxReadException {
        requireFeatures(where);
        if (intAttr(node, "transA", 0, where) != 0) {
            throw new OnnxReadException(where + " has transA=1; Layerwise reads x·W with x as it is");
        }
        long transB = intAttr(node, "transB", 0, where);
        if (floatAttr(node, "alpha", 1f, where) != 1f || floatAttr(node, "beta", 1f, where) != 1f) {
            throw new OnnxReadException(where + " has alpha or beta other than 1; Layerwise reads x·W + b");
        }
        Tensor B = parameter(node, 1, "weight", false, where);
        if (B.rank() != 2) {
            throw new OnnxReadException(where + ": weight " + Shapes.toString(B.shape()) + " is not a matrix");
        }
        Tensor W = transB == 0 ? B : transpose(B);
        Tensor b = bias(parameter(node, 2, "bias", true, where), W.dim(1), where);
        steps.add(new Dense(node.getName(), W, b));
    }

    private void matMul(NodeProto node, String where) throws OnnxReadException {
        requireFeatures(where);
        if (!node.getInput(0).equals(current)) {
            throw new OnnxReadException(where + " computes W·x; Layerwise reads x·W");
        }
        Tensor W = parameter(node, 1, "weight", false, where);
        if (W.rank() != 2) {
            throw new OnnxReadException(where + ": weight " + Shapes.toString(W.shape()) + " is not a matrix");
        }
        steps.add(new Dense(node.getName(), W, null));
    }

    /** {@code Add} of the bias after a {@code MatMul}. */
    private void add(NodeProto node, String where) throws OnnxReadException {
        Step last = steps.isEmpty() ? null : steps.get(steps.size() - 1);
        if (!(last instanceof Dense) || ((Dense) last).b() != null || node.getInputCount() != 2) {
            throw new OnnxReadException(where + ": Layerwise reads Add only as the bias right after a MatMul");
        }
        Dense d = (Dense) last;
        int other = node.getInput(0).equals(current) ? 1 : 0;
        Tensor b = bias(parameter(node, other, "bias", false, where), d.W().dim(1), where);
        steps.set(steps.size() - 1, new Dense(d.node(), d.W(), b));
    }

    /** A bias of {@code out} values, given as (out), (1, out) or absent (zeros). */
    private Tensor bias(Tensor given, int out, String where) throws OnnxReadException {
        if (given == null) {
            return Tensor.zeros(dtype, out);
        }
        int[] s = given.shape();
        boolean fits = given.size() == out && (s.length == 1 || (s.length == 2 && s[0] == 1));
        if (!fits) {
            throw new OnnxReadException(where + ": bias " + Shapes.toString(s) + " is not (" + out + ",)");
        }
        return given.reshape(out);
    }

    private void flatten(NodeProto node, String where) throws OnnxReadException {
        if (intAttr(node, "axis", 1, where) != 1) {
            throw new OnnxReadException(where + " must flatten per example (axis 1)");
        }
        rank = 1;
    }

    /** A {@code Reshape} to (N, features), as PyTorch writes {@code x.view(x.size(0), -1)}. */
    private void reshape(NodeProto node, String where) throws OnnxReadException {
        OnnxTensors.Data shape = constantInput(node, 1, "shape", false, where);
        if (shape.longs() == null || shape.size() != 2 || shape.longs()[1] == 0
                || (shape.longs()[0] == -1 && shape.longs()[1] == -1)) {
            throw new OnnxReadException(where + ": Layerwise reads Reshape only to (N, features) per example, got "
                    + (shape.longs() == null ? shape.describe() : Arrays.toString(shape.longs())));
        }
        rank = 1;
    }

    private void conv(NodeProto node, String where) throws OnnxReadException {
        if (rank != 3) {
            throw new OnnxReadException(where + " needs images (N, C, H, W)");
        }
        Tensor W = parameter(node, 1, "filters", false, where);
        if (W.rank() != 4 || W.dim(2) != W.dim(3) || W.size() == 0) {
            throw new OnnxReadException(where + ": filters " + Shapes.toString(W.shape()) + " are not square "
                    + "(FN, C, K, K)");
        }
        Tensor b = bias(parameter(node, 2, "bias", true, where), W.dim(0), where);
        if (intAttr(node, "group", 1, where) != 1) {
            throw new OnnxReadException(where + " has groups; Layerwise's convolutions have none");
        }
        requireAll(node, "dilations", 1, where);
        long[] kernel = intsAttr(node, "kernel_shape", where);
        if (kernel != null && (kernel.length != 2 || kernel[0] != W.dim(2) || kernel[1] != W.dim(3))) {
            throw new OnnxReadException(where + ": kernel_shape " + Arrays.toString(kernel) + " does not match "
                    + "the filters " + Shapes.toString(W.shape()));
        }
        int pad = (int) uniform(node, "pads", 4, 0, where);
        int stride = (int) uniform(node, "strides", 2, 1, where);
        checkAutoPad(node, pad, where);
        if (stride < 1) {
            throw new OnnxReadException(where + " has stride " + stride);
        }
        steps.add(new Conv(node.getName(), W, b, stride, pad));
    }

    private void maxPool(NodeProto node, String where) throws OnnxReadException {
        if (rank != 3) {
            throw new OnnxReadException(where + " needs images (N, C, H, W)");
        }
        long[] kernel = intsAttr(node, "kernel_shape", where);
        long stride = uniform(node, "strides", 2, 1, where);
        long pad = uniform(node, "pads", 4, 0, where);
        checkAutoPad(node, (int) pad, where);
        requireAll(node, "dilations", 1, where);
        if (kernel == null || !Arrays.equals(kernel, new long[] {2, 2}) || stride != 2 || pad != 0
                || intAttr(node, "ceil_mode", 0, where) != 0 || intAttr(node, "storage_order", 0, where) != 0) {
            throw new OnnxReadException(where + ": Layerwise's networks pool 2×2 with stride 2, no padding, "
                    + "rounding down; got kernel " + (kernel == null ? "none" : Arrays.toString(kernel))
                    + ", stride " + stride + ", pad " + pad);
        }
        steps.add(new Pool(node.getName()));
    }

    private void batchNorm(NodeProto node, String where) throws OnnxReadException {
        if (rank != 1) {
            throw new OnnxReadException(where + " normalises images per channel; Layerwise's batch norm is of "
                    + "(N, features), per feature");
        }
        if (intAttr(node, "training_mode", 0, where) != 0 || intAttr(node, "spatial", 1, where) != 1) {
            throw new OnnxReadException(where + " is in training mode; Layerwise reads inference graphs");
        }
        Tensor gamma = parameter(node, 1, "scale", false, where);
        Tensor beta = parameter(node, 2, "bias", false, where);
        Tensor mean = parameter(node, 3, "mean", false, where);
        Tensor var = parameter(node, 4, "variance", false, where).copy();
        int d = gamma.size();
        for (Tensor t : List.of(gamma, beta, mean, var)) {
            if (t.rank() != 1 || t.size() != d) {
                throw new OnnxReadException(where + ": scale, bias, mean and variance must be (D,) alike, got "
                        + Shapes.toString(gamma.shape()) + ", " + Shapes.toString(beta.shape()) + ", "
                        + Shapes.toString(mean.shape()) + ", " + Shapes.toString(var.shape()));
            }
        }
        float epsilon = floatAttr(node, "epsilon", 1e-5f, where);
        // ONNX's ε is a float32 attribute: the book's 1e-6 is written, and read back, rounded to float32.
        if (epsilon != (float) BatchNormalization.EPSILON) {
            // (x − μ)/√(σ² + ε) is the same with σ² + ε − ε_book as the variance and the book's ε.
            double shift = (double) epsilon - BatchNormalization.EPSILON;
            for (int i = 0; i < d; i++) {
                double v = var.getDouble(i) + shift;
                if (!(v >= 0)) {
                    throw new OnnxReadException(where + ": with its ε " + epsilon + " below the book's "
                            + BatchNormalization.EPSILON + ", variance " + i + " (" + var.getDouble(i)
                            + ") cannot be expressed");
                }
                var.setDouble(i, v);
            }
        }
        steps.add(new Norm(node.getName(), gamma, beta, mean, var));
    }

    private void dropout(NodeProto node, String where) throws OnnxReadException {
        double ratio = floatAttr(node, "ratio", 0.5f, where);
        OnnxTensors.Data r = constantInput(node, 1, "ratio", true, where);
        if (r != null) {
            if (!r.isFloat() || r.size() != 1) {
                throw new OnnxReadException(where + ": ratio " + r.describe() + " is not a number");
            }
            ratio = r.values()[0];
        }
        OnnxTensors.Data training = constantInput(node, 2, "training_mode", true, where);
        if (training != null && (training.size() != 1 || (training.isFloat() ? training.values()[0]
                : training.longs() != null ? training.longs()[0] : 1) != 0)) {
            throw new OnnxReadException(where + " is in training mode; Layerwise reads inference graphs");
        }
        if (!(ratio >= 0 && ratio < 1)) {
            throw new OnnxReadException(where + " has ratio " + ratio + ", outside [0, 1)");
        }
        steps.add(new Drop(node.getName(), ratio));
    }

    /** {@code Mul} by a scalar: the book's dropout at inference. */
    private void mul(NodeProto node, String where) throws OnnxReadException {
        int other = node.getInputCount() == 2 && node.getInput(0).equals(current) ? 1 : 0;
        Tensor s = node.getInputCount() == 2 ? parameter(node, other, "factor", false, where) : null;
        if (s == null || s.size() != 1) {
            throw new OnnxReadException(where + ": Layerwise reads Mul only by one number (the book's dropout at "
                    + "inference)");
        }
        double scale = s.getDouble(0);
        if (!(scale > 0 && scale <= 1)) {
            throw new OnnxReadException(where + " multiplies by " + scale + "; the book's dropout keeps 1 − ratio, "
                    + "in (0, 1]");
        }
        steps.add(new Scale(node.getName(), scale));
    }

    private static void checkAutoPad(NodeProto node, int pad, String where) throws OnnxReadException {
        String autoPad = stringAttr(node, "auto_pad", "NOTSET", where);
        if (!autoPad.equals("NOTSET") && !(autoPad.equals("VALID") && pad == 0)) {
            throw new OnnxReadException(where + " has auto_pad " + q(autoPad) + "; Layerwise reads explicit pads");
        }
    }

    // ---- attributes ---------------------------------------------------------------------------------------------

    private static AttributeProto attr(NodeProto node, String name) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    private static long intAttr(NodeProto node, String name, long fallback, String where) throws OnnxReadException {
        AttributeProto a = attr(node, name);
        if (a == null) {
            return fallback;
        }
        if (a.getType() != AttributeProto.AttributeType.INT) {
            throw new OnnxReadException(where + ": attribute '" + name + "' is not an integer");
        }
        return a.getI();
    }

    private static float floatAttr(NodeProto node, String name, float fallback, String where)
            throws OnnxReadException {
        AttributeProto a = attr(node, name);
        if (a == null) {
            return fallback;
        }
        if (a.getType() != AttributeProto.AttributeType.FLOAT) {
            throw new OnnxReadException(where + ": attribute '" + name + "' is not a number");
        }
        return a.getF();
    }

    private static String stringAttr(NodeProto node, String name, String fallback, String where)
            throws OnnxReadException {
        AttributeProto a = attr(node, name);
        if (a == null) {
            return fallback;
        }
        if (a.getType() != AttributeProto.AttributeType.STRING) {
            throw new OnnxReadException(where + ": attribute '" + name + "' is not a string");
        }
        return a.getS().toStringUtf8();
    }

    private static long[] intsAttr(NodeProto node, String name, String where) throws OnnxReadException {
        AttributeProto a = attr(node, name);
        if (a == null) {
            return null;
        }
        if (a.getType() != AttributeProto.AttributeType.INTS) {
            throw new OnnxReadException(where + ": attribute '" + name + "' is not a list of integers");
        }
        return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    /** An attribute of {@code count} equal values (pads, strides), or {@code fallback} when absent. */
    private static long uniform(NodeProto node, String name, int count, long fallback, String where)
            throws OnnxReadException {
        long[] v = intsAttr(node, name, where);
        if (v == null) {
            return fallback;
        }
        if (v.length != count || Arrays.stream(v).distinct().count() != 1 || v[0] < 0 || v[0] > MAX_GEOMETRY) {
            throw new OnnxReadException(where + ": " + name + " " + Arrays.toString(v) + " must be " + count
                    + " equal values from 0 to " + MAX_GEOMETRY + " (Layerwise's layers are symmetric)");
        }
        return v[0];
    }

    private static void requireAll(NodeProto node, String name, long value, String where) throws OnnxReadException {
        long[] v = intsAttr(node, name, where);
        if (v != null && Arrays.stream(v).anyMatch(x -> x != value)) {
            throw new OnnxReadException(where + ": " + name + " " + Arrays.toString(v) + " must all be " + value);
        }
    }

    // ---- onto an architecture -----------------------------------------------------------------------------------

    /** The architecture a chain maps onto: its name, its parameters and buffers by book name, and its options. */
    private record Mapped(String name, Map<String, Tensor> tensors, Map<String, Object> options, int classes) {
    }

    private Mapped map() throws OnnxReadException {
        boolean convolutional = steps.stream().anyMatch(s -> s instanceof Conv);
        return convolutional ? mapConvNet() : mapMultiLayer();
    }

    private OnnxReadException noArchitecture(String why) {
        StringBuilder chain = new StringBuilder();
        for (Step s : steps) {
            chain.append(chain.length() > 0 ? " → " : "").append(s.getClass().getSimpleName());
        }
        return new OnnxReadException("the graph (" + chain + ") is not one of Layerwise's networks: " + why
                + " (the networks: " + Architectures.names() + ")");
    }

    /** {@code (Dense [Norm] Act [Scale | Drop])+ Dense}: {@code mlp}, or {@code mlp-extend} with batch norm or dropout. */
    private Mapped mapMultiLayer() throws OnnxReadException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        String activation = null;
        Boolean norm = null;
        Step dropout = null;
        Boolean hasDropout = null;
        int i = 0;
        int idx = 1;
        while (true) {
            if (i >= steps.size() || !(steps.get(i) instanceof Dense)) {
                throw noArchitecture("expected an affine layer at " + (i < steps.size() ? name(steps.get(i))
                        : "the end"));
            }
            Dense d = (Dense) steps.get(i++);
            tensors.put("W" + idx, d.W());
            tensors.put("b" + idx, d.b());
            if (i == steps.size()) {
                break;
            }
            boolean n = steps.get(i) instanceof Norm;
            if (norm != null && norm != n) {
                throw noArchitecture("batch norm on some hidden layers only");
            }
            norm = n;
            if (n) {
                Norm bn = (Norm) steps.get(i++);
                tensors.put("gamma" + idx, bn.gamma());
                tensors.put("beta" + idx, bn.beta());
                tensors.put("running_mean" + idx, bn.mean());
                tensors.put("running_var" + idx, bn.var());
            }
            if (i >= steps.size() || !(steps.get(i) instanceof Act)) {
                throw noArchitecture("expected an activation at " + (i < steps.size() ? name(steps.get(i))
                        : "the end"));
            }
            Act a = (Act) steps.get(i++);
            String kind = a.kind().equals("Relu") ? "relu" : "sigmoid";
            if (activation != null && !activation.equals(kind)) {
                throw noArchitecture("hidden layers with both relu and sigmoid");
            }
            activation = kind;
            Step drop = i < steps.size() && (steps.get(i) instanceof Scale || steps.get(i) instanceof Drop)
                    ? steps.get(i++) : null;
            if (hasDropout != null && hasDropout != (drop != null)) {
                throw noArchitecture("dropout after some hidden layers only");
            }
            hasDropout = drop != null;
            if (drop != null) {
                if (dropout != null && !drop.equals(withNode(dropout, drop))) {
                    throw noArchitecture("dropout layers of different kinds or ratios");
                }
                dropout = drop;
            }
            idx++;
        }
        if (idx < 2) {
            throw noArchitecture("a single affine layer; the networks have at least one hidden layer");
        }
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("activation", activation);
        String name = "mlp";
        if (Boolean.TRUE.equals(norm) || dropout != null) {
            name = "mlp-extend";
            if (dropout instanceof Scale) {
                options.put("dropout_ratio", 1.0 - ((Scale) dropout).scale());
                options.put("dropout_mode", "book");
            } else if (dropout instanceof Drop) {
                options.put("dropout_ratio", ((Drop) dropout).ratio());
                options.put("dropout_mode", "inverted");
            }
        }
        return new Mapped(name, tensors, options, ((Dense) steps.get(steps.size() - 1)).W().dim(1));
    }

    /** The same step with another node's name, to compare two dropout layers by kind and ratio alone. */
    private static Step withNode(Step s, Step like) {
        String node = like.node();
        return s instanceof Scale ? new Scale(node, ((Scale) s).scale()) : new Drop(node, ((Drop) s).ratio());
    }

    private static String name(Step s) {
        return "node '" + q(s.node()) + "'";
    }

    /**
     * A name from the file as messages quote it: control characters escaped and long names cut, so that an error
     * stays one readable line whatever the file holds.
     */
    static String q(String name) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < name.length() && sb.length() < 80; i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.length() < 80 ? sb.toString() : sb + "…";
    }

    private boolean is(int i, Class<? extends Step> kind) {
        return i < steps.size() && kind.isInstance(steps.get(i));
    }

    private boolean isRelu(int i) {
        return is(i, Act.class) && ((Act) steps.get(i)).kind().equals("Relu");
    }

    /** {@code simple-convnet} or {@code deep-convnet}, by their exact layer sequences. */
    private Mapped mapConvNet() throws OnnxReadException {
        if (inputShape.length != 3 || Arrays.stream(inputShape).anyMatch(d -> d < 1)) {
            throw new OnnxReadException("the input's shape " + Arrays.toString(inputShape) + " per example is not "
                    + "fixed (C, H, W); a convolutional network needs its image size");
        }
        String inputDim = inputShape[0] + "x" + inputShape[1] + "x" + inputShape[2];
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("input_dim", inputDim);
        if (steps.size() == 6 && is(0, Conv.class) && isRelu(1) && is(2, Pool.class) && is(3, Dense.class)
                && isRelu(4) && is(5, Dense.class)) {
            Conv c = (Conv) steps.get(0);
            Dense d1 = (Dense) steps.get(3);
            Dense d2 = (Dense) steps.get(5);
            tensors.put("W1", c.W());
            tensors.put("b1", c.b());
            tensors.put("W2", d1.W());
            tensors.put("b2", d1.b());
            tensors.put("W3", d2.W());
            tensors.put("b3", d2.b());
            options.put("pad", c.pad());
            options.put("stride", c.stride());
            return new Mapped("simple-convnet", tensors, options, d2.W().dim(1));
        }
        int i = 0;
        List<Integer> pads = new ArrayList<>();
        List<Integer> strides = new ArrayList<>();
        for (int block = 0; block < 3; block++) {
            for (int k = 0; k < 2; k++) {
                if (!is(i, Conv.class) || !isRelu(i + 1)) {
                    throw noArchitecture("the convolutional networks are Conv → Relu → MaxPool → Gemm → Relu → Gemm "
                            + "(simple-convnet) or three blocks of (Conv → Relu) twice → MaxPool, then Gemm → Relu "
                            + "→ Gemm (deep-convnet)");
                }
                Conv c = (Conv) steps.get(i);
                int n = block * 2 + k + 1;
                tensors.put("W" + n, c.W());
                tensors.put("b" + n, c.b());
                pads.add(c.pad());
                strides.add(c.stride());
                i += 2;
            }
            if (!is(i++, Pool.class)) {
                throw noArchitecture("deep-convnet pools after every second convolution");
            }
        }
        if (!is(i, Dense.class) || !isRelu(i + 1)) {
            throw noArchitecture("deep-convnet ends Gemm → Relu → [dropout] → Gemm → [dropout]");
        }
        Dense d1 = (Dense) steps.get(i);
        i += 2;
        boolean scaled1 = dropoutScale(i);
        if (is(i, Scale.class) || is(i, Drop.class)) {
            i++;
        }
        if (!is(i, Dense.class)) {
            throw noArchitecture("deep-convnet ends Gemm → Relu → [dropout] → Gemm → [dropout]");
        }
        Dense d2 = (Dense) steps.get(i++);
        boolean scaled2 = dropoutScale(i);
        if (is(i, Scale.class) || is(i, Drop.class)) {
            i++;
        }
        if (i != steps.size()) {
            throw noArchitecture("layers after deep-convnet's last dropout");
        }
        // Deep-convnet's two dropout layers are the book's, times 0.5 at inference. A graph without them (trained
        // with inverted dropout) is the same network with W8 and b8 doubled for each missing factor: multiplying by
        // a power of two is exact, so the scores are exactly the graph's.
        Tensor W8 = d2.W().copy();
        Tensor b8 = d2.b().copy();
        double wFactor = (scaled1 ? 1 : 2) * (scaled2 ? 1 : 2);
        double bFactor = scaled2 ? 1 : 2;
        scale(W8, wFactor);
        scale(b8, bFactor);
        tensors.put("W7", d1.W());
        tensors.put("b7", d1.b());
        tensors.put("W8", W8);
        tensors.put("b8", b8);
        options.put("pad", join(pads));
        options.put("stride", join(strides));
        return new Mapped("deep-convnet", tensors, options, W8.dim(1));
    }

    /** Whether step {@code i} is the book's dropout of ratio 0.5; false for no dropout or ONNX's (identity). */
    private boolean dropoutScale(int i) throws OnnxReadException {
        if (is(i, Scale.class)) {
            Scale s = (Scale) steps.get(i);
            if (s.scale() != 0.5) {
                throw noArchitecture("deep-convnet's dropout keeps 0.5, " + name(s) + " multiplies by "
                        + s.scale());
            }
            return true;
        }
        return false;
    }

    private static void scale(Tensor t, double factor) {
        for (int i = 0; i < t.size(); i++) {
            t.setDouble(i, t.getDouble(i) * factor);
        }
    }

    private static String join(List<Integer> values) {
        StringBuilder sb = new StringBuilder();
        for (int v : values) {
            sb.append(sb.length() > 0 ? "," : "").append(v);
        }
        return sb.toString();
    }

    // ---- the model ----------------------------------------------------------------------------------------------

    /**
     * The data contract: the file's own when Layerwise wrote it; else the input's shape with the class names of
     * the metadata entry {@code class_names} (a JSON list), or "0", "1", …
     */
    private DataContract contract(int classes) throws OnnxReadException {
        String data = metadata(OnnxExporter.META_DATA);
        if (data != null) {
            try {
                return DataContract.fromMap(Json.parse(data, "metadata"), "metadata");
            } catch (IOException e) {
                throw new OnnxReadException("metadata '" + OnnxExporter.META_DATA + "': " + e.getMessage());
            }
        }
        List<String> names = DataContract.numbered(classes);
        String given = metadata(OnnxExporter.META_CLASS_NAMES);
        if (given != null) {
            Object parsed;
            try {
                parsed = Json.parse(given, "metadata");
            } catch (IOException e) {
                throw new OnnxReadException("metadata '" + OnnxExporter.META_CLASS_NAMES + "' is not a JSON list: "
                        + e.getMessage());
            }
            if (!(parsed instanceof List<?> l) || l.size() != classes || !l.stream().allMatch(o -> o instanceof String)
                    || new HashSet<>(l).size() != classes) {
                throw new OnnxReadException("metadata '" + OnnxExporter.META_CLASS_NAMES + "' must list " + classes
                        + " different names, got " + q(given));
            }
            names = l.stream().map(String.class::cast).toList();
        }
        try {
            if (inputShape.length == 3 && Arrays.stream(inputShape).allMatch(d -> d > 0)
                    && (inputShape[0] == 1 || inputShape[0] == 3)) {
                boolean mnist = Arrays.equals(inputShape, new int[] {1, 28, 28});
                return DataContract.images(inputShape, names, mnist ? DataContract.ImageFit.MNIST_DIGIT
                        : DataContract.ImageFit.RESIZE);
            }
            int features = Arrays.stream(inputShape).allMatch(d -> d > 0) ? Shapes.size(inputShape)
                    : firstWeightRows();
            return new DataContract(DataContract.Kind.FEATURES, new int[] {features}, names,
                    new DataContract.Normalization.Scale(1), null, List.of());
        } catch (IllegalArgumentException e) {
            throw new OnnxReadException("the input " + Arrays.toString(inputShape) + " and " + classes
                    + " classes make no data contract: " + e.getMessage());
        }
    }

    private int firstWeightRows() {
        return ((Dense) steps.get(0)).W().dim(0);
    }

    private String metadata(String key) {
        for (StringStringEntryProto e : model.getMetadataPropsList()) {
            if (e.getKey().equals(key)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** The model of the mapped architecture, its parameter shapes checked before anything is allocated. */
    private Model build(Mapped m, DataContract contract) throws OnnxReadException {
        try {
            Map<String, int[]> shapes = new LinkedHashMap<>();
            Map<String, Tensor> params = new LinkedHashMap<>();
            m.tensors().forEach((k, v) -> {
                if (!k.startsWith("running_")) {
                    shapes.put(k, v.shape());
                    params.put(k, v);
                }
            });
            Architecture a = Architectures.infer(m.name(), shapes, m.options());
            checkShapes(a, params);
            return Model.fromParameters(m.name(), m.tensors(), m.options(), dtype).withContract(contract);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new OnnxReadException("the graph reads as " + m.name() + " but does not fit it: "
                    + e.getMessage());
        }
    }

    /** Checks the parameters against the architecture's, computed without allocating any. */
    private static void checkShapes(Architecture a, Map<String, Tensor> params) {
        List<Parameters.Spec> specs = Architectures.parameterSpecs(a);
        if (specs.size() != params.size()) {
            throw new IllegalArgumentException(a.name() + " has " + specs.size() + " parameters, the graph "
                    + params.size());
        }
        for (Parameters.Spec s : specs) {
            Tensor t = params.get(s.name());
            if (t == null || !t.hasShape(s.shape())) {
                throw new IllegalArgumentException(s.name() + " is " + (t == null ? "missing" : Shapes.toString(
                        t.shape())) + ", " + a.name() + " " + a.config() + " needs " + Shapes.toString(s.shape()));
            }
        }
    }

    /**
     * The model as Layerwise wrote it: the architecture its metadata names (which tells what the graph cannot, such
     * as the two-layer net's name or inverted dropout), when exporting that architecture with these parameters gives
     * exactly this graph; else null.
     */
    private Model asWritten(Model inferred, DataContract contract) {
        String arch = metadata(OnnxExporter.META_ARCHITECTURE);
        if (arch == null || opset < OnnxExporter.MIN_OPSET || opset > OnnxExporter.MAX_OPSET) {
            return null;
        }
        try {
            Object parsed = Json.parse(arch, "metadata");
            if (!(parsed instanceof Map<?, ?> map) || !(map.get("name") instanceof String name)
                    || !(map.get("config") instanceof Map<?, ?> config)) {
                return null;
            }
            Map<String, Object> c = new LinkedHashMap<>();
            config.forEach((k, v) -> c.put(String.valueOf(k), v));
            Architecture a = new Architecture(name, c);
            Map<String, Tensor> params = inferred.network().parameters().values();
            checkShapes(a, params);
            Network net = Architectures.build(a, dtype, new Rng(0));
            net.parameters().setValues(params);
            Map<String, Tensor> buffers = inferred.network().buffers();
            if (!net.buffers().keySet().equals(buffers.keySet())) {
                return null;
            }
            net.buffers().forEach((k, t) -> t.copyFrom(buffers.get(k)));
            Model candidate = Model.of(net).withContract(contract);
            GraphProto again = OnnxExporter.export(candidate, opset).getGraph();
            return again.equals(graph) ? candidate : null;
        } catch (IOException | RuntimeException e) {
            // Metadata that does not describe this graph is ignored: the graph is what the file computes.
            return null;
        }
    }

    private static Tensor transpose(Tensor B) {
        int r = B.dim(0);
        int c = B.dim(1);
        Tensor T = Tensor.zeros(B.dtype(), c, r);
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                T.setDouble(j * r + i, B.getDouble(i * c + j));
            }
        }
        return T;
    }

    private static String names(List<ValueInfoProto> values) {
        List<String> names = new ArrayList<>();
        for (ValueInfoProto v : values) {
            names.add("'" + q(v.getName()) + "'");
        }
        return names.toString();
    }
}
