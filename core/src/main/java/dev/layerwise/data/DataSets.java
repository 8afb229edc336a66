package dev.layerwise.data;

import dev.layerwise.io.FileFormatException;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Shapes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The user's own data, read into {@link LabeledData}: training examples, a validation split when asked for, the test
 * examples when the source has them, and the {@link DataContract} a model trained on them keeps.
 *
 * <pre>{@code
 * LabeledData mnist = DataSets.mnist(dir, DType.FLOAT32);                         // as Mnist.load
 * LabeledData fashion = DataSets.idx(dir, Options.defaults());                    // any IDX image set
 * LabeledData arrays = DataSets.npz(Path.of("data.npz"), Options.defaults().withValidation(0.1, 7));
 * LabeledData iris = DataSets.csv(Path.of("iris.csv"), CsvOptions.label("species").withValidation(0.2, 7));
 * }</pre>
 *
 * <p>Every source splits through {@link ValidationSplit}; a CSV table's standardisation is computed on the training
 * part only, after the split. Bad data gets a {@link FileFormatException} naming the file and the row, column or
 * array that is wrong.
 */
public final class DataSets {
    private DataSets() {
    }

    /** What every source is read with: the dtype of the examples and the validation split (null: none). */
    public record Options(DType dtype, ValidationSplit validation) {
        public Options {
            Objects.requireNonNull(dtype, "dtype");
        }

        /** float32, no validation split. */
        public static Options defaults() {
            return new Options(DType.FLOAT32, null);
        }

        public Options withDType(DType d) {
            return new Options(d, validation);
        }

        /** Holds {@code fraction} of the training examples out for validation, chosen with {@code seed}. */
        public Options withValidation(double fraction, long seed) {
            return new Options(dtype, new ValidationSplit(fraction, seed));
        }
    }

    /**
     * How a CSV table is read: its label column, an optional second file of test rows (same columns), how features
     * are normalised ({@code divisor} null: standardised with the training part's means and standard deviations;
     * else divided by it, e.g. 255 for pixels, 1 for as written), and the common options.
     */
    public record CsvOptions(String label, Path testFile, Double divisor, Options common) {
        public CsvOptions {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(common, "common");
            if (divisor != null) {
                new DataContract.Normalization.Scale(divisor); // checks it
            }
        }

        /** The label column {@code label}, standardised features, float32, no test file, no validation split. */
        public static CsvOptions label(String label) {
            return new CsvOptions(label, null, null, Options.defaults());
        }

        public CsvOptions withTestFile(Path f) {
            return new CsvOptions(label, f, divisor, common);
        }

        /** Features divided by {@code d} instead of standardised. */
        public CsvOptions withDivisor(Double d) {
            return new CsvOptions(label, testFile, d, common);
        }

        public CsvOptions withDType(DType d) {
            return new CsvOptions(label, testFile, divisor, common.withDType(d));
        }

        public CsvOptions withValidation(double fraction, long seed) {
            return new CsvOptions(label, testFile, divisor, common.withValidation(fraction, seed));
        }

        public CsvOptions withCommon(Options o) {
            return new CsvOptions(label, testFile, divisor, o);
        }
    }

    /** MNIST's four files in {@code dir}: as {@link Mnist#load} reads them (flattened), with MNIST's contract. */
    public static LabeledData mnist(Path dir, DType dtype) throws IOException {
        return mnist(dir, Options.defaults().withDType(dtype));
    }

    /** MNIST's four files in {@code dir}, split as {@code options} say. */
    public static LabeledData mnist(Path dir, Options options) throws IOException {
        Mnist.Data d = Mnist.load(dir, Mnist.Options.defaults().withDType(options.dtype()));
        return split(d.train(), d.test(), DataContract.mnist(), "MNIST", options.validation());
    }

