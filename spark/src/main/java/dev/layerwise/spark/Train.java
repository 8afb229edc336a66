package dev.layerwise.spark;

import dev.layerwise.data.DataContract;
import dev.layerwise.data.ImageFolder;
import dev.layerwise.data.Mnist;
import dev.layerwise.io.AtomicFiles;
import dev.layerwise.layer.Dropout;
import dev.layerwise.model.Model;
import dev.layerwise.net.Activation;
import dev.layerwise.net.Architectures;
import dev.layerwise.net.MultiLayerNet;
import dev.layerwise.net.MultiLayerNetExtend;
import dev.layerwise.net.Network;
import dev.layerwise.net.NetworkType;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.optim.Optimizers;
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
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The spark-submit entry point: trains a network on N workers and saves the model.
 *
 * <pre>
 * spark-submit --class dev.layerwise.spark.Train layerwise-spark.jar \
 *     --arch two-layer --hidden 100 --data /data/mnist --workers 2 --epochs 17 --batch-size 50 --lr 0.1 \
 *     --checkpoints hdfs:///runs/mnist --output mnist.lw
 * </pre>
 *
 * <p>{@code --data} is, by {@code --format} (or, without it, told from the path):
 * <ul>
 *   <li>{@code mnist}: a folder holding MNIST's four files, read on the driver; the test split is scored after
 *       training;</li>
 *   <li>{@code images}: a folder of images, one sub-folder per class ({@code DIR/train/<class>/…} and
 *       {@code DIR/test/<class>/…} when split), decoded on the driver by core's {@link ImageFolder}: the same decoder,
 *       resizing and class order as {@code layerwise train} and {@code layerwise predict}, so the contract saved with
 *       the model means the same pixels everywhere (Spark's {@code image} source decodes with ImageIO into BGR rows
 *       without resizing, which a Layerwise model would not see at prediction). The folder must be on the driver
 *       and its decoded bytes fit in the driver's memory; for more, store the pixels as a binary column in
 *       Parquet;</li>
 *   <li>{@code parquet} or {@code csv} (a header line, types inferred): a table read where it lives, any path
 *       Spark reads. The features are {@code --features}: one column holding an array of numbers, an ML vector or
 *       bytes, or a comma-separated list of numeric columns; without it, the column {@code features} when there is
 *       one, else every numeric column but the label. The label ({@code --label}) is an integer class index.</li>
 * </ul>
 * {@code --arch} names the network ({@code --model}, its former name, is still accepted with a note);
 * {@code --exchange driver} relays the sums through the driver instead of the workers' ring. Exit status 2 for a usage
 * error, 1 for bad data.
 */
public final class Train {
    private Train() {
    }

    /** Where the training data come from. */
    enum Format {
        AUTO, MNIST, IMAGES, PARQUET, CSV;

