package dev.layerwise.spark;

import dev.layerwise.data.DataContract;
import dev.layerwise.layer.Functions;
import dev.layerwise.model.Model;
import dev.layerwise.tensor.Ops;
import dev.layerwise.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.reflect.ClassTag$;

/**
 * Batch inference on a Spark {@link Dataset}: every row's features go through a Layerwise model, and three columns are
 * added, {@code prediction} (the class index, int), {@code class_name} (its name in the model's contract, string) and
 * {@code probability} (the softmax over all classes, array of double, as Spark ML's classifiers give it).
 *
 * <p>The model is broadcast once, as the bytes of its file; each partition rebuilds it (a network keeps per-batch
 * buffers, so tasks running side by side on one executor each need their own) and runs it on batches of rows, on the
 * Vector API kernels when the executors enable {@code jdk.incubator.vector}. The features are an array column of
 * numbers or a Spark ML {@code Vector}, raw values preprocessed by the model's {@link DataContract} (pixels / 255 for
 * an image model).
 *
 * <pre>{@code
 * Dataset<Row> scored = LayerwiseSpark.predict(Model.load(Path.of("mnist.lw")), images, "pixels");
 * scored.select("id", "class_name").show();
 * }</pre>
 */
public final class LayerwiseSpark {
    /** Rows per batch of inference: large enough for the matrix kernels, small enough to keep the buffers small. */
    public static final int DEFAULT_BATCH_SIZE = 256;

    private LayerwiseSpark() {
    }

    /** {@link #predict(Model, Dataset, String, int)} with batches of {@link #DEFAULT_BATCH_SIZE} rows. */
    public static Dataset<Row> predict(Model model, Dataset<Row> dataset, String featuresColumn) {
        return predict(model, dataset, featuresColumn, DEFAULT_BATCH_SIZE);
    }

    /**
     * {@code dataset} with the columns {@code prediction}, {@code class_name} and {@code probability} added, computed
     * lazily, as any Spark transformation.
     *
     * @throws IllegalArgumentException if there is no such column, or the dataset has a column of one of the names
     *                                  added; a row whose features do not fit the model fails the job, naming the
     *                                  column, the row and what was wrong
     */
    public static Dataset<Row> predict(Model model, Dataset<Row> dataset, String featuresColumn, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        StructType in = dataset.schema();
        List<String> names = Arrays.asList(in.fieldNames());
        if (!names.contains(featuresColumn)) {
            throw new IllegalArgumentException("no column '" + featuresColumn + "' in " + names);
        }
        for (String added : List.of("prediction", "class_name", "probability")) {
            if (names.contains(added)) {
                throw new IllegalArgumentException("the dataset already has a column '" + added
                        + "'; drop or rename it first");
            }
        }
        Model withContract = ModelBytes.withContract(model);
        DataContract contract = withContract.contract();
        int[] exampleShape = contract.exampleShape();
        Features features = new Features(featuresColumn, contract.features(), contract);
        StructType out = in.add("prediction", DataTypes.IntegerType, false)
                .add("class_name", DataTypes.StringType, false)
                .add("probability", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
        SparkSession spark = dataset.sparkSession();
        Broadcast<byte[]> bytes = spark.sparkContext().broadcast(ModelBytes.of(withContract),
                ClassTag$.MODULE$.apply(byte[].class));
        int column = in.fieldIndex(featuresColumn);
        String[] classes = contract.classNames().toArray(new String[0]);
        MapPartitionsFunction<Row, Row> fn = rows -> new Scorer(ModelBytes.load(bytes.value()), rows, column,
                features, exampleShape, classes, batchSize);
        return dataset.mapPartitions(fn, Encoders.row(out));
    }

    /**
     * Registers a SQL function {@code name(features)} that returns the class name the model gives a row's features
     * (an array of numbers or an ML vector, raw values preprocessed by the contract):
     * {@code SELECT id, digit(pixels) FROM images}. Row by row, so slower than {@link #predict}; each executor thread
     * rebuilds the broadcast model once.
     */
    public static void registerUdf(SparkSession spark, String name, Model model) {
        Model withContract = ModelBytes.withContract(model);
        DataContract contract = withContract.contract();
        Broadcast<byte[]> bytes = spark.sparkContext().broadcast(ModelBytes.of(withContract),
                ClassTag$.MODULE$.apply(byte[].class));
        Features features = new Features(name + "'s argument", contract.features(), contract);
        int[] exampleShape = contract.exampleShape();
        String[] classes = contract.classNames().toArray(new String[0]);
        ThreadLocalModel local = new ThreadLocalModel(bytes);
        spark.udf().register(name, (UDF1<Object, String>) cell -> {
            int[] shape = new int[exampleShape.length + 1];
            shape[0] = 1;
            System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
            Model m = local.get();
            Tensor x = Tensor.zeros(m.network().dtype(), shape);
            features.read(RowFactory.create(cell), 0, -1, x, 0);
            return classes[m.classify(x)[0]];
        }, DataTypes.StringType);
    }

    /** The broadcast model, rebuilt once per thread: a network keeps per-batch buffers and is not thread-safe. */
    private static final class ThreadLocalModel implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final Broadcast<byte[]> bytes;
        private transient ThreadLocal<Model> models;

        ThreadLocalModel(Broadcast<byte[]> bytes) {
            this.bytes = bytes;
        }

        synchronized Model get() {
            if (models == null) {
                models = ThreadLocal.withInitial(() -> ModelBytes.load(bytes.value()));
            }
            return models.get();
        }
    }

