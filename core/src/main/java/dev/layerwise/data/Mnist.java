package dev.layerwise.data;

import dev.layerwise.io.FileFormatException;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The MNIST handwritten digits, loaded as the book's {@code dataset/mnist.py: load_mnist} does: 60,000 training and
 * 10,000 test images of 28×28 pixels with labels 0–9.
 *
 * <pre>{@code
 * Path dir = new MnistFetcher().fetch();                        // downloads once, verifies SHA-256
 * Mnist.Data mnist = Mnist.load(dir, Mnist.Options.defaults());  // normalised, flattened, class indices
 * DataSet train = mnist.train();                                // x (60000, 784), t 60000 labels
 * }</pre>
 */
public final class Mnist {
    /** The four file names (uncompressed; a {@code .gz} of each is accepted too). */
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
    public static final List<String> FILES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

    public static final int ROWS = 28;
    public static final int COLS = 28;
    public static final int PIXELS = ROWS * COLS;
    public static final int CLASSES = 10;

    /** Bytes of image data read at a time: a quarter of a megabyte, which stays in the core's cache while converted. */
    private static final int READ_BUFFER = 1 << 18;

    private Mnist() {
    }

    /**
     * The book's {@code load_mnist} options: {@code normalize} pixels to [0, 1] (else 0–255), {@code flatten} images
     * to 784 values (else (1, 28, 28)), {@code oneHotLabel} (else class indices), and the dtype of the images.
     */
    public record Options(boolean normalize, boolean flatten, boolean oneHotLabel, DType dtype) {
        /** Normalised, flattened, class indices, float32. */
        public static Options defaults() {
            return new Options(true, true, false, DType.FLOAT32);
        }

        public Options withDType(DType d) {
            return new Options(normalize, flatten, oneHotLabel, d);
        }

        public Options withFlatten(boolean f) {
            return new Options(normalize, f, oneHotLabel, dtype);
        }

        public Options withOneHotLabel(boolean o) {
            return new Options(normalize, flatten, o, dtype);
        }
    }

    /** The training and test sets. */
    public record Data(DataSet train, DataSet test) {
    }

    /** Images and labels as stored: pixels 0–255, one byte each. */
    public record Split(int count, byte[] pixels, int[] labels) {
        /** Pixel {@code p} (0–783) of image {@code i}, 0–255. */
        public int pixel(int i, int p) {
            return pixels[i * PIXELS + p] & 0xFF;
        }
    }

    /**
     * Loads the four files from {@code dir} (no network) and converts them as {@code options} say. The images go
     * from the file to the data set's tensor through a small buffer: a copy of the 47 MB training file in memory would
     * be fresh memory for the operating system to hand over, which costs more than reading it.
     */
    public static Data load(Path dir, Options options) throws IOException {
        return new Data(loadDataSet(dir, TRAIN_IMAGES, TRAIN_LABELS, options),
                loadDataSet(dir, TEST_IMAGES, TEST_LABELS, options));
    }

    /** Reads one pair of image and label files from {@code dir}, checking that they belong together. */
    public static Split readSplit(Path dir, String imagesName, String labelsName) throws IOException {
        Path imagesFile = locate(dir, imagesName);
        Path labelsFile = locate(dir, labelsName);
        int[] labels = readLabels(labelsFile);
        Idx.Array images = Idx.read(imagesFile);
        checkImages(images.dims(), imagesFile, labels.length, labelsFile);
        return new Split(labels.length, images.data(), labels);
    }

    /** Converts raw images and labels to a data set as {@code options} say. */
    public static DataSet toDataSet(Split split, Options options) {
        Tensor x = newImages(split.count(), options);
        convert(split.pixels(), 0, split.pixels().length, x, 0, quotients(options));
        return new DataSet(x, labels(split.labels(), options));
    }

