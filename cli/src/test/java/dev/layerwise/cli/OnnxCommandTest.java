package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.data.DataContract;
import dev.layerwise.model.Model;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code layerwise export --onnx} and {@code layerwise import --onnx}: a model travels out and back unchanged. */
class OnnxCommandTest {
    @TempDir
    Path dir;

    private Path model;

    @BeforeEach
    void saveModel() throws Exception {
        model = dir.resolve("m.lw");
        Model.of(new TwoLayerNet(784, 20, 10, 0.1, DType.FLOAT32, new Rng(3))).withContract(DataContract.mnist())
                .save(model);
    }

    @Test
    void exportThenImportGivesTheSameModel() throws Exception {
        Path onnx = dir.resolve("m.onnx");
        CliTesting.Run export = CliTesting.run("export", "--model", model.toString(), "--onnx", onnx.toString(),
                "--opset", "17");
        assertEquals(0, export.exit(), export.err());
        assertTrue(export.out().contains("opset 17"), export.out());
        Path back = dir.resolve("back.lw");
        CliTesting.Run imported = CliTesting.run("import", "--onnx", onnx.toString(), "--out", back.toString());
        assertEquals(0, imported.exit(), imported.err());
        assertTrue(imported.out().startsWith("wrote " + back + ": two-layer"), imported.out());
        Tensor x = Tensor.zeros(DType.FLOAT32, 4, 1, 28, 28);
        Rng rng = new Rng(1);
        for (int i = 0; i < x.size(); i++) {
            x.setDouble(i, rng.nextDouble());
        }
        assertArrayEquals(Model.load(model).predict(x).toDoubleArray(), Model.load(back).predict(x).toDoubleArray());
    }

    @Test
    void badUsageExitsTwo() {
        Path onnx = dir.resolve("m.onnx");
        CliTesting.Run both = CliTesting.run("export", "--model", model.toString(), "--onnx", onnx.toString(),
                "--npz", dir.resolve("m.npz").toString());
        assertEquals(2, both.exit(), both.err());
        CliTesting.Run opset = CliTesting.run("export", "--model", model.toString(), "--onnx", onnx.toString(),
                "--opset", "99");
        assertEquals(2, opset.exit());
        assertTrue(opset.err().contains("--opset must be from 9 to 21, got 99"), opset.err());
        CliTesting.Run npzOpset = CliTesting.run("export", "--model", model.toString(), "--npz",
                dir.resolve("m.npz").toString(), "--opset", "13");
        assertEquals(2, npzOpset.exit());
        assertTrue(npzOpset.err().contains("--opset goes with --onnx"), npzOpset.err());
        CliTesting.Run nothing = CliTesting.run("import", "--out", dir.resolve("x.lw").toString());
        assertEquals(2, nothing.exit());
        assertTrue(nothing.err().contains("give --onnx FILE.onnx, or --arch NAME with --params FILE.npz"),
                nothing.err());
        assertFalse(Files.exists(onnx));
    }

    @Test
    void aFileThatIsNotOnnxExitsOneNamingIt() throws Exception {
        Path bad = dir.resolve("bad.onnx");
        Files.write(bad, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
        CliTesting.Run r = CliTesting.run("import", "--onnx", bad.toString(), "--out", dir.resolve("x.lw").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("layerwise import: error: " + bad + ": not an ONNX model"), r.err());
        assertEquals(1, r.err().strip().split("\n").length, r.err());
    }
}
