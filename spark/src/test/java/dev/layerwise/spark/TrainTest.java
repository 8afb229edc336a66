package dev.layerwise.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.data.DataContract;
import dev.layerwise.model.Model;
import dev.layerwise.net.Architectures;
import dev.layerwise.net.MultiLayerNet;
import dev.layerwise.net.MultiLayerNetExtend;
import dev.layerwise.net.NetworkType;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.testing.TestImages;
import dev.layerwise.util.Rng;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spark-submit entry point on {@code local[2]}, for each kind of input, each test with data it writes itself: a
 * Parquet table with an array column, CSV tables with numeric columns, an image folder and MNIST's files.
 */
class TrainTest {
    private static final int FEATURES = 4;
    private static final int CLASSES = 3;

    @TempDir
    Path dir;

    /** Rows whose label is the feature raised by 3: what any of the book's nets learns in a few epochs. */
    private static double[][] blobs(int rows, int[] labels, long seed) {
        Rng rng = new Rng(seed);
        double[][] x = new double[rows][FEATURES];
        for (int i = 0; i < rows; i++) {
            labels[i] = rng.nextInt(CLASSES);
            for (int j = 0; j < FEATURES; j++) {
                x[i][j] = rng.nextGaussian() + (j == labels[i] ? 3 : 0);
            }
        }
        return x;
    }

