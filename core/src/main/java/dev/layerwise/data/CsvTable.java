package dev.layerwise.data;

import dev.layerwise.io.FileFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A CSV table read for examples: a header row, numeric feature columns and (optionally) a label column; every cell
 * checked as it is read, so that a bad one is reported with its file, line and column.
 */
final class CsvTable {
    final Path file;
    final List<String> featureNames;
    final List<double[]> rows = new ArrayList<>();
    /** The label cell of each row, as written (stripped), or null without a label column. */
    final List<String> labels;
    final List<Long> lines = new ArrayList<>();
    final String labelColumn;

    private CsvTable(Path file, List<String> featureNames, String labelColumn) {
        this.file = file;
        this.featureNames = featureNames;
        this.labelColumn = labelColumn;
        this.labels = labelColumn == null ? null : new ArrayList<>();
    }

    int size() {
        return rows.size();
    }

    /**
     * Reads {@code file}.
     *
     * @param label    the label column: required when {@code labelRequired}, else read if present
     * @param features the feature columns to read, by name, in this order; null for every column but the label
     */
    static CsvTable read(Path file, String label, boolean labelRequired, List<String> features) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such CSV file: " + file);
        }
        CsvReader reader = CsvReader.find();
        CsvTable[] table = new CsvTable[1];
        int[][] columns = new int[1][];
        int[] labelAt = {-1};
        int[] width = {0};
        long maxValues = Runtime.getRuntime().maxMemory() / (2 * Double.BYTES);
        reader.read(file, (line, cells) -> {
            if (table[0] == null) {
                width[0] = cells.length;
                Map<String, Integer> byName = header(file, line, cells);
                if (label != null && byName.containsKey(label)) {
                    labelAt[0] = byName.get(label);
                } else if (labelRequired) {
                    throw new FileFormatException(file + ": no label column '" + label + "' in the header (columns: "
                            + String.join(", ", cells) + ")");
                }
                List<String> names = new ArrayList<>();
                List<Integer> at = new ArrayList<>();
                if (features == null) {
                    for (int c = 0; c < cells.length; c++) {
                        if (c != labelAt[0]) {
                            names.add(cells[c].strip());
                            at.add(c);
                        }
                    }
                } else {
                    for (String f : features) {
                        Integer c = byName.get(f);
                        if (c == null) {
                            throw new FileFormatException(file + ": no column '" + f + "', a feature the model was "
                                    + "trained on (columns: " + String.join(", ", cells) + ")");
                        }
                        names.add(f);
                        at.add(c);
                    }
                }
                if (names.isEmpty()) {
                    throw new FileFormatException(file + ": no feature columns besides the label column '" + label
                            + "'");
                }
                columns[0] = at.stream().mapToInt(Integer::intValue).toArray();
                table[0] = new CsvTable(file, List.copyOf(names), labelAt[0] < 0 ? null : label);
                return;
            }
            CsvTable t = table[0];
            if (cells.length != width[0]) {
                throw new FileFormatException(String.format(Locale.ROOT, "%s: line %d has %d cells, the header has %d",
                        file, line, cells.length, width[0]));
            }
            int[] cols = columns[0];
            if ((long) (t.rows.size() + 1) * cols.length > maxValues) {
                throw new FileFormatException(String.format(Locale.ROOT, "%s: %d rows of %d features fill half the "
                        + "Java heap (at most %,d MB) by line %d; give it more, e.g. JAVA_OPTS=-Xmx%dg", file,
                        t.rows.size(), cols.length, Runtime.getRuntime().maxMemory() >> 20, line,
                        Math.max(2, 2 * (Runtime.getRuntime().maxMemory() >> 30) + 2)));
            }
            double[] row = new double[cols.length];
            for (int j = 0; j < cols.length; j++) {
                row[j] = number(cells[cols[j]], file, line, t.featureNames.get(j));
            }
            if (t.labels != null) {
                String l = cells[labelAt[0]].strip();
                if (l.isEmpty()) {
                    throw new FileFormatException(file + ": line " + line + ", column '" + label + "': the label is "
                            + "empty");
                }
                t.labels.add(l);
            }
            t.rows.add(row);
            t.lines.add(line);
        });
        if (table[0] == null) {
            throw new FileFormatException(file + ": empty file (a CSV table needs a header row and rows of data)");
        }
        if (table[0].rows.isEmpty()) {
            throw new FileFormatException(file + ": a header row and no data");
        }
        return table[0];
    }

    /** The columns by name, checked: none empty, none twice. */
    private static Map<String, Integer> header(Path file, long line, String[] cells) throws FileFormatException {
        Map<String, Integer> byName = new HashMap<>();
        for (int c = 0; c < cells.length; c++) {
            String name = cells[c].strip();
            if (name.isEmpty()) {
                throw new FileFormatException(file + ": line " + line + ": column " + (c + 1) + " of the header has "
                        + "no name (the first row must name every column)");
            }
            Integer before = byName.put(name, c);
            if (before != null) {
                throw new FileFormatException(file + ": line " + line + ": the header names column '" + name
                        + "' twice (columns " + (before + 1) + " and " + (c + 1) + ")");
            }
        }
        return byName;
    }

    /** A cell as a finite number, or an error naming the file, line and column. */
    static double number(String cell, Path file, long line, String column) throws FileFormatException {
        String c = cell.strip();
        String where = file + ": line " + line + ", column '" + column + "': ";
        if (c.isEmpty()) {
            throw new FileFormatException(where + "empty cell (every feature needs a number)");
        }
        for (int i = 0; i < c.length(); i++) {
            char ch = c.charAt(i);
            if (!(ch >= '0' && ch <= '9') && ch != '.' && ch != '-' && ch != '+' && ch != 'e' && ch != 'E') {
                String lower = c.toLowerCase(Locale.ROOT).replaceFirst("^[+-]", "");
                if (lower.equals("nan") || lower.startsWith("inf")) {
                    throw new FileFormatException(where + "'" + c + "': NaN and infinity are not allowed (fill in or "
                            + "drop the row)");
                }
                throw new FileFormatException(where + "'" + c + "' is not a number");
            }
        }
        double v;
        try {
            v = Double.parseDouble(c);
        } catch (NumberFormatException e) {
            throw new FileFormatException(where + "'" + c + "' is not a number");
        }
        if (!Double.isFinite(v)) {
            throw new FileFormatException(where + "'" + c + "' is too large for a double");
        }
        return v;
    }
}
