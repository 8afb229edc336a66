package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bad {@code -Dlayerwise.kernels} is one clear error line from {@code train}, not a stack trace: the kernels are
 * chosen once per JVM, and {@code train} starts them on a thread of their own, so this runs in a JVM of its own.
 */
class KernelChoiceTest {

    @Test
    void anUnknownKernelImplementationIsOneClearError(@TempDir Path tmp) throws Exception {
        Path data = CliTesting.tinyMnist(tmp, 100, 20);
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(List.of(java, "--add-modules", "jdk.incubator.vector",
                "-Dlayerwise.kernels=simd", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "train", "--data", data.toString(), "--iterations", "1", "--quiet")).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the run ends");
        assertEquals(Main.FAILURE, p.exitValue(), out + err);
        assertTrue(err.contains("layerwise train: error: -Dlayerwise.kernels=simd is not a kernel implementation"
                + " (expected portable or vector)"), err);
        assertFalse(err.contains("Exception"), err);
    }
}
