package dev.layerwise.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.layerwise.model.Model;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Export then import gives the model back exactly: the same architecture (even what the graph alone cannot tell, such
 * as inverted dropout or the two-layer net's name), contract, parameters and buffers bit for bit, and the same scores;
 * the imported model saves, loads and trains like any other.
 */
class OnnxRoundTripTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.layerwise.onnx.OnnxTesting#casesByDType")
    void exportThenImportIsBitIdentical(OnnxTesting.Case c, DType dtype) throws Exception {
        Model model = c.model(dtype);
        Path file = dir.resolve("m.onnx");
        model.exportOnnx(file);
        Model back = Model.importOnnx(file);

        assertEquals(model.network().architecture(), back.network().architecture());
        assertEquals(dtype, back.network().dtype());
        if (model.contract() != null) {
            assertEquals(model.contract(), back.contract());
        }
        assertBitIdentical(model.network().parameters().values(), back.network().parameters().values());
        assertBitIdentical(model.network().buffers(), back.network().buffers());
        Tensor x = OnnxTesting.input(model, 16, new Rng(5));
        assertArrayEquals(model.predict(x).toDoubleArray(), back.predict(x).toDoubleArray());

        // Exported again, the graph is the same; so is the whole file, when the model had a data contract (one without
        // gets one on import, from the graph's input, and the file then records it).
        Path again = dir.resolve("again.onnx");
        back.exportOnnx(again);
        if (model.contract() != null) {
            assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(again));
        } else {
            assertEquals(ModelProto.parseFrom(Files.readAllBytes(file)).getGraph(),
                    ModelProto.parseFrom(Files.readAllBytes(again)).getGraph());
        }

        // It saves and loads as a model file, and trains on.
        Path lw = dir.resolve("m.lw");
        back.save(lw);
        Model loaded = Model.load(lw);
        assertArrayEquals(model.predict(x).toDoubleArray(), loaded.predict(x).toDoubleArray());
        assertNull(loaded.training());
        int classes = model.predict(x).dim(1);
        int[] t = new int[16];
        for (int i = 0; i < t.length; i++) {
            t[i] = i % classes;
        }
        double loss = loaded.network().gradient(x, Labels.of(t));
        assertTrue(Double.isFinite(loss) && loss > 0, "loss " + loss);
    }

    private static void assertBitIdentical(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String k : expected.keySet()) {
            Tensor e = expected.get(k);
            Tensor a = actual.get(k);
            assertArrayEquals(e.shape(), a.shape(), k);
            assertEquals(e.dtype(), a.dtype(), k);
            double[] ev = e.toDoubleArray();
            double[] av = a.toDoubleArray();
            for (int i = 0; i < ev.length; i++) {
                assertEquals(Double.doubleToRawLongBits(ev[i]), Double.doubleToRawLongBits(av[i]), k + "[" + i + "]");
            }
        }
    }

}
