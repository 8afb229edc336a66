package dev.layerwise.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.layerwise.model.Model;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against an independent implementation of ONNX, Debian's {@code python3-onnx}: its {@code onnx.helper} writes the
 * book's networks in PyTorch's layout ({@code Gemm} with {@code transB=1}, {@code MatMul} + {@code Add}, batch norm
 * with ε 1e-5, {@code Dropout} nodes, {@code Reshape}, {@code Constant}), which Layerwise imports and runs to ONNX
 * Runtime's results on the same files; and its {@code onnx.checker} accepts every file Layerwise exports. Skipped,
 * saying so, where python3 with the onnx package is absent ({@code apt-get install python3-onnx}), except where
 * {@code CI} is set: CI installs it, and a skip there would hide that it did not.
 */
class IndependentWriterTest {
    @TempDir
    Path dir;

    private static String python;

    @BeforeAll
    static void needsPythonOnnx() throws InterruptedException {
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            if (run(List.of(candidate, "-c", "import onnx, numpy"), null).startsWith("ok")) {
                python = candidate;
                return;
            }
        }
        String message = "python3 with the onnx package is not installed (apt-get install python3-onnx)";
        if (System.getenv("CI") != null) {
            throw new AssertionError(message + ": CI installs it, and must run these tests");
        }
        assumeTrue(false, message + ": skipped");
    }

    /** Runs a command; returns "ok\n" + its output, or "failed: " + its output. */
    static String run(List<String> command, Path cwd) throws InterruptedException {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            if (cwd != null) {
                pb.directory(cwd.toFile());
            }
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "failed: timeout";
            }
            return (p.exitValue() == 0 ? "ok\n" : "failed: ") + out;
        } catch (IOException e) {
            return "failed: " + e.getMessage();
        }
    }

    @Test
    void importsPyTorchLayoutGraphsAndComputesWhatOnnxRuntimeDoes() throws Exception {
        Path script = dir.resolve("pytorch_layout.py");
        try (InputStream in = getClass().getResourceAsStream("pytorch_layout.py")) {
            Files.write(script, in.readAllBytes());
        }
        String out = run(List.of(python, script.toString(), dir.toString()), null);
        assertTrue(out.startsWith("ok"), out);
        Map<String, String> files = new LinkedHashMap<>();
        for (String line : out.substring(3).strip().split("\n")) {
            String[] parts = line.split(" ");
            files.put(parts[0], parts[1]);
        }
        assertEquals(List.of("mlp_gemm_transb.onnx", "mlp_matmul_add.onnx", "mlp_batchnorm_dropout.onnx",
                "simple_convnet.onnx", "deep_convnet.onnx"), new ArrayList<>(files.keySet()));
        Map<String, String> expectedArchitecture = Map.of("mlp_gemm_transb.onnx", "mlp", "mlp_matmul_add.onnx",
                "mlp", "mlp_batchnorm_dropout.onnx", "mlp-extend", "simple_convnet.onnx", "simple-convnet",
                "deep_convnet.onnx", "deep-convnet");
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path file = dir.resolve(f.getKey());
            Model model = Model.importOnnx(file);
            assertEquals(expectedArchitecture.get(f.getKey()), model.network().architecture().name(), f.getKey());
            assertEquals(DType.FLOAT32, model.network().dtype());
            for (int n : new int[] {1, 64}) {
                Tensor x = OnnxTesting.input(model, n, new Rng(n));
                boolean probabilities = f.getValue().equals("probabilities");
                Tensor ours = probabilities ? model.probabilities(x) : model.predict(x);
                double[][] theirs = OnnxTesting.runtime(file, x)[0];
                double error = OnnxTesting.relativeError(theirs, ours);
                assertTrue(error <= 1e-4, f.getKey() + " batch " + n + ": differs by " + error + " relative");
                assertArrayEquals(model.classify(x), OnnxTesting.argmax(theirs), f.getKey() + " batch " + n);
            }
            // The imported model saves and loads as a Layerwise model file.
            Path lw = dir.resolve(f.getKey() + ".lw");
            model.save(lw);
            Tensor x = OnnxTesting.input(model, 3, new Rng(9));
            assertArrayEquals(model.predict(x).toDoubleArray(), Model.load(lw).predict(x).toDoubleArray());
        }
    }

    @Test
    void onnxCheckerAcceptsEveryExportedFile() throws Exception {
        List<String> paths = new ArrayList<>();
        for (OnnxTesting.Case c : OnnxTesting.cases()) {
            for (DType d : DType.values()) {
                Path file = dir.resolve(c.name() + "-" + d.label() + ".onnx");
                c.model(d).exportOnnx(file);
                paths.add(file.toString());
            }
        }
        Model opset17 = OnnxTesting.cases().get(4).model(DType.FLOAT32);
        Path file17 = dir.resolve("opset17.onnx");
        opset17.exportOnnx(file17, 17);
        paths.add(file17.toString());
        String script = "import onnx, sys\n"
                + "for p in sys.argv[1:]:\n"
                + "    onnx.checker.check_model(onnx.load(p), full_check=True)\n"
                + "    print('checked', p)\n";
        List<String> command = new ArrayList<>(List.of(python, "-c", script));
        command.addAll(paths);
        String out = run(command, null);
        assertTrue(out.startsWith("ok"), out);
        assertEquals(paths.size(), out.split("\n").length - 1, out);
    }
}
