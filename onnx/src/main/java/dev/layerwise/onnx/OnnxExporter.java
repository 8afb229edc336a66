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
import dev.layerwise.data.DataContract;
import dev.layerwise.io.Json;
import dev.layerwise.layer.Affine;
import dev.layerwise.layer.BatchNormalization;
import dev.layerwise.layer.Convolution;
import dev.layerwise.layer.Dropout;
import dev.layerwise.layer.Layer;
import dev.layerwise.layer.Pooling;
import dev.layerwise.layer.Relu;
import dev.layerwise.layer.Sigmoid;
import dev.layerwise.model.Model;
import dev.layerwise.net.Architecture;
import dev.layerwise.net.Network;
import dev.layerwise.net.Sequential;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Layerwise model as an ONNX {@link ModelProto}: each layer of the network becomes the ONNX operator that computes
 * what the layer computes at inference, with the book's semantics kept.
 *
 * <ul>
 *   <li>{@link Affine}: {@code Gemm(x, W, b)} with {@code W} as the book has it, (in, out), so without {@code transB};
 *       a {@code Flatten} first when the input has more than two dimensions (the layer flattens per sample).
 *   <li>{@link Convolution}: {@code Conv} ({@code W (FN, C, FH, FW)} is ONNX's layout), symmetric pads.
 *   <li>{@link Pooling}: {@code MaxPool} without padding. ONNX's {@code MaxPool} leaves padded cells out of the
 *       maximum, the book's {@code im2col} counts them as zeros: a padded pooling is refused rather than exported
 *       with other results (no registered network pads its pooling).
 *   <li>{@link BatchNormalization}: {@code BatchNormalization} in inference form with the running statistics and the
 *       layer's own ε (the book's 1e-6, not ONNX's default 1e-5), over the features of a 2-D input.
 *   <li>{@link Dropout}: the book's (non-inverted) dropout multiplies by {@code 1 − ratio} at inference, so it is a
 *       {@code Mul} by that constant; inverted dropout is the identity at inference, so it is left out. No ONNX
 *       {@code Dropout} node is written: ONNX's is the identity at inference, which is the book's only when inverted.
 *   <li>{@link Relu}, {@link Sigmoid}: {@code Relu}, {@code Sigmoid}.
 * </ul>
 *
 * <p>The graph's input {@code input} is {@code (N, …)} with a symbolic batch dimension {@code N} and the example shape
 * of the model's data contract; the outputs are {@code logits} (what {@link Model#predict} returns) and
 * {@code probabilities} ({@code Softmax} of them). The metadata holds the class names ({@code class_names}, a JSON
 * list) and, under {@code layerwise.*}, the version, architecture, dtype and data contract, from which
 * {@link OnnxImporter} rebuilds the model exactly.
 */
final class OnnxExporter {
    /** The opset written when none is asked for. */
    static final int DEFAULT_OPSET = 13;
    /** The lowest opset whose operators have the forms written here (BatchNormalization without {@code spatial}). */
    static final int MIN_OPSET = 9;
    /** The highest opset tested against ONNX Runtime. */
    static final int MAX_OPSET = 21;

    static final String INPUT = "input";
    static final String LOGITS = "logits";
    static final String PROBABILITIES = "probabilities";
    static final String BATCH = "N";

    static final String META_VERSION = "layerwise.version";
    static final String META_ARCHITECTURE = "layerwise.architecture";
    static final String META_DTYPE = "layerwise.dtype";
    static final String META_DATA = "layerwise.data";
    static final String META_CLASS_NAMES = "class_names";

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final DType dtype;
    private String current = INPUT;
    private int[] shape;

    private OnnxExporter(DType dtype, int[] exampleShape) {
        this.dtype = dtype;
        this.shape = exampleShape;
    }

    /**
     * The model as ONNX at {@code opset} (0: {@link #DEFAULT_OPSET}).
     *
     * @throws IllegalArgumentException for an opset out of range or a layer ONNX cannot express with the same
     *                                  results, naming it
     */
    static ModelProto export(Model model, int opset) {
        int op = opset == 0 ? DEFAULT_OPSET : opset;
        if (op < MIN_OPSET || op > MAX_OPSET) {
            throw new IllegalArgumentException("opset " + opset + " is not supported (" + MIN_OPSET + " to "
                    + MAX_OPSET + "; default " + DEFAULT_OPSET + ")");
        }
        Network net = model.network();
        if (!(net instanceof Sequential)) {
            throw new IllegalArgumentException("only networks of layers can be exported, got "
                    + net.getClass().getSimpleName());
        }
        Sequential seq = (Sequential) net;
        Architecture architecture = net.architecture();
        DataContract contract = model.contract();
        int[] example = contract != null ? contract.exampleShape() : exampleShape(architecture, seq);
        OnnxExporter e = new OnnxExporter(net.dtype(), example);
        e.graph.setName(architecture.name());
        e.graph.addInput(e.valueInfo(INPUT, example));
        Map<Tensor, String> buffers = new IdentityHashMap<>();
        net.buffers().forEach((name, t) -> buffers.put(t, name));
        for (Map.Entry<String, Layer> layer : seq.layers().entrySet()) {
            e.layer(layer.getKey(), layer.getValue(), buffers, architecture);
        }
        // The last layer's output is the scores: named logits, with no node added for the name.
        e.graph.getNodeBuilder(e.graph.getNodeCount() - 1).setOutput(0, LOGITS);
        e.node("Softmax", "Probabilities", List.of(LOGITS), PROBABILITIES, Map.of("axis", 1L));
        int classes = e.shape[0];
        e.graph.addOutput(e.valueInfo(LOGITS, e.shape));
        e.graph.addOutput(e.valueInfo(PROBABILITIES, e.shape));

        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(irVersion(op))
                .setProducerName("layerwise")
                .setProducerVersion(Versions.layerwise())
                .setDomain("dev.layerwise")
                .setModelVersion(1)
                .setDocString("Layerwise " + architecture.name() + " (" + net.dtype() + "): input (N, "
                        + join(example) + "), outputs logits and probabilities (N, " + classes + ")")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(op))
                .setGraph(e.graph);
        List<String> names = contract != null ? contract.classNames() : DataContract.numbered(classes);
        Map<String, Object> arch = new LinkedHashMap<>();
        arch.put("name", architecture.name());
        arch.put("config", architecture.config());
        meta(m, META_CLASS_NAMES, Json.write(new ArrayList<Object>(names)));
        meta(m, META_VERSION, Versions.layerwise());
        meta(m, META_ARCHITECTURE, Json.write(arch));
        meta(m, META_DTYPE, net.dtype().label());
        if (contract != null) {
            meta(m, META_DATA, Json.write(contract.toMap()));
        }
        return m.build();
    }

    /** The IR version that goes with an opset (ONNX's versioning table). */
    static long irVersion(int opset) {
        if (opset <= 10) {
            return opset <= 8 ? 3 : opset == 9 ? 4 : 5;
        }
        if (opset == 11) {
            return 6;
        }
        if (opset <= 14) {
            return 7;
        }
        if (opset <= 18) {
            return 8;
        }
        return opset <= 20 ? 9 : 10;
    }

    /** The example shape of a model without a data contract: the first layer's input. */
    private static int[] exampleShape(Architecture a, Sequential seq) {
        Layer first = seq.layers().values().iterator().next();
        if (first instanceof Convolution) {
            return a.intList("input_dim").stream().mapToInt(Integer::intValue).toArray();
        }
        if (first instanceof Affine) {
            return new int[] {first.parameters().get(0).value().dim(0)};
        }
        throw new IllegalArgumentException("cannot tell the input shape of " + a.name() + " from its first layer "
                + first);
    }

    private void layer(String name, Layer layer, Map<Tensor, String> buffers, Architecture a) {
        if (layer instanceof Affine) {
            Tensor W = layer.parameters().get(0).value();
            if (shape.length > 1) {
                node("Flatten", name + "_flatten", List.of(current), name + "_flat", Map.of("axis", 1L));
                shape = new int[] {Shapes.size(shape)};
            }
            String w = initializer(layer.parameters().get(0).name(), W);
            String b = initializer(layer.parameters().get(1).name(), layer.parameters().get(1).value());
            node("Gemm", name, List.of(current, w, b), name, Map.of());
            shape = new int[] {W.dim(1)};
        } else if (layer instanceof Convolution) {
            Convolution conv = (Convolution) layer;
            if (shape.length != 3) {
                int[] dims = a.intList("input_dim").stream().mapToInt(Integer::intValue).toArray();
                String s = int64Initializer(name + "_input_shape", new long[] {-1, dims[0], dims[1], dims[2]});
                node("Reshape", name + "_reshape", List.of(current, s), name + "_images", Map.of());
                shape = dims;
            }
            Tensor W = conv.parameters().get(0).value();
            long p = conv.pad();
            long st = conv.stride();
            Map<String, Object> attrs = new LinkedHashMap<>();
            attrs.put("kernel_shape", new long[] {W.dim(2), W.dim(3)});
            attrs.put("pads", new long[] {p, p, p, p});
            attrs.put("strides", new long[] {st, st});
            String w = initializer(conv.parameters().get(0).name(), W);
            String b = initializer(conv.parameters().get(1).name(), conv.parameters().get(1).value());
            node("Conv", name, List.of(current, w, b), name, attrs);
            shape = conv.outputShape(shape);
        } else if (layer instanceof Pooling) {
            Pooling pool = (Pooling) layer;
            if (pool.pad() != 0) {
                throw new IllegalArgumentException("layer " + name + " " + pool + ": ONNX's MaxPool leaves padded "
                        + "cells out, the book's pooling counts them as zeros; padded pooling is not exported");
            }
            if (shape.length != 3) {
                throw new IllegalArgumentException("layer " + name + " " + pool + " takes images, got per-example "
                        + "shape " + Shapes.toString(shape));
            }
            Map<String, Object> attrs = new LinkedHashMap<>();
            attrs.put("kernel_shape", new long[] {pool.poolH(), pool.poolW()});
            attrs.put("strides", new long[] {pool.stride(), pool.stride()});
            node("MaxPool", name, List.of(current), name, attrs);
            shape = pool.outputShape(shape);
        } else if (layer instanceof BatchNormalization) {
            BatchNormalization bn = (BatchNormalization) layer;
            if (shape.length != 1) {
                throw new IllegalArgumentException("layer " + name + " " + bn + " normalises per-example shape "
                        + Shapes.toString(shape) + " per feature; only batch norm of a 2-D input is exported");
            }
            String g = initializer(bn.parameters().get(0).name(), bn.parameters().get(0).value());
            String b = initializer(bn.parameters().get(1).name(), bn.parameters().get(1).value());
            String mean = initializer(bufferName(buffers, bn.runningMean(), name + "_running_mean"),
                    bn.runningMean());
            String var = initializer(bufferName(buffers, bn.runningVar(), name + "_running_var"), bn.runningVar());
            node("BatchNormalization", name, List.of(current, g, b, mean, var), name,
                    Map.of("epsilon", (float) bn.epsilon()));
        } else if (layer instanceof Dropout) {
            Dropout d = (Dropout) layer;
            if (d.mode() == Dropout.Mode.BOOK) {
                Tensor scale = Tensor.of(dtype, new double[] {1.0 - d.ratio()});
                String s = initializer(name + "_scale", scale);
                node("Mul", name, List.of(current, s), name, Map.of());
            }
        } else if (layer instanceof Relu) {
            node("Relu", name, List.of(current), name, Map.of());
        } else if (layer instanceof Sigmoid) {
            node("Sigmoid", name, List.of(current), name, Map.of());
        } else {
            throw new IllegalArgumentException("layer " + name + " " + layer + " has no ONNX form here");
        }
    }

    private static String bufferName(Map<Tensor, String> buffers, Tensor t, String fallback) {
        String name = buffers.get(t);
        return name != null ? name : fallback;
    }

    /** Adds a node whose output becomes the current value. */
    private void node(String op, String name, List<String> inputs, String output, Map<String, Object> attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output);
        for (Map.Entry<String, Object> a : new java.util.TreeMap<>(attrs).entrySet()) {
            AttributeProto.Builder ab = AttributeProto.newBuilder().setName(a.getKey());
            Object v = a.getValue();
            if (v instanceof Long) {
                ab.setType(AttributeProto.AttributeType.INT).setI((Long) v);
            } else if (v instanceof Float) {
                ab.setType(AttributeProto.AttributeType.FLOAT).setF((Float) v);
            } else {
                ab.setType(AttributeProto.AttributeType.INTS);
                for (long l : (long[]) v) {
                    ab.addInts(l);
                }
            }
            n.addAttribute(ab);
        }
        graph.addNode(n);
        current = output;
    }

    private String initializer(String name, Tensor t) {
        graph.addInitializer(OnnxTensors.toProto(name, t));
        return name;
    }

    private String int64Initializer(String name, long[] values) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name)
                .setDataType(TensorProto.DataType.INT64.getNumber()).addDims(values.length);
        for (long v : values) {
            b.addInt64Data(v);
        }
        graph.addInitializer(b);
        return name;
    }

    private ValueInfoProto valueInfo(String name, int[] example) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH));
        for (int d : example) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(OnnxTensors.elemType(dtype)).setShape(s)))
                .build();
    }

    private static void meta(ModelProto.Builder m, String key, String value) {
        m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(key).setValue(value));
    }

    private static String join(int[] shape) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return sb.toString();
    }
}
