package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
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
        CliTesting.Run r = CliTesting.runInNewJvm(List.of("-Dlayerwise.kernels=simd"), "train", "--data",
                data.toString(), "--iterations", "1", "--quiet");
        assertEquals(Main.FAILURE, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("layerwise train: error: -Dlayerwise.kernels=simd is not a kernel implementation"
                + " (expected portable or vector)"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }
}
