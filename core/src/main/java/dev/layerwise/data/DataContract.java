package dev.layerwise.data;

import dev.layerwise.io.FileFormatException;
import dev.layerwise.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a model expects of its inputs and what its outputs mean: the shape of one example, how raw values become the
 * network's inputs, and the name of each class. A model file keeps it, so that {@code predict} and {@code eval}
 * prepare new data exactly as training did.
 *
 * <p>Two kinds of data: {@link Kind#IMAGES}, examples of shape {@code (C, H, W)} made from image files (resized to
 * H×W, grey when C is 1, RGB when 3) or image arrays; and {@link Kind#FEATURES}, examples of shape {@code (F)} made
 * from the columns of a table, named by {@link #featureNames()}. A multi-layer net takes either, flattened; a
 * convolutional net needs images.
 *
 * <pre>{@code
 * DataContract c = model.contract();
 * c.exampleShape();   // (3, 32, 32)
 * c.classNames();     // [circle, square, triangle]
 * c.normalization();  // Scale[divisor=255.0]: x = value / 255
 * }</pre>
 *
 * @param kind          images or table features
 * @param exampleShape  one example's shape: {@code (C, H, W)} for images, {@code (F)} for features
 * @param classNames    the name of class {@code i} at index {@code i}
 * @param normalization how a raw value becomes an input value
 * @param imageFit      how an image file of another size is brought to H×W ({@code null} for features)
 * @param featureNames  the table's feature columns, in the order the network reads them (empty for images)
 */
public record DataContract(Kind kind, int[] exampleShape, List<String> classNames, Normalization normalization,
                           ImageFit imageFit, List<String> featureNames) {
    /** The kind of examples. */
    public enum Kind {
        IMAGES("images"), FEATURES("features");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** The name in model files. */
        public String label() {
            return label;
        }
    }

    /** How an image file of any size becomes an example of H×W. */
    public enum ImageFit {
        /** Resized to H×W, bilinear (the image-folder convention of torchvision and Keras). */
        RESIZE("resize"),
        /**
         * As MNIST's digits were made: the digit's bounding box scaled into 20×20 and centred by its centre of mass in
         * 28×28, white on black.
         */
        MNIST_DIGIT("mnist-digit");

        private final String label;

        ImageFit(String label) {
            this.label = label;
        }

        /** The name in model files. */
        public String label() {
            return label;
        }
    }

    /** How a raw value (a pixel 0–255, a table cell) becomes an input value. */
    public sealed interface Normalization {
        /** {@code x = value / divisor}: 255 for pixels (the book's {@code normalize=True}), 1 for none. */
        record Scale(double divisor) implements Normalization {
            public Scale {
                if (!(divisor > 0) || Double.isInfinite(divisor)) {
                    throw new IllegalArgumentException("divisor must be positive and finite, got " + divisor);
                }
            }
        }

        /**
         * {@code x[j] = (value[j] − mean[j]) / std[j]}, with the training split's mean and standard deviation of each
         * feature (scikit-learn's {@code StandardScaler}); a constant feature has std 1.
         */
        record Standardize(double[] mean, double[] std) implements Normalization {
            public Standardize {
                if (mean.length != std.length) {
                    throw new IllegalArgumentException(mean.length + " means for " + std.length
                            + " standard deviations");
                }
                for (int j = 0; j < std.length; j++) {
                    if (!Double.isFinite(mean[j]) || !(std[j] > 0) || Double.isInfinite(std[j])) {
                        throw new IllegalArgumentException("feature " + j + ": mean " + mean[j] + ", std " + std[j]
                                + " (the mean must be finite, the std positive and finite)");
                    }
                }
                mean = mean.clone();
                std = std.clone();
            }

            @Override
            public double[] mean() {
                return mean.clone();
            }

            @Override
            public double[] std() {
                return std.clone();
            }

            @Override
            public boolean equals(Object o) {
                return o instanceof Standardize s && Arrays.equals(mean, s.mean) && Arrays.equals(std, s.std);
            }

            @Override
            public int hashCode() {
                return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
            }

            @Override
            public String toString() {
                return "Standardize[" + mean.length + " features]";
            }
        }
    }

    public DataContract {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(normalization, "normalization");
        exampleShape = Shapes.checked(exampleShape);
        classNames = List.copyOf(classNames);
        featureNames = List.copyOf(featureNames);
        if (classNames.size() < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + classNames);
        }
        if (new java.util.HashSet<>(classNames).size() != classNames.size()) {
            throw new IllegalArgumentException("class names must differ, got " + classNames);
        }
        if (kind == Kind.IMAGES) {
            if (exampleShape.length != 3 || (exampleShape[0] != 1 && exampleShape[0] != 3)) {
                throw new IllegalArgumentException("images are (C, H, W) with 1 or 3 channels, got "
                        + Shapes.toString(exampleShape));
            }
            Objects.requireNonNull(imageFit, "imageFit");
            if (imageFit == ImageFit.MNIST_DIGIT
                    && !Arrays.equals(exampleShape, new int[] {1, Mnist.ROWS, Mnist.COLS})) {
                throw new IllegalArgumentException("the mnist-digit fit makes images of (1, 28, 28), not "
                        + Shapes.toString(exampleShape));
            }
            if (!featureNames.isEmpty()) {
                throw new IllegalArgumentException("images have no feature names");
            }
        } else {
            if (exampleShape.length != 1) {
                throw new IllegalArgumentException("table features are (F), got " + Shapes.toString(exampleShape));
            }
            if (imageFit != null) {
                throw new IllegalArgumentException("table features have no image fit");
            }
            if (!featureNames.isEmpty() && featureNames.size() != exampleShape[0]) {
                throw new IllegalArgumentException(featureNames.size() + " feature names for "
                        + exampleShape[0] + " features");
            }
        }
        if (normalization instanceof Normalization.Standardize s && s.mean.length != features(exampleShape)) {
            throw new IllegalArgumentException("standardisation of " + s.mean.length + " features for examples of "
                    + Shapes.toString(exampleShape));
        }
    }

    /** The contract of MNIST: (1, 28, 28) grey digits, pixels / 255, classes "0"–"9", MNIST's digit framing. */
    public static DataContract mnist() {
        return images(new int[] {1, Mnist.ROWS, Mnist.COLS}, digits(), ImageFit.MNIST_DIGIT);
    }

    /** Images of shape {@code (C, H, W)}, pixels / 255, with the given class names and fit. */
    public static DataContract images(int[] chw, List<String> classNames, ImageFit fit) {
        return new DataContract(Kind.IMAGES, chw, classNames, new Normalization.Scale(255), fit, List.of());
    }

    /** The names "0", "1", … "9". */
    static List<String> digits() {
        return numbered(Mnist.CLASSES);
    }

    /** The names "0", "1", … of {@code classes} classes: what a model without names of its own calls them. */
    public static List<String> numbered(int classes) {
        List<String> names = new ArrayList<>(classes);
        for (int i = 0; i < classes; i++) {
            names.add(Integer.toString(i));
        }
        return names;
    }

    /** The number of classes. */
    public int classes() {
        return classNames.size();
    }

    /** Values per example: the product of {@link #exampleShape()}. */
    public int features() {
        return features(exampleShape);
    }

    private static int features(int[] shape) {
        return Shapes.size(shape);
    }

    @Override
    public int[] exampleShape() {
        return exampleShape.clone();
    }

    /** The contract as a model file's header field {@code data}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind.label());
        List<Object> shape = new ArrayList<>();
        for (int d : exampleShape) {
            shape.add(d);
        }
        m.put("shape", shape);
        m.put("class_names", new ArrayList<Object>(classNames));
        Map<String, Object> n = new LinkedHashMap<>();
        if (normalization instanceof Normalization.Scale s) {
            n.put("kind", "scale");
            n.put("divisor", s.divisor());
        } else if (normalization instanceof Normalization.Standardize s) {
            n.put("kind", "standardize");
            n.put("mean", doubles(s.mean));
            n.put("std", doubles(s.std));
        }
        m.put("normalization", n);
        if (imageFit != null) {
            m.put("image_fit", imageFit.label());
        }
        if (!featureNames.isEmpty()) {
            m.put("feature_names", new ArrayList<Object>(featureNames));
        }
        return m;
    }

    /**
     * The contract in a model file's header field {@code data}, checked.
     *
     * @param source the file, for messages
     * @throws FileFormatException naming the file and the field that is wrong
     */
    public static DataContract fromMap(Object field, String source) throws FileFormatException {
        String where = source + ": header field 'data'";
        if (!(field instanceof Map<?, ?> m)) {
            throw new FileFormatException(where + " is not an object");
        }
        Kind kind = null;
        for (Kind k : Kind.values()) {
            if (k.label().equals(m.get("kind"))) {
                kind = k;
            }
        }
        if (kind == null) {
            throw new FileFormatException(where + ": 'kind' is " + m.get("kind") + ", expected images or features");
        }
        int[] shape = ints(m.get("shape"), where + ": 'shape'");
        List<String> classes = strings(m.get("class_names"), where + ": 'class_names'");
        List<String> features = m.containsKey("feature_names")
                ? strings(m.get("feature_names"), where + ": 'feature_names'") : List.of();
        ImageFit fit = null;
        if (m.containsKey("image_fit")) {
            for (ImageFit f : ImageFit.values()) {
                if (f.label().equals(m.get("image_fit"))) {
                    fit = f;
                }
            }
            if (fit == null) {
                throw new FileFormatException(where + ": 'image_fit' is " + m.get("image_fit")
                        + ", expected resize or mnist-digit");
            }
        } else if (kind == Kind.IMAGES) {
            throw new FileFormatException(where + ": images need an 'image_fit' (resize or mnist-digit)");
        }
        if (!(m.get("normalization") instanceof Map<?, ?> n)) {
            throw new FileFormatException(where + ": 'normalization' is missing or not an object");
        }
        try {
            Normalization normalization;
            if ("scale".equals(n.get("kind"))) {
                normalization = new Normalization.Scale(number(n.get("divisor"), where + ": 'normalization.divisor'"));
            } else if ("standardize".equals(n.get("kind"))) {
                normalization = new Normalization.Standardize(
                        numbers(n.get("mean"), where + ": 'normalization.mean'"),
                        numbers(n.get("std"), where + ": 'normalization.std'"));
            } else {
                throw new FileFormatException(where + ": 'normalization.kind' is " + n.get("kind")
                        + ", expected scale or standardize");
            }
            return new DataContract(kind, shape, classes, normalization, fit, features);
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(where + ": " + e.getMessage());
        }
    }

    private static List<Object> doubles(double[] values) {
        List<Object> out = new ArrayList<>(values.length);
        for (double v : values) {
            out.add(v);
        }
        return out;
    }

    private static double number(Object o, String what) throws FileFormatException {
        if (!(o instanceof Number n)) {
            throw new FileFormatException(what + " must be a number, got " + o);
        }
        return n.doubleValue();
    }

    private static double[] numbers(Object o, String what) throws FileFormatException {
        if (!(o instanceof List<?> l)) {
            throw new FileFormatException(what + " must be a list of numbers");
        }
        double[] out = new double[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = number(l.get(i), what + "[" + i + "]");
        }
        return out;
    }

    private static int[] ints(Object o, String what) throws FileFormatException {
        if (!(o instanceof List<?> l) || l.isEmpty() || l.size() > 3) {
            throw new FileFormatException(what + " must be a list of 1 to 3 sizes");
        }
        int[] out = new int[l.size()];
        for (int i = 0; i < out.length; i++) {
            double d = number(l.get(i), what + "[" + i + "]");
            if (d != Math.rint(d) || d < 1 || d > Integer.MAX_VALUE) {
                throw new FileFormatException(what + "[" + i + "] must be a positive integer, got " + l.get(i));
            }
            out[i] = (int) d;
        }
        return out;
    }

    private static List<String> strings(Object o, String what) throws FileFormatException {
        if (!(o instanceof List<?> l)) {
            throw new FileFormatException(what + " must be a list of strings");
        }
        List<String> out = new ArrayList<>(l.size());
        for (int i = 0; i < l.size(); i++) {
            if (!(l.get(i) instanceof String s)) {
                throw new FileFormatException(what + "[" + i + "] must be a string, got " + l.get(i));
            }
            out.add(s);
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataContract c && kind == c.kind && Arrays.equals(exampleShape, c.exampleShape)
                && classNames.equals(c.classNames) && normalization.equals(c.normalization)
                && imageFit == c.imageFit && featureNames.equals(c.featureNames);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, Arrays.hashCode(exampleShape), classNames, normalization, imageFit, featureNames);
    }

    @Override
    public String toString() {
        return "DataContract(" + kind.label() + " " + Shapes.toString(exampleShape) + ", " + classes() + " classes "
                + classNames + ", " + normalization + (imageFit != null ? ", " + imageFit.label() : "") + ")";
    }
}
