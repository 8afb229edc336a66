package dev.layerwise.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Checks the PNG file an option names before a run starts, so that minutes of training do not end on a path that
 * cannot be written: the name ends in {@code .png}, it is not a directory, and its directory exists and is writable.
 */
final class PlotFile {
    private PlotFile() {
    }

    /** What is wrong with {@code file} given as {@code option}, or {@code null} when it can be written. */
    static String problem(String option, Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        if (Files.isDirectory(file)) {
            return option + " " + file + " is a directory; give a file in it, such as " + file.resolve("plot.png");
        }
        if (!name.toLowerCase(Locale.ROOT).endsWith(".png") || name.length() == ".png".length()) {
            return option + " must name a .png file, got '" + file + "'";
        }
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.exists(dir)) {
            return option + " " + file + ": directory " + dir + " does not exist";
        }
        if (!Files.isDirectory(dir)) {
            return option + " " + file + ": " + dir + " is not a directory";
        }
        if (!Files.isWritable(dir)) {
            return option + " " + file + ": directory " + dir + " is not writable";
        }
        return null;
    }
}
