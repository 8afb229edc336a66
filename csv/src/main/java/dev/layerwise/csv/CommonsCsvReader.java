package dev.layerwise.csv;

import dev.layerwise.data.CsvReader;
import dev.layerwise.io.FileFormatException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Core's {@link CsvReader}, with Apache Commons CSV: RFC 4180 (comma-separated, double-quoted cells that may hold
 * commas, quotes and line breaks), UTF-8 with or without a byte-order mark, blank lines skipped.
 */
public final class CommonsCsvReader implements CsvReader {
    private static final char BOM = '\uFEFF';
    /**
     * Blank lines are read as records and skipped here: the parser's own skipping would leave its line count behind
     * the record it returns, and messages name lines.
     */
    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(false).get();

    @Override
    public void read(Path file, RecordHandler handler) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            in.mark(1);
            if (in.read() != BOM) {
                in.reset();
            }
            CSVParser parser = CSVParser.builder().setReader(in).setFormat(FORMAT).get();
            Iterator<CSVRecord> records = parser.iterator();
            while (true) {
                // The parser counts the line breaks it has read: the next record starts on the line after them.
                long line = parser.getCurrentLineNumber() + 1;
                CSVRecord r;
                try {
                    if (!records.hasNext()) {
                        break;
                    }
                    r = records.next();
                } catch (UncheckedIOException e) {
                    throw malformed(file, line, e.getCause());
                } catch (IllegalStateException e) {
                    throw malformed(file, line, e);
                }
                String[] cells = r.values();
                if (cells.length == 1 && cells[0].isBlank()) {
                    continue;
                }
                handler.record(line, cells);
            }
        } catch (CharacterCodingException e) {
            throw new FileFormatException(file + ": not UTF-8 text", e);
        }
    }

    private static FileFormatException malformed(Path file, long line, Throwable cause) {
        if (cause instanceof CharacterCodingException) {
            return new FileFormatException(file + ": not UTF-8 text (near line " + line + ")", cause);
        }
        String why = cause.getMessage() == null ? "malformed CSV" : cause.getMessage();
        return new FileFormatException(file + ": line " + line + ": malformed CSV (" + why + ")", cause);
    }
}
