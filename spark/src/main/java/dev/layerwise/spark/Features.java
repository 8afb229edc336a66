package dev.layerwise.spark;

import dev.layerwise.data.DataContract;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import java.io.Serializable;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import scala.collection.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Reads one row's features (an array column of numbers, a Spark ML {@link Vector}, or a binary column of unsigned
 * bytes such as pixels) into a row of a batch tensor,
 * preprocessed as the model's {@link DataContract} says: {@code value / divisor} computed in the model's dtype (as
 * training read its data), or {@code (value − mean) / std} per feature.
 */
final class Features implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String column;
    private final int features;
    private final double divisor;
    private final double[] mean;
    private final double[] std;

    /**
     * @param contract the model's contract; null means raw values go in unchanged
     * @param features the number of values the network takes per example
     */
    Features(String column, int features, DataContract contract) {
        this.column = column;
        this.features = features;
        if (contract == null) {
            divisor = 1;
            mean = null;
            std = null;
        } else if (contract.normalization() instanceof DataContract.Normalization.Scale s) {
            divisor = s.divisor();
            mean = null;
            std = null;
        } else if (contract.normalization() instanceof DataContract.Normalization.Standardize s) {
            divisor = 1;
            mean = s.mean();
            std = s.std();
        } else {
            throw new IllegalArgumentException("unknown normalization " + contract.normalization());
        }
    }

    int features() {
        return features;
    }

    /** ", row N", or nothing when the row has no number (a SQL function sees one value at a time). */
    private static String where(long rowNumber) {
        return rowNumber < 0 ? "" : ", row " + rowNumber;
    }

    private double[] numbers(java.util.List<?> list, long rowNumber) {
        double[] values = new double[list.size()];
        for (int j = 0; j < values.length; j++) {
            Object o = list.get(j);
            if (!(o instanceof Number n)) {
                throw new IllegalArgumentException("column '" + column + "'" + where(rowNumber) + ", element " + j
                        + ": expected a number, got " + (o == null ? "null" : o));
            }
            values[j] = n.doubleValue();
        }
        return values;
    }

    /** Writes the features of {@code row} (field {@code index}) into row {@code at} of {@code x}. */
    void read(Row row, int index, long rowNumber, Tensor x, int at) {
        if (row.isNullAt(index)) {
            throw new IllegalArgumentException("column '" + column + "' is null" + where(rowNumber));
        }
        Object cell = row.get(index);
        double[] values;
        if (cell instanceof Vector v) {
            values = v.toArray();
        } else if (cell instanceof Seq<?> seq) {
            values = numbers(CollectionConverters.asJava(seq), rowNumber);
        } else if (cell instanceof java.util.List<?> list) {
            values = numbers(list, rowNumber);
        } else if (cell instanceof byte[] b) {
            // a binary column: one unsigned byte per value, as image pixels are stored
            values = new double[b.length];
            for (int j = 0; j < b.length; j++) {
                values[j] = b[j] & 0xFF;
            }
        } else if (cell instanceof double[] d) {
            values = d;
        } else if (cell instanceof float[] f) {
            values = new double[f.length];
            for (int j = 0; j < f.length; j++) {
                values[j] = f[j];
            }
        } else if (cell instanceof int[] a) {
            values = java.util.Arrays.stream(a).asDoubleStream().toArray();
        } else if (cell instanceof long[] a) {
            values = java.util.Arrays.stream(a).asDoubleStream().toArray();
        } else if (cell instanceof Object[] a) {
            values = numbers(java.util.Arrays.asList(a), rowNumber);
        } else {
            // Spark hands an array column over as a Scala sequence, or, between two typed operations, as the very
            // object the previous one returned: a Java array or list.
            throw new IllegalArgumentException("column '" + column + "' must be an array of numbers or an ML vector,"
                    + " got " + cell.getClass().getSimpleName() + where(rowNumber));
        }
        if (values.length != features) {
            throw new IllegalArgumentException("column '" + column + "'" + where(rowNumber) + ": " + values.length
                    + " values, the model takes " + features);
        }
        int off = x.offset() + at * features;
        if (x.dtype() == DType.FLOAT32) {
            float[] out = x.floats();
            float d = (float) divisor;
            for (int j = 0; j < features; j++) {
                out[off + j] = mean == null ? (float) values[j] / d : (float) ((values[j] - mean[j]) / std[j]);
            }
        } else {
            double[] out = x.doubles();
            for (int j = 0; j < features; j++) {
                out[off + j] = mean == null ? values[j] / divisor : (values[j] - mean[j]) / std[j];
            }
        }
    }
}