    /**
     * Any image set in IDX files named as MNIST's ({@code train-images-idx3-ubyte}, …, raw or {@code .gz}) in
     * {@code dir}: images (N, H, W) of any size, labels 0–255; the class count is the largest training label plus
     * one. Fashion-MNIST and EMNIST come this way.
     */
    public static LabeledData idx(Path dir, Options options) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "no such directory: " + dir);
        }
        IdxImages train = IdxImages.read(dir, Mnist.TRAIN_IMAGES, Mnist.TRAIN_LABELS);
        IdxImages test = IdxImages.read(dir, Mnist.TEST_IMAGES, Mnist.TEST_LABELS);
        if (train.height() != test.height() || train.width() != test.width()) {
            throw new FileFormatException(dir + ": training images are " + train.height() + "×" + train.width()
                    + " but test images are " + test.height() + "×" + test.width());
        }
        int classes = Labeling.checkClasses(train.labels(), test.labels(), dir + "/" + Mnist.TRAIN_LABELS,
                dir + "/" + Mnist.TEST_LABELS);
        int[] chw = {1, train.height(), train.width()};
        DataContract contract = DataContract.images(chw, DataContract.numbered(classes),
                DataContract.ImageFit.RESIZE);
        return split(train.toDataSet(options.dtype()), test.toDataSet(options.dtype()), contract,
                "IDX " + dir.getFileName() + " (" + train.height() + "×" + train.width() + ", " + classes
                        + " classes)", options.validation());
    }

    /**
     * The arrays of a NumPy {@code .npz}: {@code x_train, y_train} and optionally {@code x_test, y_test} (the layout
     * of {@code keras.datasets}' {@code mnist.npz}), or {@code x, y}. Examples (N, F) are table features; (N, H, W),
     * (N, C, H, W) and (N, H, W, C) with 1 or 3 channels are images. uint8 values are divided by 255, others are kept
     * as written. Labels are integers ≥ 0, shape (N) or (N, 1).
     */
    public static LabeledData npz(Path file, Options options) throws IOException {
        return NpzData.read(file, options);
    }

    /**
     * A folder of images, one sub-folder per class (see {@link ImageFolder}): {@code DIR/<class>/*.png|jpg|…}, or
     * {@code DIR/train/<class>/…} with {@code DIR/test/<class>/…}. Examples (C, H, W), pixels / 255.
     *
     * @param images how the images are decoded: size, channels, bad files, cache, progress
     */
    public static LabeledData imageFolder(Path dir, ImageFolder.Options images, Options options) throws IOException {
        ImageFolder.Loaded d = ImageFolder.load(dir, images);
        LabeledData split = split(d.toDataSet(d.train(), options.dtype()),
                d.test() == null ? null : d.toDataSet(d.test(), options.dtype()), d.contract(),
                "images " + dir.getFileName() + " (" + d.channels() + "×" + d.height() + "×" + d.width() + ", "
                        + d.classNames().size() + " classes" + (d.skipped().isEmpty() ? ""
                        : String.format(Locale.ROOT, ", %,d bad files skipped", d.skipped().size()))
                        + (d.fromCache() ? ", decoded images from the cache" : "") + ")", options.validation());
        return split;
    }

    /**
     * How a {@link DataSource} of images is decoded: its options {@code image_size} ([H, W]), {@code channels} and
     * {@code skip_bad_files}, on top of {@code base} (which gives the cache, progress and threads).
     */
    public static ImageFolder.Options imageOptions(DataSource source, ImageFolder.Options base) {
        ImageFolder.Options o = base;
        if (source.option("image_size") instanceof List<?> size && size.size() == 2) {
            o = o.withSize(((Number) size.get(0)).intValue(), ((Number) size.get(1)).intValue());
        }
        if (source.option("channels") instanceof Number c) {
            o = o.withChannels(c.intValue());
        }
        if (source.option("skip_bad_files") instanceof Boolean skip) {
            o = o.withSkipBadFiles(skip);
        }
        return o;
    }

    /** A CSV table: see {@link CsvOptions}. Needs the module {@code layerwise-csv} on the class path. */
    public static LabeledData csv(Path file, CsvOptions options) throws IOException {
        return CsvData.read(file, options);
    }

    /** The source {@link DataSource} describes, read with {@code dtype}; MNIST without a path from the cache. */
    public static LabeledData load(DataSource source, DType dtype) throws IOException {
        Options o = new Options(dtype, source.validationSplit());
        Path p = source.path() == null ? null : Path.of(source.path());
        switch (source.kind()) {
            case MNIST:
                return mnist(p != null ? p : new MnistFetcher().fetch(), o);
            case IDX:
                return idx(p, o);
            case NPZ:
                return npz(p, o);
            case CSV:
                Object test = source.option("test");
                Object divisor = source.option("divisor");
                return csv(p, new CsvOptions(String.valueOf(source.option("label")),
                        test == null ? null : Path.of(test.toString()),
                        divisor == null ? null : ((Number) divisor).doubleValue(), o));
            case IMAGES:
                return imageFolder(p, imageOptions(source, ImageFolder.Options.defaults()), o);
            default:
                throw new IllegalArgumentException("data source " + source.kind().label() + " is not readable here");
        }
    }

    /**
     * Splits {@code train} as {@code validation} says (null: not at all) and describes the result.
     *
     * @param what where the data came from, for the description
     */
    public static LabeledData split(DataSet train, DataSet test, DataContract contract, String what,
                                    ValidationSplit validation) {
        if (validation == null) {
            return new LabeledData(train, null, test, contract, what + ": " + train.size() + " train"
                    + (test == null ? "" : ", " + test.size() + " test"));
        }
        DataSet[] parts = validation.apply(train, contract.classes());
        return new LabeledData(parts[0], parts[1], test, contract, what + ": "
                + validation.describe(parts[0].size(), parts[1].size())
                + (test == null ? "" : ", " + test.size() + " test"));
    }

    /**
     * Examples of a CSV table prepared for a model by its {@code contract} (FEATURES): the contract's feature columns,
     * normalised as in training. With a {@code label} column, the labels are the indices of the contract's class
     * names (a label the model does not know is an error naming its line); without one (null), labels are all 0.
     */
    public static DataSet csvForModel(Path file, DataContract contract, String label, DType dtype)
            throws IOException {
        return CsvData.forModel(file, contract, label, dtype);
    }

    /** Checks that {@code data}'s examples are what {@code contract} describes: same size and class count. */
    public static void checkFits(DataSet data, DataContract contract, String what) throws FileFormatException {
        if (data.features() != contract.features()) {
            int[] s = data.shape();
            throw new FileFormatException(what + ": examples of " + Shapes.toString(java.util.Arrays.copyOfRange(s,
                    1, s.length)) + " but the model takes " + Shapes.toString(contract.exampleShape()));
        }
        int[] t = data.t().indices();
        for (int i = 0; i < t.length; i++) {
            if (t[i] >= contract.classes()) {
                throw new FileFormatException(what + ": label " + t[i] + " of example " + i + " is not one of the "
                        + "model's " + contract.classes() + " classes");
            }
        }
    }

    /**
     * The most classes an integer-labelled source may have: labels are class indices, and a network has an output per
     * class, so a label far beyond this is an identifier, not a class.
     */
    public static final int MAX_CLASSES = 1 << 16;

    /** Class names and indices made from label cells. */
    static final class Labeling {
        private Labeling() {
        }

        /**
         * The class names of the labels, sorted: numerically when every label is an integer (written canonically),
         * else as strings.
         */
        static List<String> names(List<String> labels) {
            boolean integers = true;
            for (String l : labels) {
                if (integer(l) == null) {
                    integers = false;
                    break;
                }
            }
            if (integers) {
                TreeSet<Long> values = new TreeSet<>();
                for (String l : labels) {
                    values.add(integer(l));
                }
                List<String> names = new ArrayList<>();
                for (long v : values) {
                    names.add(Long.toString(v));
                }
                return names;
            }
            return new ArrayList<>(new TreeSet<>(labels));
        }

        /** The label as its class name: an integer label written canonically ("07" → "7"), else as is. */
        static String canonical(String label, boolean integers) {
            Long v = integers ? integer(label) : null;
            return v == null ? label : Long.toString(v);
        }

        static Long integer(String s) {
            try {
                return Long.parseLong(s.strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }

        /**
         * The class count of integer labels, the largest training label plus one, checking that every test label
         * occurs in training and that training has at least 2 classes.
         */
        static int checkClasses(int[] train, int[] test, String trainWhat, String testWhat)
                throws FileFormatException {
            boolean[] seen = new boolean[256];
            int max = -1;
            int distinct = 0;
            for (int t : train) {
                if (t < 0 || t >= MAX_CLASSES) {
                    throw new FileFormatException(trainWhat + ": label " + t + " is not a class index (0 to "
                            + (MAX_CLASSES - 1) + ")");
                }
                if (t >= seen.length) {
                    seen = java.util.Arrays.copyOf(seen, Math.max(t + 1, 2 * seen.length));
                }
                if (!seen[t]) {
                    seen[t] = true;
                    distinct++;
                }
                max = Math.max(max, t);
            }
            if (distinct < 2) {
                throw new FileFormatException(trainWhat + ": every training label is " + max
                        + "; a classifier needs at least 2 classes");
            }
            if (test != null) {
                for (int i = 0; i < test.length; i++) {
                    if (test[i] < 0 || test[i] >= seen.length || !seen[test[i]]) {
                        throw new FileFormatException(String.format(Locale.ROOT, "%s: label %d (example %d) never "
                                + "occurs in the training labels", testWhat, test[i], i));
                    }
                }
            }
            return max + 1;
        }
    }
}
