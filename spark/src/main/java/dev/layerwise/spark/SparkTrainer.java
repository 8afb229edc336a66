package dev.layerwise.spark;

import dev.layerwise.data.DataContract;
import dev.layerwise.model.Model;
import dev.layerwise.net.Network;
import dev.layerwise.optim.Optimizers;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Function1;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;

/**
 * Synchronous data-parallel training on Spark: one barrier stage, one task per worker, each holding one shard of the
 * data and a replica of the network. Every step each worker computes the gradient of its shard's mini-batch, the
 * gradients are summed across the workers by a {@linkplain RingAllReduce ring all-reduce} over TCP and divided by the
 * number of workers, and every replica applies the same update; so the replicas stay bit-identical, and a step on N
 * workers with batch b each is the step of one process on the concatenated batch of N·b (for SGD, up to the rounding
 * of sums taken in another order).
 *
 * <p>The data are rebalanced first: row {@code i} (in the dataset's order) goes to worker {@code i mod N}, which
 * keeps its rows in that order. An epoch is {@code (rows / N) / batchSize} steps, the same on every worker; each worker
 * draws its batches from a shuffled pass over its shard ({@link #shardOrder}), dropping the last partial batch. Batch
 * normalisation's running statistics are averaged over the workers at the end of every epoch. Dropout masks are drawn
 * from generators seeded by (seed, rank, step) ({@link #dropoutState}): each worker drops other units, and a run
 * repeats exactly, resumed or not. With {@link Builder#averageEvery averageEvery(k)} the workers instead step on
 * their own and average their parameters every k steps.
 *
 * <p>With a checkpoint folder (any path Hadoop's file systems reach, shared by the workers), worker 0 writes the model
 * and the optimizer's state there after every epoch. When a task fails, Spark retries the whole barrier stage and
 * every worker resumes from the newest checkpoint: no epoch lost, none done twice.
 *
 * <pre>{@code
 * SparkTrainer.Result r = SparkTrainer.builder(new TwoLayerNet(784, 100, 10))
 *         .optimizer("sgd", Map.of("lr", 0.1)).workers(2).batchSize(50).epochs(5)
 *         .contract(DataContract.mnist()).checkpoints("hdfs:///runs/mnist").build()
 *         .fit(mnist, "pixels", "label");
 * r.model().save(Path.of("mnist.lw"));
 * }</pre>
 */
public final class SparkTrainer {
    private final Settings settings;
    private final byte[] initial;

    private SparkTrainer(Builder b) {
        Model m = Model.of(b.network);
        if (b.contract != null) {
            m = m.withContract(b.contract);
        }
        this.initial = ModelBytes.of(m);
        this.settings = new Settings(b.optimizer, new HashMap<>(b.hyperparameters), b.workers, b.batchSize,
                b.epochs, b.seed, b.checkpoints, UUID.randomUUID().toString(), b.timeoutMillis, b.recordDigests,
                b.averageEvery, b.exchange);
        Optimizers.create(b.optimizer, b.hyperparameters); // fails here, on the driver, for a bad name or value
    }

    /** A builder for training {@code network}, whose parameters are the starting point of every replica. */
    public static Builder builder(Network network) {
        return new Builder(network);
    }

    /** What every worker needs to know, sent with the task. */
    record Settings(String optimizer, HashMap<String, Double> hyperparameters, int workers, int batchSize, int epochs,
                    long seed, String checkpoints, String token, int timeoutMillis, boolean recordDigests,
                    int averageEvery, Exchange exchange) implements Serializable {
    }

    /** How the workers sum their arrays. */
    public enum Exchange {
        /** A ring all-reduce, peer to peer over TCP: 2(N−1)/N of the array sent per worker, whatever N. */
        RING,
        /**
         * Through the driver ({@code BarrierTaskContext.allGather}): each worker sends the whole array and receives
         * all N, and each sum lasts at least about a second (Spark's barrier checks for its answer once a second);
         * for tiny clusters whose executors cannot connect to each other, with {@link Builder#averageEvery}.
         */
        DRIVER
    }

