package dev.layerwise.cli;

import dev.layerwise.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks what a command will write before it reads or computes anything, so that a path that cannot be written is a
 * usage error at once, not the loss of the work: each error names the user's path and the option that gave it.
 *
 * <p>Directories are never created above what the user named: a file's directory must exist, and an output
 * directory ({@code --out DIR}) is created itself but its parent must exist, since a missing parent is most often a
 * mistyped path.
 */
final class OutputPaths {
    private OutputPaths() {
    }

    /** Checks that {@code file}, given as {@code option}, can be written, by creating and removing a file beside it. */
    static void file(CommandSpec spec, String option, Path file) {
        try {
            AtomicFiles.checkWritable(file);
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage() + " (" + option + ")");
        }
    }

    /**
     * Checks that files can be written into {@code dir}, given as {@code option}: an existing directory, or one that
     * {@link #create} can make because its parent exists.
     */
    static void directory(CommandSpec spec, String option, Path dir) {
        Path absolute = dir.toAbsolutePath();
        Path parent = absolute.getParent();
        String problem;
        if (Files.isDirectory(absolute)) {
            problem = writableIn(absolute) ? null : "cannot write into " + dir + ": permission denied";
        } else if (Files.exists(absolute)) {
            problem = "cannot write into " + dir + ": it is a file, not a directory";
        } else if (parent == null || !Files.isDirectory(parent)) {
            problem = "cannot create " + dir + ": no such directory " + parent;
        } else {
            problem = writableIn(parent) ? null : "cannot create " + dir + ": permission denied in " + parent;
        }
        if (problem != null) {
            throw new ParameterException(spec.commandLine(), problem + " (" + option + ")");
        }
    }

    /** {@code dir}, created when missing (its parent is not: {@link #directory} has checked that it exists). */
    static Path create(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectory(dir);
        }
        return dir;
    }

    /** Whether a file can be created in {@code dir}: tried, since permissions alone do not tell (root, /proc). */
    private static boolean writableIn(Path dir) {
        try {
            Files.delete(Files.createTempFile(dir, ".layerwise", ".tmp"));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
