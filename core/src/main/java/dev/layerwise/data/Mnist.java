package dev.layerwise.data;

import dev.layerwise.io.FileFormatException;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Shapes;
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

    /**
     * Loads the four files from {@code dir} (no network) and converts them as {@code options} say. The images stay
     * bytes, read as floats when used ({@link DataSet#ofUnsignedBytes}): MNIST's training images take 47 MB instead of
     * 188 MB in float32, and memory a process has not touched before is slow to come by on small machines.
     */
    public static Data load(Path dir, Options options) throws IOException {
        return new Data(toDataSet(readSplit(dir, TRAIN_IMAGES, TRAIN_LABELS), options),
                toDataSet(readSplit(dir, TEST_IMAGES, TEST_LABELS), options));
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

    /**
     * Converts raw images and labels to a data set as {@code options} say: as the book's {@code x.astype(dtype) /
     * 255.0}, the division done in the target precision, when the images are used. The pixels are kept, not copied.
     */
    public static DataSet toDataSet(Split split, Options options) {
        int n = split.count();
        int[] shape = options.flatten() ? new int[] {n, PIXELS} : new int[] {n, 1, ROWS, COLS};
        Labels t = options.oneHotLabel()
                ? Labels.oneHot(Labels.toOneHot(split.labels(), CLASSES, options.dtype()))
                : Labels.of(split.labels());
        return DataSet.ofUnsignedBytes(split.pixels(), shape, options.normalize() ? 255.0 : 1.0, options.dtype(), t);
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
