package dev.layerwise.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.data.DataContract;
import dev.layerwise.data.Mnist;
import dev.layerwise.data.MnistFetcher;
import dev.layerwise.model.Model;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.optim.SGD;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.train.Trainer;
import dev.layerwise.util.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Batch inference on a DataFrame gives what {@link Model#classify} gives. */
class LayerwiseSparkTest {
    /** MNIST's training pixels, read by the tasks (local mode: the same JVM) to build the rows where they run. */
    private static byte[] pixels;

    @Test
    void sixtyThousandMnistRowsArePredictedAsModelClassifyDoes() throws Exception {
        Path dir = MnistFetcher.defaultCacheDir();
        assertTrue(Files.isDirectory(dir), "MNIST is needed in " + dir + ": run `layerwise data fetch mnist`");
        Mnist.Split split = Mnist.readSplit(dir, Mnist.TRAIN_IMAGES, Mnist.TRAIN_LABELS);
        pixels = split.pixels();
        Mnist.Data data = Mnist.load(dir, Mnist.Options.defaults());
        TwoLayerNet net = new TwoLayerNet(784, 50, 10, 0.01, DType.FLOAT32, new Rng(1));
        Trainer.builder(net, new SGD(0.1), data.train(), null).iterations(300).batchSize(100).seed(2).build().run();
        Model model = Model.of(net).withContract(DataContract.mnist());
        int[] expected = model.classify(data.train().x());
        Tensor expectedP = model.probabilities(data.train().x().rows(0, 1000));

        SparkSession spark = LocalSpark.session();
        StructType schema = new StructType().add("id", DataTypes.IntegerType, false)
                .add("pixels", DataTypes.createArrayType(DataTypes.IntegerType, false), false);
        int n = split.count();
        Dataset<Row> images = spark.range(0, n, 1, 4).map((MapFunction<Long, Row>) i -> {
            int[] p = new int[Mnist.PIXELS];
            for (int j = 0; j < p.length; j++) {
                p[j] = pixels[(int) (long) i * Mnist.PIXELS + j] & 0xFF;
            }
            return RowFactory.create((int) (long) i, p);
        }, Encoders.row(schema));

        List<Row> scored = LayerwiseSpark.predict(model, images, "pixels")
                .select("id", "prediction", "class_name", "probability").collectAsList();
        assertEquals(n, scored.size());
        int[] got = new int[n];
        for (Row r : scored) {
            int id = r.getInt(0);
            got[id] = r.getInt(1);
            assertEquals(Integer.toString(got[id]), r.getString(2), "class name of row " + id);
            if (id < 1000) {
                List<Object> p = r.getList(3);
                for (int k = 0; k < 10; k++) {
                    assertEquals(expectedP.get(id, k), (Double) p.get(k), 1e-6, "probability " + k + " of row " + id);
                }
            }
        }
        assertArrayEquals(expected, got, "predictions differ from Model.classify");
    }

    @Test
    void mlVectorsAreStandardisedByTheContractAndNamedByIt() {
        TwoLayerNet net = new TwoLayerNet(3, 8, 3, 1.0, DType.FLOAT64, new Rng(4));
        double[] mean = {10, -5, 0.5};
        double[] std = {2, 4, 0.25};
        DataContract contract = new DataContract(DataContract.Kind.FEATURES, new int[] {3},
                List.of("low", "mid", "high"), new DataContract.Normalization.Standardize(mean, std), null,
                List.of("a", "b", "c"));
        Model model = Model.of(net).withContract(contract);
        Rng rng = new Rng(9);
        int n = 40;
        double[] standardised = new double[n * 3];
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] raw = new double[3];
            for (int j = 0; j < 3; j++) {
                raw[j] = mean[j] + std[j] * 2 * rng.nextGaussian();
                standardised[i * 3 + j] = (raw[j] - mean[j]) / std[j];
            }
            rows.add(RowFactory.create(i, Vectors.dense(raw)));
        }
        int[] expected = model.classify(Tensor.wrap(standardised, n, 3));
        StructType schema = new StructType().add("id", DataTypes.IntegerType, false)
                .add("features", SQLDataTypes.VectorType(), false);
        List<Row> scored = LayerwiseSpark.predict(model, LocalSpark.session().createDataFrame(rows, schema),
                "features", 7).select("id", "prediction", "class_name").collectAsList();
        assertEquals(n, scored.size());
        for (Row r : scored) {
            int id = r.getInt(0);
            assertEquals(expected[id], r.getInt(1), "row " + id);
            assertEquals(contract.classNames().get(expected[id]), r.getString(2), "row " + id);
        }
    }

    @Test
    void theSqlFunctionNamesTheClassModelClassifyGives() {
        TwoLayerNet net = new TwoLayerNet(5, 6, 3, 1.0, DType.FLOAT32, new Rng(8));
        Model model = Model.of(net);
        Rng rng = new Rng(2);
        int n = 25;
        float[] x = new float[n * 5];
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] v = new double[5];
            for (int j = 0; j < 5; j++) {
                v[j] = rng.nextGaussian();
                x[i * 5 + j] = (float) v[j];
            }
            rows.add(RowFactory.create(i, v));
        }
        int[] expected = model.classify(Tensor.wrap(x, n, 5));
        SparkSession spark = LocalSpark.session();
        StructType schema = new StructType().add("id", DataTypes.IntegerType, false)
                .add("v", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
        spark.createDataFrame(rows, schema).createOrReplaceTempView("points");
        LayerwiseSpark.registerUdf(spark, "layerwise_class", model);
        List<Row> got = spark.sql("SELECT id, layerwise_class(v) FROM points").collectAsList();
        assertEquals(n, got.size());
        for (Row r : got) {
            assertEquals(Integer.toString(expected[r.getInt(0)]), r.getString(1), "row " + r.getInt(0));
        }
    }

    @Test
    void featuresOfTheWrongLengthFailNamingColumnRowAndLength() {
        Model model = Model.of(new TwoLayerNet(4, 5, 2, 0.1, DType.FLOAT64, new Rng(1)));
        StructType schema = new StructType()
                .add("x", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
        List<Row> rows = List.of(RowFactory.create((Object) new double[] {1, 2, 3, 4}),
                RowFactory.create((Object) new double[] {1, 2, 3}));
        Dataset<Row> df = LocalSpark.session().createDataFrame(rows, schema).coalesce(1);
        Exception e = assertThrows(Exception.class, () -> LayerwiseSpark.predict(model, df, "x").collectAsList());
        String messages = chain(e);
        assertTrue(messages.contains("column 'x', row 1: 3 values, the model takes 4"), messages);

        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> LayerwiseSpark.predict(model, df, "pixels"));
        assertEquals("no column 'pixels' in [x]", missing.getMessage());
    }

    private static String chain(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            b.append(t.getMessage()).append('\n');
        }
        return b.toString();
    }
}