    /**
     * The permutation of a shard of {@code shardSize} rows that worker {@code rank} walks through in {@code epoch}:
     * seeded by (seed, rank, epoch) alone, so that a run resumed from a checkpoint draws what an uninterrupted one
     * would have.
     */
    public static int[] shardOrder(long seed, int rank, int epoch, int shardSize) {
        dev.layerwise.util.Rng rng = new dev.layerwise.util.Rng(seed * 0x9E3779B97F4A7C15L
                + rank * 0xC2B2AE3D27D4EB4FL + epoch * 0x165667B19E3779F9L);
        int[] order = new int[shardSize];
        for (int i = 0; i < shardSize; i++) {
            order[i] = i;
        }
        rng.shuffle(order);
        return order;
    }

    /**
     * The states the dropout layers named {@code layers} start step {@code step} (counted from the run's start) of
     * worker {@code rank} from: seeded by (seed, rank, step) alone, so that workers draw different masks, a run
     * repeats exactly, and a run resumed from a checkpoint draws the masks an uninterrupted one would have.
     */
    public static Map<String, long[]> dropoutState(long seed, int rank, long step, java.util.Collection<String> layers) {
        dev.layerwise.util.Rng rng = new dev.layerwise.util.Rng(seed * 0x9E3779B97F4A7C15L
                + (rank + 1L) * 0xD1B54A32D192ED03L + step * 0x8CB92BA72F3D8DD7L);
        Map<String, long[]> state = new java.util.LinkedHashMap<>();
        for (String layer : layers) {
            state.put(layer, new dev.layerwise.util.Rng(rng.nextLong()).state());
        }
        return state;
    }

    /**
     * Trains on {@code dataset}: {@code featuresColumn} an array of numbers or an ML vector per row (raw values,
     * preprocessed by the contract when there is one), {@code labelColumn} the class index, an integer.
     *
     * @throws IllegalArgumentException if a column is missing or there are too few rows for one batch per worker
     */
    public Result fit(Dataset<Row> dataset, String featuresColumn, String labelColumn) {
        List<String> names = Arrays.asList(dataset.schema().fieldNames());
        for (String c : List.of(featuresColumn, labelColumn)) {
            if (!names.contains(c)) {
                throw new IllegalArgumentException("no column '" + c + "' in " + names);
            }
        }
        int n = settings.workers();
        long rows = dataset.count();
        int stepsPerEpoch = (int) Math.min(Integer.MAX_VALUE, (rows / n) / settings.batchSize());
        if (stepsPerEpoch < 1) {
            throw new IllegalArgumentException(rows + " rows are too few for " + n + " workers with batches of "
                    + settings.batchSize() + " each");
        }
        JavaRDD<Row> selected = dataset.select(featuresColumn, labelColumn).javaRDD();
        JavaRDD<Tuple2<Long, Row>> shards = selected.zipWithIndex()
                .mapToPair(p -> new Tuple2<>(p._2() % n, new Tuple2<>(p._2(), p._1())))
                .partitionBy(new HashPartitioner(n))
                .values();
        Worker worker = new Worker(settings, initial, stepsPerEpoch, featuresColumn, labelColumn);
        @SuppressWarnings("unchecked")
        Function1<scala.collection.Iterator<Tuple2<Long, Row>>, scala.collection.Iterator<Report>> fn =
                (Function1<scala.collection.Iterator<Tuple2<Long, Row>>, scala.collection.Iterator<Report>>
                        & Serializable) it -> CollectionConverters.asScala(
                        worker.run(CollectionConverters.asJava(it)).iterator());
        // The shuffle after the barrier stage makes it a map stage, which Spark retries when a task fails; a failed
        // barrier result stage is aborted instead.
        Report[] reports = JavaRDD.fromRDD(shards.rdd().barrier()
                        .mapPartitions(fn, false, ClassTag$.MODULE$.apply(Report.class)),
                ClassTag$.MODULE$.apply(Report.class)).repartition(1).collect().toArray(new Report[0]);
        Arrays.sort(reports, Comparator.comparingInt(Report::rank));
        if (reports.length != n) {
            throw new IllegalStateException("expected reports of " + n + " workers, got " + reports.length);
        }
        int steps = reports[0].losses().length;
        double[] losses = new double[steps];
        for (Report r : reports) {
            for (int i = 0; i < steps; i++) {
                losses[i] += r.losses()[i] / n;
            }
        }
        return new Result(ModelBytes.load(reports[0].model()), losses, List.of(reports), stepsPerEpoch);
    }

