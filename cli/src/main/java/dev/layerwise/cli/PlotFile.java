package dev.layerwise.cli;

import dev.layerwise.io.AtomicFiles;
import dev.layerwise.plot.Figure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks the image file an option names before a run starts, so that minutes of training do not end on a path that
 * cannot be written: its extension names a format the option writes, it is not a directory, and a file can be
 * created in its directory (which must exist: it is not created).
 */
final class PlotFile {
    /** What a figure (training curves, an experiment's figure) can be written as. */
    static final Set<Figure.Format> FIGURES = EnumSet.allOf(Figure.Format.class);
    /** What a picture of pixels (filters, digits) is written as. */
    static final Set<Figure.Format> PIXELS = EnumSet.of(Figure.Format.PNG);

    private PlotFile() {
    }

    /** What is wrong with {@code file} given as {@code option}, or {@code null} when it can be written. */
    static String problem(String option, Path file, Set<Figure.Format> formats) {
        Figure.Format format = Figure.Format.of(file);
        String extensions = formats.stream().map(Figure.Format::extension).collect(Collectors.joining(" or "));
        if (Files.isDirectory(file)) {
            return option + " " + file + " is a directory; give a file in it, such as " + file.resolve("plot"
                    + formats.iterator().next().extension());
        }
        if (format == null || !formats.contains(format)) {
            return option + " must name a " + extensions + " file, got '" + file + "'";
        }
        try {
            AtomicFiles.checkWritable(file);
        } catch (IOException e) {
            return e.getMessage() + " (" + option + ")";
        }
        return null;
    }
}
