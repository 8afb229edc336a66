package dev.layerwise.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.ServiceLoader;

/**
 * Splits a CSV file into records of cells: the one thing about CSV that core leaves to a parser of its own (quoting,
 * embedded commas and line breaks, a byte-order mark), found through {@link ServiceLoader}. The module
 * {@code layerwise-csv} provides one; {@link DataSets#csv} turns the cells into examples.
 */
public interface CsvReader {
    /** What a reader tells for each record, the header first. */
    @FunctionalInterface
    interface RecordHandler {
        /**
         * One record.
         *
         * @param line  the 1-based line of the file where the record starts
         * @param cells its cells, unquoted
         */
        void record(long line, String[] cells) throws IOException;
    }

    /**
     * Reads {@code file} (UTF-8, a byte-order mark skipped), calling {@code handler} for each record in order; blank
     * lines are skipped.
     *
     * @throws dev.layerwise.io.FileFormatException naming the file and line where the CSV is malformed
     */
    void read(Path file, RecordHandler handler) throws IOException;

    /**
     * The reader on the class path.
     *
     * @throws IllegalStateException saying which module to add, when there is none
     */
    static CsvReader find() {
        Iterator<CsvReader> it = ServiceLoader.load(CsvReader.class).iterator();
        if (!it.hasNext()) {
            throw new IllegalStateException("reading CSV needs a CSV parser: add layerwise-csv (dev.layerwise:"
                    + "layerwise-csv) to the class path");
        }
        return it.next();
    }
}