        static Format parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--format must be parquet, csv, images or mnist, got '" + text
                        + "'");
            }
        }
    }

    /**
     * The settings of a run, as parsed from the command line.
     *
     * @param hidden      hidden sizes, or null for the network's default
     * @param features    the features column(s), or null to find them
     * @param imageSize   {height, width} images are resized to, or null for the first image's
     * @param notes       what the user should know about the command line (a deprecated spelling)
     */
    record Options(String arch, List<Integer> hidden, String data, Format format, String features, String label,
                   int workers, int epochs, int batchSize, String optimizer, Double lr, long seed,
                   String checkpoints, String output, int averageEvery, Double dropout, boolean batchnorm,
                   int[] imageSize, SparkTrainer.Exchange exchange, List<String> notes) {
    }

    /** A finished run: the model, and its accuracy on the data's test split (NaN when the data have none). */
    record Outcome(Model model, double testAccuracy, SparkTrainer.Result result) {
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
        o.notes().forEach(n -> System.err.println("layerwise-spark: note: " + n));
        try {
            SparkSession spark = SparkSession.builder().appName("layerwise-train").getOrCreate();
            Outcome r = run(spark, o);
            if (!Double.isNaN(r.testAccuracy())) {
                System.out.printf(Locale.ROOT, "test accuracy %.4f%n", r.testAccuracy());
            }
            spark.stop();
        } catch (Exception e) {
            // bad data or a path Spark cannot read (its analysis errors are checked exceptions Java does not see
            // declared): one line naming what was wrong
            System.err.println("layerwise-spark: " + (e.getMessage() == null ? "training failed" : e.getMessage()));
            System.exit(1);
        }
    }

    /** The data of a run as a DataFrame, with its contract and test split. */
    private record Input(Dataset<Row> frame, String features, String label, DataContract contract,
                         dev.layerwise.data.DataSet test) {
    }

    /** The optimizer given, else the network's own, as {@code layerwise train} chooses (Adam for the conv nets). */
    static String optimizer(Options o, NetworkType.Training t) {
        return o.optimizer() != null ? o.optimizer() : t.optimizer();
    }

    /** The learning rate given, else the network's for the optimizer, else the optimizer's default. */
    static double learningRate(Options o, NetworkType.Training t) {
        String optimizer = optimizer(o, t);
        return o.lr() != null ? o.lr()
                : t.learningRates().getOrDefault(optimizer, Optimizers.defaults(optimizer).get("lr"));
    }

    /** Trains as {@code o} says, saves the model if asked, and scores the test split when the data have one. */
    static Outcome run(SparkSession spark, Options o) throws IOException {
        if (o.output() != null) {
            // Before the run, not after it: a model file that cannot be written must not cost the training.
            AtomicFiles.checkWritable(Path.of(o.output()));
        }
        Input in = input(spark, o);
        NetworkType type = Architectures.type(o.arch());
        if (type == MultiLayerNet.TYPE && (o.batchnorm() || o.dropout() != null)) {
            type = MultiLayerNetExtend.TYPE; // as layerwise train: the book's extended net has these layers
        }
        NetworkType.Training t = type.training();
        if (!t.layered() && (o.batchnorm() || o.dropout() != null)) {
            throw new IllegalArgumentException("--batchnorm and --dropout need --arch mlp, got --arch " + o.arch());
        }
        List<Integer> hidden = o.hidden() == null ? t.hiddenSizes() : o.hidden();
        if (!t.layered() && hidden.size() != 1) {
            throw new IllegalArgumentException("--arch " + o.arch() + " has one hidden layer size, got --hidden "
                    + hidden);
        }
        NetworkType.Choices choices = new NetworkType.Choices(hidden, Activation.RELU, t.init(), o.batchnorm(),
                o.dropout(), Dropout.Mode.BOOK, 0);
        int[] shape = in.contract().exampleShape();
        if (shape.length != 3 && (type != TwoLayerNet.TYPE && !t.layered())) {
            throw new IllegalArgumentException("--arch " + o.arch() + " takes images; " + o.data() + " holds "
                    + shape[0] + " table features: use --arch two-layer or mlp");
        }
        Network net = type.create(choices, shape, in.contract().classes(), DType.FLOAT32, new Rng(o.seed()));
        String optimizer = optimizer(o, t);
        Map<String, Double> hyper = new LinkedHashMap<>();
        hyper.put("lr", learningRate(o, t));
        SparkTrainer.Builder b = SparkTrainer.builder(net).optimizer(optimizer, hyper).workers(o.workers())
                .batchSize(o.batchSize()).epochs(o.epochs()).seed(o.seed()).checkpoints(o.checkpoints())
                .contract(in.contract()).exchange(o.exchange());
        if (o.averageEvery() > 0) {
            b.averageEvery(o.averageEvery());
        }
        SparkTrainer.Result r = b.build().fit(in.frame(), in.features(), in.label());
        if (o.output() != null) {
            r.model().save(Path.of(o.output()));
        }
        double accuracy = in.test() == null ? Double.NaN : r.model().network().accuracy(in.test());
        return new Outcome(r.model(), accuracy, r);
    }

    private static Input input(SparkSession spark, Options o) throws IOException {
        Format format = o.format() == Format.AUTO ? detect(o.data()) : o.format();
        int partitions = o.workers() * 4;
        switch (format) {
            case MNIST: {
                Path dir = Path.of(o.data());
                Dataset<Row> df = mnist(spark, dir, Mnist.TRAIN_IMAGES, Mnist.TRAIN_LABELS, partitions);
                Mnist.Data local = Mnist.load(dir, Mnist.Options.defaults());
                return new Input(df, "pixels", "label", DataContract.mnist(), local.test());
            }
            case IMAGES: {
                ImageFolder.Options opts = ImageFolder.Options.defaults();
                if (o.imageSize() != null) {
                    opts = opts.withSize(o.imageSize()[0], o.imageSize()[1]);
                }
                ImageFolder.Loaded images = ImageFolder.load(Path.of(o.data()), opts);
                Dataset<Row> df = pixelFrame(spark, images.train().pixels(), images.train().labels(),
                        images.channels() * images.height() * images.width(), partitions);
                return new Input(df, "pixels", "label", images.contract(),
                        images.test() == null ? null : images.toDataSet(images.test(), DType.FLOAT32));
            }
            default: {
                Dataset<Row> table = format == Format.CSV
                        ? spark.read().option("header", "true").option("inferSchema", "true").csv(o.data())
                        : spark.read().parquet(o.data());
                Table t = table(table, o.features(), o.label(), o.data());
                return new Input(t.frame(), t.features(), o.label(), t.contract(), null);
            }
        }
    }

    /** The format a path holds: MNIST's files, a folder of class folders, a CSV file, else Parquet. */
    static Format detect(String data) {
        Path p;
        try {
            p = Path.of(data);
        } catch (java.nio.file.InvalidPathException e) {
            return data.toLowerCase(Locale.ROOT).endsWith(".csv") ? Format.CSV : Format.PARQUET;
        }
        if (Files.isDirectory(p)) {
            boolean mnist = Mnist.FILES.stream().allMatch(f -> Files.exists(p.resolve(f))
                    || Files.exists(p.resolve(f + ".gz")));
            if (mnist) {
                return Format.MNIST;
            }
            try (var s = Files.list(p)) {
                List<Path> entries = s.toList();
                boolean parquet = entries.stream().anyMatch(e -> e.getFileName().toString().endsWith(".parquet"));
                boolean csv = entries.stream().anyMatch(e -> e.getFileName().toString().endsWith(".csv"));
                boolean folders = !entries.isEmpty() && entries.stream().filter(e -> !e.getFileName().toString()
                        .startsWith(".") && !e.getFileName().toString().startsWith("_")).allMatch(Files::isDirectory);
                if (parquet) {
                    return Format.PARQUET;
                }
                if (csv) {
                    return Format.CSV;
                }
                if (folders) {
                    return Format.IMAGES;
                }
            } catch (IOException e) {
                return Format.PARQUET; // Spark reports what it cannot read, naming the path
            }
        }
        return data.toLowerCase(Locale.ROOT).endsWith(".csv") ? Format.CSV : Format.PARQUET;
    }

    /** A table's features and label, resolved: the frame to train on, its features column and its contract. */
    record Table(Dataset<Row> frame, String features, DataContract contract) {
    }

    /**
     * The features of {@code table} as {@code --features} says (see the class comment), with an integer label
     * column: assembled into one array column {@code features} when they are several numeric columns.
     */
    static Table table(Dataset<Row> table, String features, String label, String source) {
        StructType schema = table.schema();
        List<String> names = Arrays.asList(schema.fieldNames());
        if (!names.contains(label)) {
            throw new IllegalArgumentException(source + ": no label column '" + label + "' (columns: "
                    + String.join(", ", names) + "; choose one with --label)");
        }
        if (!isIntegral(schema.apply(label).dataType())) {
            throw new IllegalArgumentException(source + ": label column '" + label + "' holds "
                    + schema.apply(label).dataType().simpleString() + ", expected integer class indices");
        }
        List<String> columns;
        if (features == null) {
            if (names.contains("features")) {
                columns = List.of("features");
            } else {
                columns = new ArrayList<>();
                for (StructField f : schema.fields()) {
                    if (!f.name().equals(label) && f.dataType() instanceof NumericType) {
                        columns.add(f.name());
                    }
                }
                if (columns.isEmpty()) {
                    throw new IllegalArgumentException(source + ": no numeric columns besides the label '" + label
                            + "' (columns: " + String.join(", ", names) + "); name them with --features");
                }
            }
        } else {
            columns = Arrays.stream(features.split(",")).map(String::trim).toList();
            for (String c : columns) {
                if (!names.contains(c)) {
                    throw new IllegalArgumentException(source + ": no features column '" + c + "' (columns: "
                            + String.join(", ", names) + ")");
                }
                if (c.equals(label)) {
                    throw new IllegalArgumentException(source + ": '" + c + "' is the label, not a feature");
                }
            }
        }
        int classes = classes(table, label, source);
        if (columns.size() == 1 && !(schema.apply(columns.get(0)).dataType() instanceof NumericType)) {
            String c = columns.get(0);
            int size = inputSize(table, c, source);
            DataContract contract = new DataContract(DataContract.Kind.FEATURES, new int[] {size},
                    DataContract.numbered(classes), new DataContract.Normalization.Scale(1), null, List.of());
            return new Table(table.select(c, label), c, contract);
        }
        for (String c : columns) {
            DataType type = schema.apply(c).dataType();
            if (!(type instanceof NumericType)) {
                throw new IllegalArgumentException(source + ": features column '" + c + "' holds "
                        + type.simpleString() + "; a list of features must be numeric columns");
            }
        }
        Column[] cast = columns.stream().map(c -> functions.col(c).cast(DataTypes.DoubleType)).toArray(Column[]::new);
        String assembled = names.contains("features") && !columns.contains("features") ? "_features" : "features";
        DataContract contract = new DataContract(DataContract.Kind.FEATURES, new int[] {columns.size()},
                DataContract.numbered(classes), new DataContract.Normalization.Scale(1), null, columns);
        return new Table(table.select(functions.array(cast).as(assembled), functions.col(label)), assembled,
                contract);
    }

    private static boolean isIntegral(DataType t) {
        return t.equals(DataTypes.IntegerType) || t.equals(DataTypes.LongType) || t.equals(DataTypes.ShortType)
                || t.equals(DataTypes.ByteType);
    }

    /**
     * One MNIST split as a DataFrame: {@code pixels} (binary, 784 unsigned bytes) and {@code label} (int), in the
     * files' order, in {@code partitions} slices.
     */
    public static Dataset<Row> mnist(SparkSession spark, Path dir, String images, String labels, int partitions)
            throws IOException {
        Mnist.Split split = Mnist.readSplit(dir, images, labels);
        return pixelFrame(spark, split.pixels(), split.labels(), Mnist.PIXELS, partitions);
    }

    /** Examples of {@code size} bytes each, one after the other, as {@code pixels} (binary) and {@code label}. */
    private static Dataset<Row> pixelFrame(SparkSession spark, byte[] pixels, int[] labels, int size,
                                           int partitions) {
        List<Row> rows = new ArrayList<>(labels.length);
        for (int i = 0; i < labels.length; i++) {
            rows.add(RowFactory.create(Arrays.copyOfRange(pixels, i * size, (i + 1) * size), labels[i]));
        }
        StructType schema = new StructType().add("pixels", DataTypes.BinaryType, false)
                .add("label", DataTypes.IntegerType, false);
        return spark.createDataFrame(new JavaSparkContext(spark.sparkContext()).parallelize(rows, partitions),
                schema);
    }

    private static int inputSize(Dataset<Row> data, String features, String source) {
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
        throw new IllegalArgumentException(source + ": column '" + features + "' must be an array of numbers, an ML"
                + " vector, bytes or a number");
    }

    private static int classes(Dataset<Row> data, String label, String source) {
        Row r = data.agg(functions.min(label), functions.max(label)).first();
        if (r.isNullAt(1)) {
            throw new IllegalArgumentException(source + ": no rows with a label in column '" + label + "'");
        }
        long min = ((Number) r.get(0)).longValue();
        long max = ((Number) r.get(1)).longValue();
        if (min < 0 || max >= Integer.MAX_VALUE) {
            throw new IllegalArgumentException(source + ": label column '" + label + "' holds " + (min < 0 ? min
                    : max) + ", expected class indices 0, 1, …");
        }
        if (max < 1) {
            throw new IllegalArgumentException(source + ": label column '" + label + "' holds one class only");
        }
        return (int) max + 1;
    }

    private static final List<String> VALUED = List.of("--arch", "--model", "--hidden", "--data", "--format",
            "--features", "--label", "--workers", "--epochs", "--batch-size", "--optimizer", "--lr", "--seed",
            "--checkpoints", "--output", "--average-every", "--dropout", "--image-size", "--exchange");
    private static final List<String> FLAGS = List.of("--batchnorm");

    static Options parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (FLAGS.contains(args[i])) {
                m.put(args[i], "true");
                continue;
            }
            if (!VALUED.contains(args[i])) {
                throw new IllegalArgumentException("unknown option " + args[i]);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            if (m.put(args[i], args[++i]) != null) {
                throw new IllegalArgumentException(args[i - 1] + " is given twice");
            }
        }
        if (!m.containsKey("--data")) {
            throw new IllegalArgumentException("--data is required");
        }
        List<String> notes = new ArrayList<>();
        String arch = m.getOrDefault("--arch", TwoLayerNet.ARCHITECTURE);
        if (m.containsKey("--model")) {
            if (m.containsKey("--arch")) {
                throw new IllegalArgumentException("--model is the former name of --arch: give --arch only");
            }
            arch = m.get("--model");
            notes.add("--model " + arch + " is spelled --arch " + arch + " now");
        }
        arch = arch.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        if (!Architectures.names().contains(arch)) {
            throw new IllegalArgumentException("unknown network '" + arch + "' for --arch (expected one of "
                    + String.join(", ", Architectures.names()) + ")");
        }
        List<Integer> hidden = null;
        if (m.containsKey("--hidden")) {
            hidden = new ArrayList<>();
            for (String h : m.get("--hidden").split(",")) {
                hidden.add(positive("--hidden", h));
            }
        }
        int averageEvery = 0;
        if (m.containsKey("--average-every")) {
            averageEvery = positive("--average-every", m.get("--average-every"));
        }
        Double dropout = null;
        if (m.containsKey("--dropout")) {
            dropout = number("--dropout", m.get("--dropout"));
            if (!(dropout >= 0 && dropout < 1)) {
                throw new IllegalArgumentException("--dropout must be a ratio in [0, 1), got " + m.get("--dropout"));
            }
        }
        int[] imageSize = null;
        if (m.containsKey("--image-size")) {
            String[] hw = m.get("--image-size").split("[x×,]");
            if (hw.length != 2) {
                throw new IllegalArgumentException("--image-size must be HxW such as 32x32, got '"
                        + m.get("--image-size") + "'");
            }
            imageSize = new int[] {positive("--image-size", hw[0]), positive("--image-size", hw[1])};
        }
        String exchangeName = m.getOrDefault("--exchange", "ring").trim().toLowerCase(Locale.ROOT);
        if (!exchangeName.equals("ring") && !exchangeName.equals("driver")) {
            throw new IllegalArgumentException("--exchange must be ring or driver, got '" + m.get("--exchange")
                    + "'");
        }
        SparkTrainer.Exchange exchange = SparkTrainer.Exchange.valueOf(exchangeName.toUpperCase(Locale.ROOT));
        return new Options(arch, hidden, m.get("--data"), Format.parse(m.getOrDefault("--format", "auto")),
                m.get("--features"), m.getOrDefault("--label", "label"),
                positive("--workers", m.getOrDefault("--workers", "2")),
                positive("--epochs", m.getOrDefault("--epochs", "1")),
                positive("--batch-size", m.getOrDefault("--batch-size", "100")),
                m.get("--optimizer"), m.containsKey("--lr") ? number("--lr", m.get("--lr")) : null,
                (long) number("--seed", m.getOrDefault("--seed", "0")), m.get("--checkpoints"), m.get("--output"),
                averageEvery, dropout, m.containsKey("--batchnorm"), imageSize, exchange, notes);
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
                + " [--format parquet|csv|images|mnist] [--arch " + String.join("|", Architectures.names()) + "]"
                + " [--hidden N[,N…]] [--batchnorm] [--dropout RATIO] [--workers 2] [--epochs 1] [--batch-size 100]"
                + " [--optimizer NAME] [--lr RATE] [--seed 0] [--average-every K] [--exchange ring|driver]"
                + " [--checkpoints DIR]"
                + " [--output model.lw] [--features COL[,COL…]] [--label label] [--image-size HxW]";
    }
}
