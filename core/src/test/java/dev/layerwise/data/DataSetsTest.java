package dev.layerwise.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.io.FileFormatException;
import dev.layerwise.io.NpyArray;
import dev.layerwise.io.Npz;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The IDX and .npz sources of {@link DataSets}, and what core says without the CSV module. */
class DataSetsTest {
    @TempDir
    Path dir;

    /** Writes an IDX image set of {@code count} images of h×w; image i has label labels[i % labels.length]. */
    private static void writeIdx(Path dir, String split, int count, int h, int w, int[] labels, boolean gz)
            throws IOException {
        byte[] pixels = new byte[count * h * w];
        byte[] t = new byte[count];
        for (int i = 0; i < count; i++) {
            t[i] = (byte) labels[i % labels.length];
            for (int p = 0; p < h * w; p++) {
                pixels[i * h * w + p] = (byte) ((i * 31 + p * 7) & 0xFF);
            }
        }
        byte[] images = IdxTest.idx(new int[] {count, h, w}, pixels);
        byte[] lab = IdxTest.idx(new int[] {count}, t);
        String suffix = gz ? ".gz" : "";
        Files.write(dir.resolve(split + "-images-idx3-ubyte" + suffix), gz ? IdxTest.gzip(images) : images);
        Files.write(dir.resolve(split + "-labels-idx1-ubyte" + suffix), gz ? IdxTest.gzip(lab) : lab);
    }