    /**
     * The outcome of {@link #fit}: the trained model (worker 0's replica), the loss of every step of the last attempt
     * (the mean over the workers of their batches' losses), what each worker reported, and the steps per epoch.
     */
    public record Result(Model model, double[] losses, List<Report> workers, int stepsPerEpoch) {
    }

    /**
     * What one worker reports: its rank, the epoch its attempt started from (after a retry, the epoch of the
     * checkpoint it resumed from), the epochs it ran, its batch losses, its bytes sent per step, its final parameters
     * as a model file, when asked for, a SHA-256 digest of its parameters after every step, and the time its
     * training loop took (from joining the ring to the end of the last epoch, checkpoints included).
     */
    public record Report(int rank, int stageAttempt, int startEpoch, int[] epochsRun, double[] losses,
                         long bytesSentPerStep, byte[] model, List<byte[]> digests, long trainNanos)
            implements Serializable {
    }

    /** Settings of a run. */
    public static final class Builder {
        private final Network network;
        private String optimizer = "sgd";
        private Map<String, Double> hyperparameters = new HashMap<>();
        private int workers = 2;
        private int batchSize = 100;
        private int epochs = 1;
        private long seed;
        private String checkpoints;
        private DataContract contract;
        private int timeoutMillis = 600_000;
        private boolean recordDigests;
        private int averageEvery;
        private Exchange exchange = Exchange.RING;

        private Builder(Network network) {
            this.network = Objects.requireNonNull(network, "network");
        }

        /** The optimizer by its {@link Optimizers} name and hyperparameters; the book's defaults for the rest. */
        public Builder optimizer(String name, Map<String, ? extends Number> hyperparameters) {
            this.optimizer = Objects.requireNonNull(name, "name");
            Map<String, Double> m = new HashMap<>();
            hyperparameters.forEach((k, v) -> m.put(k, v.doubleValue()));
            this.hyperparameters = m;
            return this;
        }

        /** The number of workers, one barrier task each (the cluster needs that many free task slots). */
        public Builder workers(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("workers must be >= 1, got " + n);
            }
            this.workers = n;
            return this;
        }

        /** Examples per worker per step; the global batch is {@code workers · batchSize}. */
        public Builder batchSize(int b) {
            if (b < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + b);
            }
            this.batchSize = b;
            return this;
        }

        public Builder epochs(int e) {
            if (e < 1) {
                throw new IllegalArgumentException("epochs must be >= 1, got " + e);
            }
            this.epochs = e;
            return this;
        }

        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** A folder (local, HDFS, S3, … as Hadoop names them) for a checkpoint after every epoch; null for none. */
        public Builder checkpoints(String folder) {
            this.checkpoints = folder;
            return this;
        }

        /** The contract of the training data, which preprocesses the features and is saved with the model. */
        public Builder contract(DataContract c) {
            this.contract = c;
            return this;
        }

        /** How long a worker waits for a peer (to connect, or to send its part of a sum) before failing. */
        public Builder timeoutMillis(int ms) {
            if (ms < 1) {
                throw new IllegalArgumentException("timeoutMillis must be >= 1, got " + ms);
            }
            this.timeoutMillis = ms;
            return this;
        }

        /** Whether each worker reports a digest of its parameters after every step (to check the replicas agree). */
        public Builder recordDigests(boolean on) {
            this.recordDigests = on;
            return this;
        }

        /**
         * Periodic parameter averaging (DL4J's scheme) instead of summing gradients every step: each worker takes
         * {@code k} steps on its own batches with its own optimizer, then the parameters, and the optimizer's state
         * (velocities, moments), are averaged over the workers by the same all-reduce; and at the end of every epoch,
         * so that a checkpoint holds the one model all replicas agree on. It sends {@code k} times fewer bytes, for
         * small models on slow networks; with {@code k = 1} and SGD it is gradient averaging again (up to rounding).
         */
        public Builder averageEvery(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("averageEvery must be >= 1, got " + k);
            }
            this.averageEvery = k;
            return this;
        }

        /** How the workers sum gradients (or parameters): the ring by default. */
        public Builder exchange(Exchange e) {
            this.exchange = Objects.requireNonNull(e, "exchange");
            return this;
        }

        public SparkTrainer build() {
            return new SparkTrainer(this);
        }
    }
}
