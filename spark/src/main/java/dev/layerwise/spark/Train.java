package dev.layerwise.spark;

import dev.layerwise.data.DataContract;
import dev.layerwise.data.Mnist;
import dev.layerwise.io.AtomicFiles;
import dev.layerwise.model.Model;
import dev.layerwise.net.MultiLayerNet;
import dev.layerwise.net.Network;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.tensor.DType;
import dev.layerwise.util.Rng;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The spark-submit entry point: trains a network on N workers and saves the model.
 *
 * <pre>
 * spark-submit --class dev.layerwise.spark.Train layerwise-spark.jar \
 *     --model two-layer --hidden 100 --data /data/mnist --workers 2 --epochs 17 --batch-size 50 --lr 0.1 \
 *     --checkpoints hdfs:///runs/mnist --output mnist.lw
 * </pre>
 *
 * <p>{@code --data} is a folder holding MNIST's four files (read on the driver, columns {@code pixels} and
 * {@code label}; the test split is then scored after training), or a Parquet path with a features column (an array
 * of numbers or an ML vector: {@code --features}) and an integer label column ({@code --label}). Exit status 2 for a
 * usage error, 1 for bad data.
 */
public final class Train {
    private Train() {
    }

    /** The settings of a run, as parsed from the command line. */
    record Options(String model, List<Integer> hidden, String data, String features, String label, int workers,
                   int epochs, int batchSize, String optimizer, double lr, long seed, String checkpoints,
                   String output) {
    }

