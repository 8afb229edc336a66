package dev.layerwise.data;

import dev.layerwise.io.FileFormatException;
import dev.layerwise.io.NpyArray;
import dev.layerwise.io.Npz;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** Reads the arrays of a {@code .npz} as labelled examples: see {@link DataSets#npz}. */
final class NpzData {
    private NpzData() {
    }

    /** The examples of one x array: as a data set of shape (N, …) and the shape of one example for the contract. */
    private record Examples(DataSet data, int[] exampleShape, boolean images, boolean bytes) {
    }

    static LabeledData read(Path file, DataSets.Options options) throws IOException {
        Map<String, NpyArray> arrays = Npz.read(file);
        String xTrain;
        String yTrain;
        String xTest = null;
        String yTest = null;
        if (arrays.containsKey("x_train") || arrays.containsKey("y_train")) {
            xTrain = "x_train";
            yTrain = "y_train";
            if (arrays.containsKey("x_test") || arrays.containsKey("y_test")) {
                xTest = "x_test";
                yTest = "y_test";
            }
        } else if (arrays.containsKey("x") || arrays.containsKey("y")) {
            xTrain = "x";
            yTrain = "y";
        } else {
            throw new FileFormatException(file + ": expected arrays x_train, y_train (and x_test, y_test) or x, y; "
                    + "found " + (arrays.isEmpty() ? "none" : String.join(", ", arrays.keySet())));
        }
        for (String name : new String[] {xTrain, yTrain, xTest, yTest}) {
            if (name != null && !arrays.containsKey(name)) {
                throw new FileFormatException(file + ": array " + name + " is missing (found "
                        + String.join(", ", arrays.keySet()) + ")");
            }
        }
        int[] tTrain = labels(file, yTrain, arrays.get(yTrain));
        int[] tTest = yTest == null ? null : labels(file, yTest, arrays.get(yTest));
        Examples train = examples(file, xTrain, arrays.get(xTrain), tTrain, yTrain, options.dtype());
        Examples test = xTest == null ? null
                : examples(file, xTest, arrays.get(xTest), tTest, yTest, options.dtype());
        if (test != null && !Arrays.equals(test.exampleShape(), train.exampleShape())) {
            throw new FileFormatException(file + ": " + xTrain + " holds examples of "
                    + Shapes.toString(train.exampleShape()) + " but " + xTest + " of "
                    + Shapes.toString(test.exampleShape()));
        }
        int classes = DataSets.Labeling.checkClasses(tTrain, tTest, file + ": " + yTrain, file + ": " + yTest);
        DataContract.Normalization n = new DataContract.Normalization.Scale(train.bytes() ? 255 : 1);
        DataContract contract = train.images()
                ? new DataContract(DataContract.Kind.IMAGES, train.exampleShape(), DataContract.numbered(classes), n,
                        DataContract.ImageFit.RESIZE, java.util.List.of())
                : new DataContract(DataContract.Kind.FEATURES, train.exampleShape(), DataContract.numbered(classes), n,
                        null, java.util.List.of());
        return DataSets.split(train.data(), test == null ? null : test.data(), contract,
                file.getFileName() + " (" + Shapes.toString(train.exampleShape()) + ", " + classes + " classes)",
                options.validation());
    }

    /** The class indices in {@code array}: integers ≥ 0 of shape (N) or (N, 1). */
    private static int[] labels(Path file, String name, NpyArray array) throws FileFormatException {
        int[] s = array.shape();
        if (s.length == 0 || s.length > 2 || (s.length == 2 && s[1] != 1)) {
            throw new FileFormatException(file + ": array " + name + " has shape " + Shapes.toString(s)
                    + "; labels are (N) or (N, 1)");
        }
        if (array.isFloating()) {
            throw new FileFormatException(file + ": array " + name + " holds " + array.descr()
                    + " values; labels must be integers (class indices 0, 1, …)");
        }
        int[] t;
        try {
            t = array.toIntArray();
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(file + ": array " + name + ": " + e.getMessage());
        }
        for (int i = 0; i < t.length; i++) {
            if (t[i] < 0) {
                throw new FileFormatException(file + ": array " + name + ": label " + t[i] + " at index " + i
                        + " is negative");
            }
        }
        return t;
    }

    /** The examples of {@code array}, which must hold one per label. */
    private static Examples examples(Path file, String name, NpyArray array, int[] t, String labelsName, DType dtype)
            throws FileFormatException {
        int[] s = array.shape();
        String where = file + ": array " + name;
        if (s.length < 2 || s.length > 4) {
            throw new FileFormatException(where + " has shape " + Shapes.toString(s) + "; examples are (N, F), "
                    + "(N, H, W), (N, C, H, W) or (N, H, W, C)");
        }
        if (s[0] != t.length) {
            throw new FileFormatException(file + ": " + name + " holds " + s[0] + " examples but " + labelsName
                    + " holds " + t.length + " labels");
        }
        if (s[0] == 0) {
            throw new FileFormatException(where + " holds no examples");
        }
        for (int d = 1; d < s.length; d++) {
            if (s[d] < 1) {
                throw new FileFormatException(where + " has shape " + Shapes.toString(s) + " (an empty dimension)");
            }
        }
        int n = s[0];
        int[] example;
        boolean channelsLast = false;
        if (s.length == 2) {
            example = new int[] {s[1]};
        } else if (s.length == 3) {
            example = new int[] {1, s[1], s[2]};
        } else if (s[1] == 1 || s[1] == 3) {
            example = new int[] {s[1], s[2], s[3]};
        } else if (s[3] == 1 || s[3] == 3) {
            example = new int[] {s[3], s[1], s[2]};
            channelsLast = true;
        } else {
            throw new FileFormatException(where + " has shape " + Shapes.toString(s) + "; images need 1 or 3 "
                    + "channels, first (N, C, H, W) or last (N, H, W, C)");
        }
        int[] shape = new int[example.length + 1];
        shape[0] = n;
        System.arraycopy(example, 0, shape, 1, example.length);
        boolean bytes = "|u1".equals(array.descr());
        long need = (long) array.size() * (Double.BYTES + (channelsLast ? Double.BYTES : 0)
                + (bytes ? 1 : dtype == DType.FLOAT32 ? Float.BYTES : Double.BYTES));
        long heap = Runtime.getRuntime().maxMemory();
        if (need > heap / 2) {
            throw new FileFormatException(String.format(java.util.Locale.ROOT, "%s of %s needs about %,d MB to "
                    + "convert, more than half the Java heap (at most %,d MB); give it more, e.g. JAVA_OPTS=-Xmx%dg",
                    where, Shapes.toString(s), need >> 20, heap >> 20, Math.max(2, (4 * need >> 30) + 1)));
        }
        double[] values = array.toDoubleArray();
        if (channelsLast) {
            values = toChannelsFirst(values, n, s[1], s[2], s[3]);
        }
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new FileFormatException(where + ": element " + i + " is " + values[i]
                        + " (NaN and infinity are not allowed)");
            }
        }
        Labels labels = Labels.of(t);
        DataSet data;
        if (bytes) {
            byte[] b = new byte[values.length];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (int) values[i];
            }
            data = DataSet.ofUnsignedBytes(b, shape, 255.0, dtype, labels);
        } else {
            data = new DataSet(Tensor.of(dtype, values, shape), labels);
        }
        return new Examples(data, example, example.length == 3, bytes);
    }

    /** (N, H, W, C) values as (N, C, H, W). */
    private static double[] toChannelsFirst(double[] v, int n, int h, int w, int c) {
        double[] out = new double[v.length];
        for (int i = 0; i < n; i++) {
            int base = i * h * w * c;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int k = 0; k < c; k++) {
                        out[base + (k * h + y) * w + x] = v[base + (y * w + x) * c + k];
                    }
                }
            }
        }
        return out;
    }
}
