package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.model.Model;
import dev.layerwise.net.SimpleConvNet;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.tensor.DType;
import dev.layerwise.util.Rng;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command that writes a file checks it before the work starts: a path that cannot be written is a usage error
 * (exit 2) on one line naming the user's path and its option, and a missing directory is never created.
 */
class OutputPathsTest {
    @TempDir
    static Path tmp;

    static Path model;
    static Path npz;

    @BeforeAll
    static void aModelAndItsParameters() throws IOException {
        model = tmp.resolve("m.lw");
        Model.of(new TwoLayerNet(784, 10, 10, 0.01, DType.FLOAT32, new Rng(1))).save(model);
        npz = tmp.resolve("m.npz");
        CliTesting.Run r = CliTesting.run("export", "--model", model.toString(), "--npz", npz.toString());
        assertEquals(0, r.exit(), r.err());
    }

    private static void assertUsageError(String message, CliTesting.Run r) {
        assertEquals(Main.USAGE, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains(message), r.err());
        assertFalse(r.err().contains(".tmp"), "names the user's path, not a temporary file: " + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertEquals("", r.out());
    }

    @Test
    void exportNamesAMissingDirectoryAndDoesNotCreateIt() {
        Path missing = tmp.resolve("nonexistent");
        Path file = missing.resolve("x.npz");
        assertUsageError("cannot write " + file + ": no such directory " + missing + " (--npz)",
                CliTesting.run("export", "--model", model.toString(), "--npz", file.toString()));
        assertFalse(Files.exists(missing), "the missing directory was created");
        Path onnx = missing.resolve("x.onnx");
        assertUsageError("cannot write " + onnx + ": no such directory " + missing + " (--onnx)",
                CliTesting.run("export", "--model", model.toString(), "--onnx", onnx.toString()));
        assertFalse(Files.exists(missing), "the missing directory was created");
    }

    @Test
    void exportChecksItsFileBeforeReadingTheModel() {
        // The model does not exist either: the output is what is checked first, before any work.
        assertUsageError("cannot write /proc/x.onnx: files cannot be created in /proc (--onnx)",
                CliTesting.run("export", "--model", tmp.resolve("none.lw").toString(), "--onnx", "/proc/x.onnx"));
        assertUsageError("cannot write " + tmp + ": it is a directory (--npz)",
                CliTesting.run("export", "--model", model.toString(), "--npz", tmp.toString()));
    }

    @Test
    void importChecksItsModelFileFirst() throws IOException {
        Path blocker = Files.writeString(tmp.resolve("plain"), "x");
        Path out = blocker.resolve("m.lw");
        assertUsageError("cannot write " + out + ": " + blocker + " is not a directory (--out)",
                CliTesting.run("import", "--arch", "two-layer", "--params",
                        npz.toString(), "--out", out.toString()));
        Path written = tmp.resolve("imported.lw");
        CliTesting.Run r = CliTesting.run("import", "--arch", "two-layer", "--params",
                npz.toString(), "--out", written.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.isRegularFile(written));
    }

    @Test
    void visualizeChecksItsPictureFirst() throws IOException {
        Path conv = tmp.resolve("conv.lw");
        Model.of(new SimpleConvNet()).save(conv);
        Path missing = tmp.resolve("no-pictures");
        Path png = missing.resolve("f.png");
        assertUsageError("cannot write " + png + ": no such directory " + missing + " (--out)",
                CliTesting.run("visualize", "filters", "--model", conv.toString(), "--out", png.toString()));
        assertFalse(Files.exists(missing));
    }
}