    @Test
    void idxImagesOfAnySizeAndClassCountAsFashionMnistShipsThem() throws IOException {
        writeIdx(dir, "train", 60, 12, 10, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}, true);
        writeIdx(dir, "t10k", 15, 12, 10, new int[] {14, 0, 3}, false);
        LabeledData d = DataSets.idx(dir, DataSets.Options.defaults().withDType(DType.FLOAT64));
        assertArrayEquals(new int[] {60, 1, 12, 10}, d.train().shape());
        assertArrayEquals(new int[] {15, 1, 12, 10}, d.test().shape());
        assertEquals(15, d.contract().classes());
        assertArrayEquals(new int[] {1, 12, 10}, d.contract().exampleShape());
        assertEquals(DataContract.ImageFit.RESIZE, d.contract().imageFit());
        assertEquals((1 * 31 + 5 * 7) / 255.0, d.train().x().getDouble(120 + 5), 1e-15);
        assertEquals(14, d.test().t().indices()[0]);
        assertTrue(d.description().endsWith("(12×10, 15 classes): 60 train, 15 test"), d.description());
    }

    @Test
    void idxWithAValidationSplitKeepsItsTestSet() throws IOException {
        writeIdx(dir, "train", 40, 4, 4, new int[] {0, 1}, false);
        writeIdx(dir, "t10k", 10, 4, 4, new int[] {0, 1}, false);
        LabeledData d = DataSets.idx(dir, DataSets.Options.defaults().withValidation(0.25, 1));
        assertEquals(30, d.train().size());
        assertEquals(10, d.validation().size());
        assertEquals(10, d.test().size());
        assertEquals(d.validation(), d.evaluation());
        assertTrue(d.description().endsWith("validation 25% (seed 1, stratified): 30 train, 10 validation, 10 test"),
                d.description());
    }

    @Test
    void idxTestLabelsNeverSeenInTrainingAndMismatchedSizesAreErrors() throws IOException {
        writeIdx(dir, "train", 20, 5, 5, new int[] {0, 1, 3}, false);
        writeIdx(dir, "t10k", 5, 5, 5, new int[] {1, 2}, false);
        FileFormatException e = assertThrows(FileFormatException.class,
                () -> DataSets.idx(dir, DataSets.Options.defaults()));
        assertEquals(dir + "/t10k-labels-idx1-ubyte: label 2 (example 1) never occurs in the training labels",
                e.getMessage());
        writeIdx(dir, "t10k", 5, 6, 5, new int[] {1}, false);
        e = assertThrows(FileFormatException.class, () -> DataSets.idx(dir, DataSets.Options.defaults()));
        assertEquals(dir + ": training images are 5×5 but test images are 6×5", e.getMessage());
        writeIdx(dir, "train", 20, 5, 5, new int[] {4}, false);
        writeIdx(dir, "t10k", 5, 5, 5, new int[] {4}, false);
        e = assertThrows(FileFormatException.class, () -> DataSets.idx(dir, DataSets.Options.defaults()));
        assertEquals(dir + "/train-labels-idx1-ubyte: every training label is 4; a classifier needs at least 2 "
                + "classes", e.getMessage());
    }

    private Path npz(Map<String, NpyArray> arrays) throws IOException {
        Path f = dir.resolve("d.npz");
        Npz.write(f, arrays);
        return f;
    }

    @Test
    void npzFeaturesAsXAndYWithAValidationSplit() throws IOException {
        double[] x = new double[20 * 3];
        int[] y = new int[20];
        for (int i = 0; i < 20; i++) {
            y[i] = i % 2;
            for (int j = 0; j < 3; j++) {
                x[i * 3 + j] = i + 0.5 * j;
            }
        }
        Map<String, NpyArray> a = new LinkedHashMap<>();
        a.put("x", NpyArray.ofDoubles(x, 20, 3));
        a.put("y", NpyArray.ofInts(y, 20));
        LabeledData d = DataSets.npz(npz(a), DataSets.Options.defaults().withDType(DType.FLOAT64)
                .withValidation(0.2, 5));
        assertEquals(DataContract.Kind.FEATURES, d.contract().kind());
        assertArrayEquals(new int[] {3}, d.contract().exampleShape());
        assertEquals(new DataContract.Normalization.Scale(1), d.contract().normalization());
        assertEquals(16, d.train().size());
        assertEquals(4, d.validation().size());
        assertNull(d.test());
        double[] v = d.validation().x().toDoubleArray();
        int[] t = d.validation().t().indices();
        for (int k = 0; k < 4; k++) {
            int i = (int) v[3 * k];
            assertEquals(i % 2, t[k], "each held-out example keeps its label");
            assertEquals(i + 1.0, v[3 * k + 2], 1e-15);
        }
    }

    @Test
    void npzImagesChannelsLastBecomeChannelsFirst() throws IOException {
        int n = 4;
        int h = 2;
        int w = 3;
        double[] x = new double[n * h * w * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        Map<String, NpyArray> a = new LinkedHashMap<>();
        a.put("x_train", NpyArray.ofDoubles(x, n, h, w, 3));
        a.put("y_train", NpyArray.ofInts(new int[] {0, 1, 0, 1}, n, 1));
        a.put("x_test", NpyArray.ofDoubles(x, n, h, w, 3));
        a.put("y_test", NpyArray.ofInts(new int[] {1, 1, 0, 0}, n));
        LabeledData d = DataSets.npz(npz(a), DataSets.Options.defaults().withDType(DType.FLOAT64));
        assertEquals(DataContract.Kind.IMAGES, d.contract().kind());
        assertArrayEquals(new int[] {3, 2, 3}, d.contract().exampleShape());
        Tensor t = d.train().x();
        // Example 1, channel 2, row 1, column 0 was x[1, 1, 0, 2] = ((1·2 + 1)·3 + 0)·3 + 2.
        assertEquals(((1 * 2 + 1) * 3 + 0) * 3 + 2, t.get(1, 2, 1, 0), 0);
        assertEquals(4, d.test().size());
    }

    @Test
    void npzErrorsNameTheArray() throws IOException {
        Map<String, NpyArray> a = new LinkedHashMap<>();
        a.put("images", NpyArray.ofDoubles(new double[4], 2, 2));
        Path f = npz(a);
        FileFormatException e = assertThrows(FileFormatException.class,
                () -> DataSets.npz(f, DataSets.Options.defaults()));
        assertEquals(f + ": expected arrays x_train, y_train (and x_test, y_test) or x, y; found images",
                e.getMessage());

        a.clear();
        a.put("x_train", NpyArray.ofDoubles(new double[6], 3, 2));
        a.put("y_train", NpyArray.ofInts(new int[] {0, 1}, 2));
        Path g = npz(a);
        e = assertThrows(FileFormatException.class, () -> DataSets.npz(g, DataSets.Options.defaults()));
        assertEquals(g + ": x_train holds 3 examples but y_train holds 2 labels", e.getMessage());

        a.put("y_train", NpyArray.ofDoubles(new double[] {0, 1, 0.5}, 3));
        Path h = npz(a);
        e = assertThrows(FileFormatException.class, () -> DataSets.npz(h, DataSets.Options.defaults()));
        assertEquals(h + ": array y_train holds <f8 values; labels must be integers (class indices 0, 1, …)",
                e.getMessage());

        a.put("y_train", NpyArray.ofInts(new int[] {0, 1, 1}, 3));
        a.put("x_test", NpyArray.ofDoubles(new double[2], 1, 2));
        Path k = npz(a);
        e = assertThrows(FileFormatException.class, () -> DataSets.npz(k, DataSets.Options.defaults()));
        assertEquals(k + ": array y_test is missing (found x_train, y_train, x_test)", e.getMessage());

        a.put("y_test", NpyArray.ofInts(new int[] {2}, 1));
        Path m = npz(a);
        e = assertThrows(FileFormatException.class, () -> DataSets.npz(m, DataSets.Options.defaults()));
        assertEquals(m + ": y_test: label 2 (example 0) never occurs in the training labels", e.getMessage());

        a.put("y_train", NpyArray.ofInts(new int[] {0, 1, 2_000_000_000}, 3));
        Path big = npz(a);
        e = assertThrows(FileFormatException.class, () -> DataSets.npz(big, DataSets.Options.defaults()));
        assertEquals(big + ": y_train: label 2000000000 is not a class index (0 to 65535)", e.getMessage());

        a.put("y_train", NpyArray.ofInts(new int[] {0, 1, 1}, 3));
        a.put("y_test", NpyArray.ofInts(new int[] {1}, 1));
        a.put("x_train", NpyArray.ofDoubles(new double[] {0, 1, Double.NaN, 3, 4, 5}, 3, 2));
        Path nan = npz(a);
        e = assertThrows(FileFormatException.class, () -> DataSets.npz(nan, DataSets.Options.defaults()));
        assertEquals(nan + ": array x_train: element 2 is NaN (NaN and infinity are not allowed)", e.getMessage());

        a.put("x_train", NpyArray.ofDoubles(new double[3 * 5 * 5 * 5], 3, 5, 5, 5));
        Path chans = npz(a);
        e = assertThrows(FileFormatException.class, () -> DataSets.npz(chans, DataSets.Options.defaults()));
        assertEquals(chans + ": array x_train has shape (3, 5, 5, 5); images need 1 or 3 channels, first "
                + "(N, C, H, W) or last (N, H, W, C)", e.getMessage());
    }

    @Test
    void withoutTheCsvModuleCoreSaysWhichModuleToAdd() throws IOException {
        Path f = dir.resolve("t.csv");
        Files.writeString(f, "a,label\n1,x\n2,y\n");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DataSets.csv(f, DataSets.CsvOptions.label("label")));
        assertEquals("reading CSV needs a CSV parser: add layerwise-csv (dev.layerwise:layerwise-csv) to the class "
                + "path", e.getMessage());
    }

    @Test
    void aDataSourceSurvivesItsJsonForm() throws IOException {
        DataSource s = new DataSource(DataSource.Kind.CSV, "/data/iris.csv",
                Map.of("label", "species", DataSource.VAL_SPLIT, 0.2, DataSource.SEED, 7L));
        DataSource back = DataSource.fromMap(dev.layerwise.io.Json.parse(dev.layerwise.io.Json.write(s.toMap()), "t"),
                "t");
        assertEquals(s.kind(), back.kind());
        assertEquals(s.path(), back.path());
        assertEquals(new ValidationSplit(0.2, 7), back.validationSplit());
        assertEquals(List.of("kind", "path"), List.copyOf(s.toMap().keySet()).subList(0, 2));
        FileFormatException e = assertThrows(FileFormatException.class, () -> DataSource.fromMap(
                Map.of("kind", "csv", DataSource.VAL_SPLIT, 2.0), "settings"));
        assertEquals("settings: the validation split must be a fraction between 0 and 1 (exclusive), got 2.0",
                e.getMessage());
    }
}
