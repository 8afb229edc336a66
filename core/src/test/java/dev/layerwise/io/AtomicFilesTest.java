package dev.layerwise.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void replacesAReadOnlyFileAndKeepsItsMode() throws IOException {
        Path file = Files.writeString(dir.resolve("ro.lw"), "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
        AtomicFiles.write(file, out -> out.write("new".getBytes(StandardCharsets.UTF_8)));
        assertEquals("new", Files.readString(file));
        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (var left = Files.list(dir)) {
            assertEquals(1, left.count(), "no temporary file left");
        }
    }

    @Test
    void aFileThatCannotBeCreatedIsNamedNotItsTemporaryFile() throws IOException {
        Path blocker = Files.writeString(dir.resolve("plain-file"), "x");
        Path file = blocker.resolve("m.lw"); // a directory that is a file
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(file, out -> out.write(1)));
        assertTrue(e.getMessage().startsWith("cannot write " + file + ": "), e.getMessage());
        assertTrue(!e.getMessage().contains(".tmp"), e.getMessage());
    }

    @Test
    void aMissingDirectoryIsNamedAndNeverCreated() {
        Path missing = dir.resolve("no-such-dir");
        Path file = missing.resolve("deeper").resolve("x.npz");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(file, out -> out.write(1)));
        assertEquals("cannot write " + file + ": no such directory " + missing.resolve("deeper"), e.getMessage());
        assertTrue(!Files.exists(missing), "the missing directory was created");
        IOException check = assertThrows(IOException.class, () -> AtomicFiles.checkWritable(file));
        assertEquals(e.getMessage(), check.getMessage());
    }
}
