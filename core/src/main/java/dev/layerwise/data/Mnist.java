package dev.layerwise.data;

import dev.layerwise.io.FileFormatException;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
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

    /** Loads the four files from {@code dir} (no network) and converts them as {@code options} say. */
    public static Data load(Path dir, Options options) throws IOException {
        return new Data(toDataSet(readSplit(dir, TRAIN_IMAGES, TRAIN_LABELS), options),
                toDataSet(readSplit(dir, TEST_IMAGES, TEST_LABELS), options));
    }

    /** Reads one pair of image and label files from {@code dir}, checking that they belong together. */
    public static Split readSplit(Path dir, String imagesName, String labelsName) throws IOException {
        Path imagesFile = locate(dir, imagesName);
        Path labelsFile = locate(dir, labelsName);
        Idx.Array images = Idx.read(imagesFile);
        Idx.Array labels = Idx.read(labelsFile);
        if (images.dims().length != 3 || images.dims()[1] != ROWS || images.dims()[2] != COLS) {
            throw new FileFormatException(imagesFile + ": expected images of shape (N, 28, 28), got "
                    + dev.layerwise.tensor.Shapes.toString(images.dims()));
        }
        if (labels.dims().length != 1) {
            throw new FileFormatException(labelsFile + ": expected a 1-D label file, got shape "
                    + dev.layerwise.tensor.Shapes.toString(labels.dims()));
        }
        int n = images.dims()[0];
        if (labels.dims()[0] != n) {
            throw new FileFormatException(labelsFile + " holds " + labels.dims()[0] + " labels but " + imagesFile
                    + " holds " + n + " images");
        }
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = labels.get(i);
            if (t[i] >= CLASSES) {
                throw new FileFormatException(labelsFile + ": label " + t[i] + " at index " + i
                        + " is not a digit 0-9");
            }
        }
        return new Split(n, images.data(), t);
    }

    /** Converts raw images and labels to a data set as {@code options} say. */
    public static DataSet toDataSet(Split split, Options options) {
        int n = split.count();
        Tensor x = options.flatten()
                ? Tensor.zeros(options.dtype(), n, PIXELS)
                : Tensor.zeros(options.dtype(), n, 1, ROWS, COLS);
        // As the book: x.astype(dtype) / 255.0, the division done in the target precision; looked up in a table of
        // the 256 quotients (the same bits, without 47 million divisions).
        double divisor = options.normalize() ? 255.0 : 1.0;
        byte[] px = split.pixels();
        if (options.dtype() == DType.FLOAT32) {
            float[] quotient = new float[256];
            for (int v = 0; v < 256; v++) {
                quotient[v] = v / (float) divisor;
            }
            float[] f = x.floats();
            for (int i = 0; i < px.length; i++) {
                f[i] = quotient[px[i] & 0xFF];
            }
        } else {
            double[] quotient = new double[256];
            for (int v = 0; v < 256; v++) {
                quotient[v] = v / divisor;
            }
            double[] d = x.doubles();
            for (int i = 0; i < px.length; i++) {
                d[i] = quotient[px[i] & 0xFF];
            }
        }
        Labels t = options.oneHotLabel()
                ? Labels.oneHot(Labels.toOneHot(split.labels(), CLASSES, options.dtype()))
                : Labels.of(split.labels());
        return new DataSet(x, t);
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
