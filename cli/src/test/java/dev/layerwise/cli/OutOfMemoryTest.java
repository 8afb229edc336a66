package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Running out of heap is one clear line that says how to raise it, not a stack trace (in a JVM of its own). */
class OutOfMemoryTest {

    @Test
    void aNetworkTooLargeForTheHeapIsOneClearError(@TempDir Path tmp) throws Exception {
        Path data = CliTesting.tinyMnist(tmp, 100, 20);
        // 4000×4000 float32 weights take 64 MB, twice the heap.
        CliTesting.Run r = CliTesting.runInNewJvm(List.of("-Xmx32m"), "train", "--data", data.toString(), "--arch",
                "mlp", "--hidden", "4000,4000", "--iterations", "1", "--quiet");
        assertEquals(Main.FAILURE, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("layerwise: out of memory: the Java heap (at most 32 MB) is too small for this run;"
                + " give it more, e.g. JAVA_OPTS=-Xmx4g ./layerwise train --data "), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
    }
}
