package dev.layerwise.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import dev.layerwise.io.Json;
import dev.layerwise.model.Model;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every network, exported and run in ONNX Runtime, gives Layerwise's scores: within 1e-4 of the largest score in
 * float32 (1e-10 in float64) at batch 1 and 64, with the same predicted class, and the probabilities likewise.
 * ONNX Runtime's CPU provider has no float64 {@code Conv}: float64 convolutional graphs run with their tensors rounded
 * to float32, at float32's tolerance.
 */
class OnnxRuntimeTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.layerwise.onnx.OnnxTesting#casesByDType")
    void onnxRuntimeGivesLayerwiseScores(OnnxTesting.Case c, DType dtype) throws Exception {
        Model model = c.model(dtype);
        Path file = dir.resolve(c.name() + "-" + dtype.label() + ".onnx");
        model.exportOnnx(file);
        Rng rng = new Rng(7);
        for (int n : new int[] {1, 64}) {
            Tensor x = OnnxTesting.input(model, n, rng);
            Tensor logits = model.predict(x);
            Tensor probabilities = model.probabilities(x);
            boolean convolutional = c.name().contains("convnet");
            double[][][] out = dtype == DType.FLOAT64 && convolutional
                    ? OnnxTesting.runtime(OnnxTesting.asFloat32(file, dir.resolve("as-float32.onnx")), x.to(
                            DType.FLOAT32))
                    : OnnxTesting.runtime(file, x);
            double tolerance = dtype == DType.FLOAT32 || convolutional ? 1e-4 : 1e-10;
            double error = OnnxTesting.relativeError(out[0], logits);
            assertTrue(error <= tolerance, c + " batch " + n + ": logits differ by " + error + " relative");
            assertTrue(OnnxTesting.relativeError(out[1], probabilities) <= tolerance, c + " batch " + n
                    + ": probabilities differ");
            assertArrayEquals(model.classify(x), OnnxTesting.argmax(out[0]), c + " batch " + n + ": classes");
            assertEquals(n, out[0].length);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.layerwise.onnx.OnnxTesting#cases")
    void graphKeepsTheBookSemanticsAndNamesItsParts(OnnxTesting.Case c) throws Exception {
        Model model = c.model(DType.FLOAT32);
        Path file = dir.resolve("m.onnx");
        model.exportOnnx(file);
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(file));
        List<String> ops = m.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
        assertFalse(ops.contains("Dropout"), ops.toString());
        assertEquals("input", m.getGraph().getInput(0).getName());
        assertEquals("N", m.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
        assertEquals(List.of("logits", "probabilities"), m.getGraph().getOutputList().stream()
                .map(v -> v.getName()).toList());
        for (NodeProto n : m.getGraph().getNodeList()) {
            if (n.getOpType().equals("Gemm")) {
                assertTrue(n.getAttributeList().stream().noneMatch(a -> a.getName().equals("transB")), n.getName());
            }
            if (n.getOpType().equals("BatchNormalization")) {
                assertEquals(1e-6f, n.getAttribute(0).getF(), n.getName());
            }
        }
        Map<String, String> meta = new HashMap<>();
        for (StringStringEntryProto e : m.getMetadataPropsList()) {
            meta.put(e.getKey(), e.getValue());
        }
        List<String> names = model.contract() != null ? model.contract().classNames()
                : dev.layerwise.data.DataContract.numbered(model.predict(OnnxTesting.input(model, 1, new Rng(1)))
                        .dim(1));
        assertEquals(names, Json.parse(meta.get("class_names"), "test"));
        assertTrue(meta.containsKey("layerwise.version"), meta.keySet().toString());
        assertEquals(model.network().architecture().name(), ((Map<?, ?>) Json.parse(meta.get(
                "layerwise.architecture"), "test")).get("name"));
        boolean bookDropout = c.name().contains("book-dropout") || c.name().equals("deep-convnet");
        assertEquals(bookDropout, ops.contains("Mul"), ops.toString());
    }

    @ParameterizedTest(name = "opset {0}")
    @ValueSource(ints = {9, 11, 13, 17, 21})
    void everySupportedOpsetRuns(int opset) throws Exception {
        for (OnnxTesting.Case c : OnnxTesting.cases()) {
            if (!c.name().equals("mlp-batchnorm-book-dropout") && !c.name().equals("simple-convnet")) {
                continue;
            }
            Model model = c.model(DType.FLOAT32);
            Path file = dir.resolve(c.name() + opset + ".onnx");
            model.exportOnnx(file, opset);
            Tensor x = OnnxTesting.input(model, 5, new Rng(3));
            double[][][] out = OnnxTesting.runtime(file, x);
            assertTrue(OnnxTesting.relativeError(out[0], model.predict(x)) <= 1e-4, c + " opset " + opset);
        }
    }

    @Test
    void opsetOutOfRangeIsRefused() {
        Model model = OnnxTesting.cases().get(0).model(DType.FLOAT32);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> model.exportOnnx(dir.resolve("m.onnx"), 8));
        assertEquals("opset 8 is not supported (9 to 21; default 13)", e.getMessage());
        assertFalse(Files.exists(dir.resolve("m.onnx")));
    }
}