    /** Scores the rows of one partition, a batch at a time, keeping their order. */
    private static final class Scorer implements Iterator<Row> {
        private final Model model;
        private final Iterator<Row> rows;
        private final int column;
        private final Features features;
        private final int[] exampleShape;
        private final String[] classes;
        private final int batchSize;
        private final List<Row> batch = new ArrayList<>();
        private final List<Row> ready = new ArrayList<>();
        private int next;
        private long rowNumber;

        Scorer(Model model, Iterator<Row> rows, int column, Features features, int[] exampleShape, String[] classes,
               int batchSize) {
            this.model = model;
            this.rows = rows;
            this.column = column;
            this.features = features;
            this.exampleShape = exampleShape;
            this.classes = classes;
            this.batchSize = batchSize;
        }

        @Override
        public boolean hasNext() {
            if (next < ready.size()) {
                return true;
            }
            ready.clear();
            next = 0;
            batch.clear();
            while (batch.size() < batchSize && rows.hasNext()) {
                batch.add(rows.next());
            }
            if (batch.isEmpty()) {
                return false;
            }
            score();
            return true;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.get(next++);
        }

        private void score() {
            int n = batch.size();
            int[] shape = new int[exampleShape.length + 1];
            shape[0] = n;
            System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
            Tensor x = Tensor.zeros(model.network().dtype(), shape);
            for (int i = 0; i < n; i++) {
                // rowNumber counts within the partition: Spark gives a task no global row number for free
                features.read(batch.get(i), column, rowNumber + i, x, i);
            }
            rowNumber += n;
            Tensor scores = model.predict(x);
            int[] best = new int[n];
            Ops.argmaxRows(scores, best); // on the scores, as Model.classify: softmax can round two apart to a tie
            Tensor p = Functions.softmax(scores);
            int c = p.dim(1);
            for (int i = 0; i < n; i++) {
                Row r = batch.get(i);
                Object[] values = new Object[r.size() + 3];
                for (int j = 0; j < r.size(); j++) {
                    values[j] = r.get(j);
                }
                double[] prob = new double[c];
                for (int k = 0; k < c; k++) {
                    prob[k] = p.getDouble(i * c + k);
                }
                values[r.size()] = best[i];
                values[r.size() + 1] = classes[best[i]];
                values[r.size() + 2] = prob;
                ready.add(RowFactory.create(values));
            }
        }
    }
}
