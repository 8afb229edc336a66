package dev.layerwise.experiment;

import java.util.ArrayList;
import java.util.List;

/**
 * Numbers in named columns, one row per point of a curve: an experiment's learning curves, written as CSV. Non-finite
 * values are written as {@code nan}, {@code inf} or {@code -inf}, as NumPy reads them.
 */
public record Table(String name, List<String> columns, List<double[]> rows) {
    public Table {
        columns = List.copyOf(columns);
        List<double[]> copy = new ArrayList<>();
        for (double[] r : rows) {
            if (r.length != columns.size()) {
                throw new IllegalArgumentException("table " + name + ": a row of " + r.length + " values for "
                        + columns.size() + " columns");
            }
            copy.add(r.clone());
        }
        rows = List.copyOf(copy);
    }

    /** The table as CSV: a header line, then one line per row. */
    public String toCsv() {
        StringBuilder sb = new StringBuilder(String.join(",", columns)).append('\n');
        for (double[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(format(r[i]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String format(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }
}