    private static double accuracy(Model m, double[][] x, int[] t) {
        double[] flat = new double[x.length * x[0].length];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(x[i], 0, flat, i * x[0].length, x[0].length);
        }
        Tensor in = Tensor.of(DType.FLOAT64, flat, x.length, x[0].length).to(DType.FLOAT32);
        return m.network().accuracy(in, Labels.of(t));
    }

    private static Train.Outcome train(String... args) throws IOException {
        return Train.run(LocalSpark.session(), Train.parse(args));
    }

    @Test
    void parquetWithAnArrayColumn() throws IOException {
        int[] t = new int[300];
        double[][] x = blobs(t.length, t, 1);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < t.length; i++) {
            rows.add(RowFactory.create(x[i], (long) t[i]));
        }
        StructType schema = new StructType().add("v", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
                .add("y", DataTypes.LongType, false);
        Path table = dir.resolve("blobs.parquet");
        LocalSpark.session().createDataFrame(rows, schema).write().parquet(table.toString());

        Train.Outcome r = train("--arch", "mlp", "--hidden", "16", "--data", table.toString(), "--features", "v",
                "--label", "y", "--workers", "2", "--epochs", "4", "--batch-size", "10", "--seed", "1",
                "--output", dir.resolve("blobs.lw").toString());
        assertEquals(MultiLayerNet.ARCHITECTURE, r.model().network().architecture().name());
        assertEquals(List.of("0", "1", "2"), r.model().contract().classNames());
        assertEquals(FEATURES, r.model().contract().features());
        assertTrue(Double.isNaN(r.testAccuracy()), "a table has no test split here");
        double acc = accuracy(Model.load(dir.resolve("blobs.lw")), x, t);
        assertTrue(acc > 0.9, "training accuracy " + acc);
    }

    @Test
    void csvWithNumericColumnsTakesAllButTheLabelAndNonNumbers() throws IOException {
        int[] t = new int[300];
        double[][] x = blobs(t.length, t, 2);
        StringBuilder csv = new StringBuilder("a,name,b,c,d,label\n");
        for (int i = 0; i < t.length; i++) {
            csv.append(String.format(Locale.ROOT, "%.6f,row%d,%.6f,%.6f,%.6f,%d%n", x[i][0], i, x[i][1], x[i][2],
                    x[i][3], t[i]));
        }
        Path file = Files.writeString(dir.resolve("blobs.csv"), csv);

        Train.Outcome r = train("--data", file.toString(), "--workers", "2", "--epochs", "4", "--batch-size", "10",
                "--hidden", "16", "--seed", "1");
        assertEquals(TwoLayerNet.ARCHITECTURE, r.model().network().architecture().name());
        assertEquals(List.of("a", "b", "c", "d"), r.model().contract().featureNames());
        double acc = accuracy(r.model(), x, t);
        assertTrue(acc > 0.9, "training accuracy " + acc);

        // --features as a list of columns, in the order given
        Train.Outcome two = train("--data", file.toString(), "--format", "csv", "--features", "c,a", "--workers", "2",
                "--epochs", "1", "--batch-size", "10");
        assertEquals(List.of("c", "a"), two.model().contract().featureNames());
        assertEquals(2, two.model().contract().features());
    }

    @Test
    void anImageFolderIsDecodedAsLayerwiseTrainDecodesIt() throws IOException {
        Rng rng = new Rng(5);
        String[] classes = {"dark", "light"};
        for (String split : new String[] {"train", "test"}) {
            for (int c = 0; c < classes.length; c++) {
                for (int i = 0; i < (split.equals("train") ? 60 : 20); i++) {
                    byte[] px = new byte[8 * 8];
                    for (int p = 0; p < px.length; p++) {
                        px[p] = (byte) ((c == 0 ? 40 : 200) + rng.nextInt(40) - 20);
                    }
                    TestImages.write(TestImages.grey(px, 8, 8), "png",
                            dir.resolve("shapes").resolve(split).resolve(classes[c]).resolve(i + ".png"));
                }
            }
        }
        assertEquals(Train.Format.IMAGES, Train.detect(dir.resolve("shapes").toString()));
        Train.Outcome r = train("--arch", "two-layer", "--hidden", "10", "--data", dir.resolve("shapes").toString(),
                "--workers", "2", "--epochs", "5", "--batch-size", "10", "--lr", "0.5");
        DataContract c = r.model().contract();
        assertEquals(DataContract.Kind.IMAGES, c.kind());
        assertEquals(List.of("dark", "light"), c.classNames());
        assertEquals(List.of(1, 8, 8), java.util.Arrays.stream(c.exampleShape()).boxed().toList());
        assertTrue(r.testAccuracy() > 0.9, "test accuracy " + r.testAccuracy());
    }

    @Test
    void mnistFilesTrainAndScoreTheTestSplit() throws IOException {
        Path mnist = Files.createDirectories(dir.resolve("mnist"));
        writeMnist(mnist, "train", 400, 1);
        writeMnist(mnist, "t10k", 100, 2);
        assertEquals(Train.Format.MNIST, Train.detect(mnist.toString()));
        Train.Outcome r = train("--arch", "mlp", "--hidden", "20", "--dropout", "0.1", "--data", mnist.toString(),
                "--workers", "2", "--epochs", "3", "--batch-size", "20", "--seed", "3", "--optimizer", "sgd", "--lr",
                "0.1");
        assertEquals(MultiLayerNetExtend.ARCHITECTURE, r.model().network().architecture().name());
        assertEquals(DataContract.mnist(), r.model().contract());
        assertTrue(r.testAccuracy() > 0.9, "test accuracy " + r.testAccuracy());
    }

    /** MNIST-format files of {@code n} digits, each a bright 4×4 block at a place of its own for each label. */
    private static void writeMnist(Path dir, String split, int n, long seed) throws IOException {
        Rng rng = new Rng(seed);
        byte[] pixels = new byte[n * 784];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            int label = rng.nextInt(10);
            labels[i] = (byte) label;
            int top = 2 + (label / 5) * 12 + rng.nextInt(3);
            int left = 2 + (label % 5) * 5;
            for (int y = top; y < top + 4; y++) {
                for (int x = left; x < left + 4; x++) {
                    pixels[i * 784 + y * 28 + x] = (byte) 255;
                }
            }
        }
        Files.write(dir.resolve(split + "-images-idx3-ubyte"), idx(0x0803, new int[] {n, 28, 28}, pixels));
        Files.write(dir.resolve(split + "-labels-idx1-ubyte"), idx(0x0801, new int[] {n}, labels));
    }

    private static byte[] idx(int magic, int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(data);
        return bytes.toByteArray();
    }

    @Test
    void modelIsTheFormerNameOfArchAndIsAcceptedWithANote() {
        Train.Options o = Train.parse(new String[] {"--model", "mlp", "--data", "x"});
        assertEquals("mlp", o.arch());
        assertEquals(List.of("--model mlp is spelled --arch mlp now"), o.notes());
        assertEquals(List.of(), Train.parse(new String[] {"--arch", "mlp", "--data", "x"}).notes());
        assertNull(Train.parse(new String[] {"--data", "x"}).hidden());
        assertEquals("--model is the former name of --arch: give --arch only", assertThrows(
                IllegalArgumentException.class, () -> Train.parse(new String[] {"--arch", "mlp", "--model", "mlp",
                        "--data", "x"})).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Train.parse(new String[] {"--arch", "resnet",
                "--data", "x"})).getMessage().startsWith("unknown network 'resnet' for --arch (expected one of"));
        assertEquals("--format must be parquet, csv, images or mnist, got 'json'", assertThrows(
                IllegalArgumentException.class, () -> Train.parse(new String[] {"--format", "json", "--data", "x"}))
                .getMessage());
    }

    @Test
    void exchangeIsTheRingUnlessTheDriverIsAskedFor() {
        assertEquals(SparkTrainer.Exchange.RING, Train.parse(new String[] {"--data", "x"}).exchange());
        assertEquals(SparkTrainer.Exchange.DRIVER, Train.parse(new String[] {"--data", "x", "--exchange", "driver"})
                .exchange());
        assertEquals("--exchange must be ring or driver, got 'mpi'", assertThrows(IllegalArgumentException.class,
                () -> Train.parse(new String[] {"--data", "x", "--exchange", "mpi"})).getMessage());
    }

    @Test
    void aMissingOrNonIntegerLabelIsNamedWithTheColumns() {
        StructType schema = new StructType().add("a", DataTypes.DoubleType).add("y", DataTypes.DoubleType);
        Dataset<Row> df = LocalSpark.session().createDataFrame(List.of(RowFactory.create(1.0, 0.0)), schema);
        assertEquals("t.parquet: no label column 'label' (columns: a, y; choose one with --label)",
                assertThrows(IllegalArgumentException.class, () -> Train.table(df, null, "label", "t.parquet"))
                        .getMessage());
        assertEquals("t.parquet: label column 'y' holds double, expected integer class indices",
                assertThrows(IllegalArgumentException.class, () -> Train.table(df, null, "y", "t.parquet"))
                        .getMessage());
        assertEquals("t.parquet: no features column 'b' (columns: a, y)",
                assertThrows(IllegalArgumentException.class, () -> Train.table(df.withColumn("y",
                        df.col("y").cast("int")), "b", "y", "t.parquet")).getMessage());
    }

    @Test
    void anOutputThatCannotBeWrittenStopsTheRunBeforeItStarts() {
        Path missing = dir.resolve("no-such-dir");
        Path output = missing.resolve("model.lw");
        Train.Options o = Train.parse(new String[] {"--arch", "two-layer", "--data", dir.resolve("data").toString(),
            "--output", output.toString()});
        // No session: the check comes before Spark is touched.
        IOException e = assertThrows(IOException.class, () -> Train.run(null, o));
        assertEquals("cannot write " + output + ": no such directory " + missing, e.getMessage());
        assertFalse(Files.exists(missing));
    }

    @Test
    void theOptimizerAndRateDefaultToTheNetworksAsLayerwiseTrainChooses() {
        String[] data = {"--data", "x"};
        Train.Options conv = Train.parse(new String[] {"--arch", "simple-convnet", "--data", "x"});
        NetworkType.Training convTraining = Architectures.type("simple-convnet").training();
        assertEquals("adam", Train.optimizer(conv, convTraining));
        assertEquals(0.001, Train.learningRate(conv, convTraining));
        Train.Options twoLayer = Train.parse(data);
        NetworkType.Training twoLayerTraining = Architectures.type("two-layer").training();
        assertEquals("sgd", Train.optimizer(twoLayer, twoLayerTraining));
        assertEquals(0.1, Train.learningRate(twoLayer, twoLayerTraining));
        Train.Options given = Train.parse(new String[] {"--arch", "simple-convnet", "--data", "x", "--optimizer",
            "momentum", "--lr", "0.05"});
        assertEquals("momentum", Train.optimizer(given, convTraining));
        assertEquals(0.05, Train.learningRate(given, convTraining));
    }
}
