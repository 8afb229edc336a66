package dev.layerwise.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.layerwise.io.NpyArray;
import dev.layerwise.io.Npz;
import dev.layerwise.layer.Parameter;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.tensor.DType;
import dev.layerwise.util.Rng;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Other languages can read what Layerwise writes: NumPy reads the exported {@code .npz}, and the dozen lines of Python
 * in {@code docs/model-format.md} read a model file. Skipped, with a message, where python3 with NumPy is absent.
 */
class PythonInteropTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void needsNumpy() throws InterruptedException {
        assumeTrue(run("import numpy", null).startsWith("ok"), "python3 with NumPy is not available: skipped");
    }

    /** Runs a Python script; returns "ok\n" + its output, or the error. */
    static String run(String script, Path cwd) throws InterruptedException {
        try {
            ProcessBuilder pb = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true);
            if (cwd != null) {
                pb.directory(cwd.toFile());
            }
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timeout";
            }
            return p.exitValue() == 0 ? "ok\n" + out : "failed: " + out;
        } catch (IOException e) {
            return "failed: " + e.getMessage();
        }
    }

    /** A Python expression summarising arrays: name, dtype, shape and the sum of |x| with 17 digits. */
    private static String describe(String mapping) {
        return "for k in sorted(" + mapping + "): v = " + mapping + "[k]; "
                + "print(k, v.dtype, tuple(v.shape), repr(float(abs(v.astype('f8')).sum())))";
    }

    private static String expected(Map<String, NpyArray> arrays, String prefix) {
        StringBuilder sb = new StringBuilder("ok\n");
        arrays.keySet().stream().sorted().forEach(k -> {
            NpyArray a = arrays.get(k);
            double sum = 0;
            for (double v : a.toDoubleArray()) {
                sum += Math.abs(v);
            }
            int[] s = a.shape();
            String shape = s.length == 1 ? "(" + s[0] + ",)" : java.util.Arrays.toString(s).replace('[', '(')
                    .replace(']', ')');
            sb.append(prefix).append(k).append(' ').append(a.kind().name().toLowerCase(Locale.ROOT)).append(' ')
                    .append(shape).append(' ').append(sum).append('\n');
        });
        return sb.toString();
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void numpyReadsExportedParameters(DType dtype) throws Exception {
        TwoLayerNet net = new TwoLayerNet(784, 50, 10, 0.1, dtype, new Rng(5));
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        for (Parameter p : net.parameters()) {
            arrays.put(p.name(), NpyArray.of(p.value()));
        }
        Npz.write(dir.resolve("p.npz"), arrays);
        String out = run("import numpy as np\nd = np.load('p.npz')\n" + describe("d").replace("; ", "\n    ")
                .replace("for k in sorted(d): ", "for k in sorted(d):\n    "), dir);
        assertEquals(sumsCloseEnough(expected(arrays, "")), sumsCloseEnough(out));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void theDocumentedPythonReaderReadsAModelFile(DType dtype) throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "model-format.md"));
        int start = doc.indexOf("```python\n") + "```python\n".length();
        String reader = doc.substring(start, doc.indexOf("header, arrays = read_layerwise", start));
        TwoLayerNet net = new TwoLayerNet(784, 50, 10, 0.1, dtype, new Rng(6));
        Model.of(net).save(dir.resolve("model.lw"));
        String out = run(reader + "header, arrays = read_layerwise('model.lw')\n"
                + "assert header['architecture']['name'] == 'two-layer'\n"
                + "d = {k[len('param/'):]: v for k, v in arrays.items()}\n"
                + "for k in sorted(d):\n    v = d[k]\n"
                + "    print(k, v.dtype, tuple(v.shape), repr(float(abs(v.astype('f8')).sum())))", dir);
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        for (Parameter p : net.parameters()) {
            arrays.put(p.name(), NpyArray.of(p.value()));
        }
        assertEquals(sumsCloseEnough(expected(arrays, "")), sumsCloseEnough(out));
    }

    /** Sums of |x| agree to 12 digits (the summation order differs); everything else must agree exactly. */
    private static String sumsCloseEnough(String text) {
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n")) {
            String[] parts = line.split(" ");
            if (parts.length >= 2) {
                try {
                    double v = Double.parseDouble(parts[parts.length - 1]);
                    parts[parts.length - 1] = String.format(Locale.ROOT, "%.11e", v);
                } catch (NumberFormatException ignored) {
                    // not a number
                }
            }
            sb.append(String.join(" ", parts)).append('\n');
        }
        return sb.toString();
    }
}