    public static void main(String[] args) {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("layerwise-spark: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        try {
            SparkSession spark = SparkSession.builder().appName("layerwise-train").getOrCreate();
            double accuracy = run(spark, o);
            if (!Double.isNaN(accuracy)) {
                System.out.printf(Locale.ROOT, "test accuracy %.4f%n", accuracy);
            }
            spark.stop();
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("layerwise-spark: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Trains as {@code o} says, saves the model if asked, and returns the MNIST test accuracy (NaN otherwise). */
    static double run(SparkSession spark, Options o) throws IOException {
        if (o.output() != null) {
            // Before the run, not after it: a model file that cannot be written must not cost the training.
            AtomicFiles.checkWritable(Path.of(o.output()));
        }
        Path mnistDir = Path.of(o.data());
        boolean mnist = Files.isDirectory(mnistDir) && Files.exists(mnistDir.resolve(Mnist.TRAIN_IMAGES));
        Dataset<Row> data;
        DataContract contract = null;
        if (mnist) {
            data = mnist(spark, mnistDir, Mnist.TRAIN_IMAGES, Mnist.TRAIN_LABELS, o.workers() * 4);
            contract = DataContract.mnist();
        } else {
            data = spark.read().parquet(o.data());
        }
        String features = mnist ? "pixels" : o.features();
        String label = mnist ? "label" : o.label();
        int inputs = mnist ? Mnist.PIXELS : inputSize(data, features);
        int classes = mnist ? Mnist.CLASSES : classes(data, label);
        Network net = switch (o.model()) {
            case TwoLayerNet.ARCHITECTURE -> new TwoLayerNet(inputs, o.hidden().get(0), classes,
                    TwoLayerNet.DEFAULT_WEIGHT_INIT_STD, DType.FLOAT32, new Rng(o.seed()));
            case MultiLayerNet.ARCHITECTURE -> new MultiLayerNet(inputs, o.hidden(), classes,
                    MultiLayerNet.Options.defaults(), DType.FLOAT32, new Rng(o.seed()));
            default -> throw new IllegalArgumentException("--model must be two-layer or mlp, got " + o.model());
        };
        Map<String, Double> hyper = new LinkedHashMap<>();
        hyper.put("lr", o.lr());
        SparkTrainer.Result r = SparkTrainer.builder(net).optimizer(o.optimizer(), hyper).workers(o.workers())
                .batchSize(o.batchSize()).epochs(o.epochs()).seed(o.seed()).checkpoints(o.checkpoints())
                .contract(contract).build().fit(data, features, label);
        if (o.output() != null) {
            r.model().save(Path.of(o.output()));
        }
        if (!mnist) {
            return Double.NaN;
        }
        Mnist.Data local = Mnist.load(mnistDir, Mnist.Options.defaults());
        return r.model().network().accuracy(local.test());
    }

    /**
     * One MNIST split as a DataFrame: {@code pixels} (binary, 784 unsigned bytes) and {@code label} (int), in the
     * files' order, in {@code partitions} slices.
     */
    public static Dataset<Row> mnist(SparkSession spark, Path dir, String images, String labels, int partitions)
            throws IOException {
        Mnist.Split split = Mnist.readSplit(dir, images, labels);
        List<Row> rows = new ArrayList<>(split.count());
        for (int i = 0; i < split.count(); i++) {
            rows.add(RowFactory.create(Arrays.copyOfRange(split.pixels(), i * Mnist.PIXELS, (i + 1) * Mnist.PIXELS),
                    split.labels()[i]));
        }
        StructType schema = new StructType().add("pixels", DataTypes.BinaryType, false)
                .add("label", DataTypes.IntegerType, false);
        return spark.createDataFrame(new JavaSparkContext(spark.sparkContext()).parallelize(rows, partitions),
                schema);
    }

    private static int inputSize(Dataset<Row> data, String features) {
        Row first = data.select(features).first();
        Object cell = first.get(0);
        if (cell instanceof org.apache.spark.ml.linalg.Vector v) {
            return v.size();
        }
        if (cell instanceof scala.collection.Seq<?> s) {
            return s.length();
        }
        if (cell instanceof byte[] b) {
            return b.length;
        }
        throw new IllegalArgumentException("column '" + features + "' must be an array of numbers or an ML vector");
    }

    private static int classes(Dataset<Row> data, String label) {
        Row max = data.agg(org.apache.spark.sql.functions.max(label)).first();
        return ((Number) max.get(0)).intValue() + 1;
    }

    static Options parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        List<String> known = List.of("--model", "--hidden", "--data", "--features", "--label", "--workers",
                "--epochs", "--batch-size", "--optimizer", "--lr", "--seed", "--checkpoints", "--output");
        for (int i = 0; i < args.length; i++) {
            if (!known.contains(args[i])) {
                throw new IllegalArgumentException("unknown option " + args[i]);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            m.put(args[i], args[++i]);
        }
        if (!m.containsKey("--data")) {
            throw new IllegalArgumentException("--data is required");
        }
        List<Integer> hidden = new ArrayList<>();
        for (String h : m.getOrDefault("--hidden", "50").split(",")) {
            hidden.add(positive("--hidden", h));
        }
        return new Options(m.getOrDefault("--model", TwoLayerNet.ARCHITECTURE), hidden, m.get("--data"),
                m.getOrDefault("--features", "features"), m.getOrDefault("--label", "label"),
                positive("--workers", m.getOrDefault("--workers", "2")),
                positive("--epochs", m.getOrDefault("--epochs", "1")),
                positive("--batch-size", m.getOrDefault("--batch-size", "100")),
                m.getOrDefault("--optimizer", "sgd"), number("--lr", m.getOrDefault("--lr", "0.1")),
                (long) number("--seed", m.getOrDefault("--seed", "0")), m.get("--checkpoints"), m.get("--output"));
    }

    private static int positive(String option, String value) {
        try {
            int v = Integer.parseInt(value.trim());
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(option + " must be a whole number >= 1, got '" + value + "'");
    }

    private static double number(String option, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a number, got '" + value + "'");
        }
    }

    static String usage() {
        return "usage: spark-submit --class dev.layerwise.spark.Train layerwise-spark.jar --data PATH"
                + " [--model two-layer|mlp] [--hidden 50[,50…]] [--workers 2] [--epochs 1] [--batch-size 100]"
                + " [--optimizer sgd] [--lr 0.1] [--seed 0] [--checkpoints DIR] [--output model.lw]"
                + " [--features features] [--label label]";
    }
}
