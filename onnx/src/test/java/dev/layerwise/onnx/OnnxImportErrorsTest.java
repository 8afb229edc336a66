package dev.layerwise.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.layerwise.io.FileFormatException;
import dev.layerwise.model.Model;
import dev.layerwise.tensor.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the import cannot read, or cannot map onto a registered network, is one error naming the node and why. */
class OnnxImportErrorsTest {
    @TempDir
    Path dir;

    /** An exported model's proto, edited, written to a file and imported; returns the error's message. */
    private String importEdited(String caseName, Consumer<GraphProto.Builder> edit) throws Exception {
        Model model = OnnxTesting.cases().stream().filter(c -> c.name().equals(caseName)).findFirst().orElseThrow()
                .model(DType.FLOAT32);
        Path file = dir.resolve("m.onnx");
        model.exportOnnx(file);
        ModelProto.Builder m = ModelProto.parseFrom(Files.readAllBytes(file)).toBuilder();
        edit.accept(m.getGraphBuilder());
        Files.write(file, m.build().toByteArray());
        FileFormatException e = assertThrows(FileFormatException.class, () -> Model.importOnnx(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        return e.getMessage().substring(file.toString().length() + 2);
    }

    private static NodeProto.Builder node(GraphProto.Builder g, String name) {
        for (NodeProto.Builder n : g.getNodeBuilderList()) {
            if (n.getName().equals(name)) {
                return n;
            }
        }
        throw new AssertionError("no node " + name);
    }

    @Test
    void anUnsupportedOperatorIsNamedWithItsNodeAndTheSupportedOnesListed() throws Exception {
        String msg = importEdited("mlp-relu", g -> node(g, "Activation_function1").setOpType("LeakyRelu"));
        assertEquals("node 'Activation_function1' has operator LeakyRelu, which Layerwise does not read (it reads "
                + "Gemm, MatMul, Add, Flatten, Reshape, Conv, MaxPool, Relu, Sigmoid, Softmax, BatchNormalization, "
                + "Dropout, Mul, Identity, Constant)", msg);
        msg = importEdited("mlp-relu", g -> node(g, "Activation_function1").setDomain("com.example"));
        assertTrue(msg.startsWith("node 'Activation_function1' has operator com.example.Relu, which Layerwise "
                + "does not read"), msg);
    }

    @Test
    void aBranchingGraphIsRefused() throws Exception {
        String msg = importEdited("mlp-relu", g -> node(g, "Affine2").setInput(0, "Affine1"));
        assertEquals("node 'Affine2' (Gemm) takes ['Affine1'], not just the output 'Activation_function1' of the "
                + "node before it: Layerwise's networks are one chain of layers", msg);
    }

    @Test
    void layersNoNetworkHasAreRefusedSayingWhy() throws Exception {
        String msg = importEdited("simple-convnet", g -> node(g, "Pool1").setAttribute(0, AttributeProto
                .newBuilder().setName("kernel_shape").setType(AttributeProto.AttributeType.INTS).addInts(3)
                .addInts(3)));
        assertEquals("node 'Pool1' (MaxPool): Layerwise's networks pool 2×2 with stride 2, no padding, rounding "
                + "down; got kernel [3, 3], stride 2, pad 0", msg);
        msg = importEdited("mlp-relu", g -> node(g, "Activation_function2").setOpType("Sigmoid"));
        assertTrue(msg.endsWith("is not one of Layerwise's networks: hidden layers with both relu and sigmoid (the "
                + "networks: [two-layer, mlp, mlp-extend, simple-convnet, deep-convnet])"), msg);
        msg = importEdited("mlp-relu", g -> node(g, "Affine1").addAttribute(AttributeProto.newBuilder()
                .setName("alpha").setType(AttributeProto.AttributeType.FLOAT).setF(2f)));
        assertEquals("node 'Affine1' (Gemm) has alpha or beta other than 1; Layerwise reads x·W + b", msg);
    }

    @Test
    void tensorsMustHoldWhatTheyDeclare() throws Exception {
        String msg = importEdited("mlp-relu", g -> {
            TensorProto.Builder w = g.getInitializerBuilder(0);
            w.setDims(0, w.getDims(0) * 1000);
        });
        assertEquals("node 'Affine1' (Gemm): weight 'W1' declares 50176000 elements but holds 200704 bytes, "
                + "200704000 expected", msg);
        msg = importEdited("mlp-relu", g -> g.getInitializerBuilder(0)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL));
        assertTrue(msg.startsWith("node 'Affine1' (Gemm): weight 'W1' keeps its data in an external file"), msg);
    }

    @Test
    void aFileThatIsNotOnnxIsNamed() throws Exception {
        Path file = dir.resolve("text.onnx");
        Files.writeString(file, "this is not a model\n");
        FileFormatException e = assertThrows(FileFormatException.class, () -> Model.importOnnx(file));
        assertTrue(e.getMessage().startsWith(file + ": not an ONNX model"), e.getMessage());
        Path empty = dir.resolve("empty.onnx");
        Files.write(empty, new byte[0]);
        e = assertThrows(FileFormatException.class, () -> Model.importOnnx(empty));
        assertEquals(empty + ": not an ONNX model: it has no graph", e.getMessage());
    }
}
