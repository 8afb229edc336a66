package dev.layerwise.data;

import dev.layerwise.io.FileFormatException;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads CSV tables as labelled examples: see {@link DataSets#csv} and {@link DataSets#csvForModel}. */
final class CsvData {
    private CsvData() {
    }

    static LabeledData read(Path file, DataSets.CsvOptions o) throws IOException {
        CsvTable table = CsvTable.read(file, o.label(), true, null);
        List<String> names = DataSets.Labeling.names(table.labels);
        if (names.size() < 2) {
            throw new FileFormatException(file + ": column '" + o.label() + "' holds one class only ('" + names.get(0)
                    + "'); a classifier needs at least 2");
        }
        boolean integers = DataSets.Labeling.integer(names.get(0)) != null
                && names.stream().allMatch(n -> DataSets.Labeling.integer(n) != null);
        int[] t = indices(table, names, integers, "never occurs in the training rows");
        CsvTable testTable = null;
        int[] testT = null;
        if (o.testFile() != null) {
            testTable = CsvTable.read(o.testFile(), o.label(), true, table.featureNames);
            testT = indices(testTable, names, integers, "never occurs in the training file " + file);
        }
        ValidationSplit split = o.common().validation();
        int[] trainRows;
        int[] validationRows = null;
        if (split != null) {
            ValidationSplit.Parts p = split.split(t, names.size());
            trainRows = p.train();
            validationRows = p.validation();
        } else {
            trainRows = identity(table.size());
        }
        DataContract.Normalization n = o.divisor() != null ? new DataContract.Normalization.Scale(o.divisor())
                : standardize(table, trainRows);
        DataContract contract = new DataContract(DataContract.Kind.FEATURES, new int[] {table.featureNames.size()},
                names, n, null, table.featureNames);
        DType dtype = o.common().dtype();
        DataSet train = examples(table, trainRows, t, n, dtype);
        DataSet validation = validationRows == null ? null : examples(table, validationRows, t, n, dtype);
        DataSet test = testTable == null ? null : examples(testTable, identity(testTable.size()), testT, n, dtype);
        String what = file.getFileName() + " (" + table.featureNames.size() + " features, label '" + o.label() + "', "
                + names.size() + " classes)";
        String parts = split == null ? train.size() + " train"
                : split.describe(train.size(), validation.size());
        return new LabeledData(train, validation, test, contract, what + ": " + parts
                + (test == null ? "" : ", " + test.size() + " test from " + o.testFile().getFileName()));
    }

    static DataSet forModel(Path file, DataContract contract, String label, DType dtype) throws IOException {
        if (contract.kind() != DataContract.Kind.FEATURES) {
            throw new IllegalArgumentException("the model takes images " + java.util.Arrays.toString(
                    contract.exampleShape()) + ", not the rows of a CSV table");
        }
        List<String> features = contract.featureNames().isEmpty() ? null : contract.featureNames();
        CsvTable table = CsvTable.read(file, label, label != null, features);
        if (table.featureNames.size() != contract.features()) {
            throw new FileFormatException(file + ": " + table.featureNames.size() + " feature columns but the model "
                    + "takes " + contract.features());
        }
        int[] t = new int[table.size()];
        if (table.labels != null) {
            boolean integers = contract.classNames().stream().allMatch(c -> DataSets.Labeling.integer(c) != null);
            t = indices(table, contract.classNames(), integers, "is not one of the model's classes "
                    + contract.classNames());
        }
        return examples(table, identity(table.size()), t, contract.normalization(), dtype);
    }

    /** The class index of each row's label, or an error naming the first label not among {@code names}. */
    private static int[] indices(CsvTable table, List<String> names, boolean integers, String unknown)
            throws FileFormatException {
        Map<String, Integer> index = new HashMap<>();
        for (int c = 0; c < names.size(); c++) {
            index.put(names.get(c), c);
        }
        int[] t = new int[table.size()];
        for (int i = 0; i < t.length; i++) {
            Integer c = index.get(DataSets.Labeling.canonical(table.labels.get(i), integers));
            if (c == null) {
                throw new FileFormatException(table.file + ": line " + table.lines.get(i) + ", column '"
                        + table.labelColumn + "': label '" + table.labels.get(i) + "' " + unknown);
            }
            t[i] = c;
        }
        return t;
    }

    /**
     * The mean and population standard deviation (scikit-learn's {@code StandardScaler}) of each feature over the
     * rows {@code rows}; a constant feature gets std 1, so that it becomes 0 rather than NaN.
     */
    private static DataContract.Normalization.Standardize standardize(CsvTable table, int[] rows) {
        int f = table.featureNames.size();
        double[] mean = new double[f];
        double[] m2 = new double[f];
        int count = 0;
        for (int r : rows) {
            double[] v = table.rows.get(r);
            count++;
            for (int j = 0; j < f; j++) {
                // Welford's update: exact enough for large values with small spread, where sum-of-squares cancels.
                double d = v[j] - mean[j];
                mean[j] += d / count;
                m2[j] += d * (v[j] - mean[j]);
            }
        }
        double[] std = new double[f];
        for (int j = 0; j < f; j++) {
            double s = Math.sqrt(m2[j] / count);
            std[j] = s > 0 && Double.isFinite(s) ? s : 1;
        }
        return new DataContract.Normalization.Standardize(mean, std);
    }

    /** The rows {@code rows} of the table, normalised, as a data set of shape (rows, F). */
    private static DataSet examples(CsvTable table, int[] rows, int[] t, DataContract.Normalization n,
                                    DType dtype) {
        int f = table.featureNames.size();
        double[] mean = n instanceof DataContract.Normalization.Standardize s ? s.mean() : null;
        double[] std = n instanceof DataContract.Normalization.Standardize s ? s.std() : null;
        double divisor = n instanceof DataContract.Normalization.Scale s ? s.divisor() : 1;
        Tensor x = Tensor.zeros(dtype, rows.length, f);
        int[] labels = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            double[] v = table.rows.get(rows[i]);
            for (int j = 0; j < f; j++) {
                x.setDouble(i * f + j, mean != null ? (v[j] - mean[j]) / std[j] : v[j] / divisor);
            }
            labels[i] = t[rows[i]];
        }
        return new DataSet(x, Labels.of(labels));
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }
}
