package dev.layerwise.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code layerwise-spark}'s {@code Train}: what it checks before any Spark work. */
class TrainTest {
    @TempDir
    Path tmp;

    @Test
    void anOutputThatCannotBeWrittenStopsTheRunBeforeItStarts() {
        Path missing = tmp.resolve("no-such-dir");
        Path output = missing.resolve("model.lw");
        Train.Options o = new Train.Options("two-layer", List.of(10), tmp.resolve("data").toString(), "pixels",
                "label", 1, 1, 10, "sgd", 0.1, 0, null, output.toString());
        // No session: the check comes before Spark is touched.
        IOException e = assertThrows(IOException.class, () -> Train.run(null, o));
        assertEquals("cannot write " + output + ": no such directory " + missing, e.getMessage());
        assertFalse(Files.exists(missing));
    }
}