    private static DataSet loadDataSet(Path dir, String imagesName, String labelsName, Options options)
            throws IOException {
        Path imagesFile = locate(dir, imagesName);
        Path labelsFile = locate(dir, labelsName);
        int[] labels = readLabels(labelsFile);
        try (Idx.Reader images = Idx.Reader.open(imagesFile)) {
            checkImages(images.dims(), imagesFile, labels.length, labelsFile);
            Tensor x = newImages(labels.length, options);
            double[] quotients = quotients(options);
            byte[] buffer = new byte[Math.min(READ_BUFFER, images.length())];
            for (int at = 0; at < images.length(); at += buffer.length) {
                int n = Math.min(buffer.length, images.length() - at);
                images.readFully(buffer, 0, n);
                convert(buffer, 0, n, x, at, quotients);
            }
            images.finish();
            return new DataSet(x, labels(labels, options));
        }
    }

    /** The labels in {@code file}, each checked to be a digit. */
    private static int[] readLabels(Path file) throws IOException {
        Idx.Array labels = Idx.read(file);
        if (labels.dims().length != 1) {
            throw new FileFormatException(file + ": expected a 1-D label file, got shape "
                    + Shapes.toString(labels.dims()));
        }
        int[] t = new int[labels.dims()[0]];
        for (int i = 0; i < t.length; i++) {
            t[i] = labels.get(i);
            if (t[i] >= CLASSES) {
                throw new FileFormatException(file + ": label " + t[i] + " at index " + i + " is not a digit 0-9");
            }
        }
        return t;
    }

    private static void checkImages(int[] dims, Path imagesFile, int labels, Path labelsFile)
            throws FileFormatException {
        if (dims.length != 3 || dims[1] != ROWS || dims[2] != COLS) {
            throw new FileFormatException(imagesFile + ": expected images of shape (N, 28, 28), got "
                    + Shapes.toString(dims));
        }
        if (labels != dims[0]) {
            throw new FileFormatException(labelsFile + " holds " + labels + " labels but " + imagesFile + " holds "
                    + dims[0] + " images");
        }
    }

    private static Tensor newImages(int n, Options options) {
        return options.flatten() ? Tensor.zeros(options.dtype(), n, PIXELS)
                : Tensor.zeros(options.dtype(), n, 1, ROWS, COLS);
    }

    /**
     * As the book: {@code x.astype(dtype) / 255.0}, the division done in the target precision; looked up in a table
     * of the 256 quotients (the same bits, without 47 million divisions). Float32 quotients are held as doubles,
     * which represent them exactly.
     */
    private static double[] quotients(Options options) {
        double divisor = options.normalize() ? 255.0 : 1.0;
        double[] q = new double[256];
        for (int v = 0; v < 256; v++) {
            q[v] = options.dtype() == DType.FLOAT32 ? v / (float) divisor : v / divisor;
        }
        return q;
    }

    /** Writes the quotients of {@code count} pixels from {@code pixels[from]} into {@code x} from element {@code at}. */
    private static void convert(byte[] pixels, int from, int count, Tensor x, int at, double[] quotients) {
        if (x.dtype() == DType.FLOAT32) {
            float[] f = x.floats();
            for (int i = 0; i < count; i++) {
                f[at + i] = (float) quotients[pixels[from + i] & 0xFF];
            }
        } else {
            double[] d = x.doubles();
            for (int i = 0; i < count; i++) {
                d[at + i] = quotients[pixels[from + i] & 0xFF];
            }
        }
    }

    private static Labels labels(int[] indices, Options options) {
        return options.oneHotLabel() ? Labels.oneHot(Labels.toOneHot(indices, CLASSES, options.dtype()))
                : Labels.of(indices);
    }

    /** The file {@code name} or {@code name.gz} in {@code dir}. */
    static Path locate(Path dir, String name) throws IOException {
        Path raw = dir.resolve(name);
        if (Files.isRegularFile(raw)) {
            return raw;
        }
        Path gz = dir.resolve(name + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        throw new NoSuchFileException(raw.toString(), null, "MNIST file " + name + " (or " + name
                + ".gz) not found in " + dir);
    }
}
