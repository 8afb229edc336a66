package dev.layerwise.spark;

import dev.layerwise.data.DataContract;
import dev.layerwise.data.Mnist;
import dev.layerwise.data.MnistFetcher;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.optim.SGD;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.train.Trainer;
import dev.layerwise.util.Rng;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What data-parallel training on Spark costs and gains on this machine: the loopback latency and bandwidth of the
 * ring all-reduce, the bytes a worker sends per step against 2(N−1)/N·S, and MNIST samples per second of the
 * chapter-5 two-layer net (784-100-10, global batch 100) in one process (core's Trainer, what {@code layerwise train}
 * runs), on {@code local[2]} and on a standalone cluster of two Workers. A main program, not a test; see
 * docs/scaling.md for how to run it. Arguments: {@code [--epochs E] [--mnist DIR] [--no-cluster]}.
 */
public final class ScalingBenchmark {
    private ScalingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int epochs = 2;
        Path mnist = MnistFetcher.defaultCacheDir();
        boolean cluster = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--mnist" -> mnist = Path.of(args[++i]);
                case "--no-cluster" -> cluster = false;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (expected --epochs E, --mnist DIR, --no-cluster)");
            }
        }
        System.out.printf(Locale.ROOT, "JDK %s, %d cores%n%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors());
        exchange();
        Mnist.Data data = Mnist.load(mnist, Mnist.Options.defaults());
        int params = new TwoLayerNet(784, 100, 10).parameters().totalSize();
        System.out.printf(Locale.ROOT, "%nMNIST, two-layer 784-100-10 (%,d parameters, S = %,d bytes in float32), SGD"
                + " lr 0.1, global batch 100, %d epochs%n", params, params * 4, epochs);
        System.out.println("| run | samples/s (training loop) | samples/s (whole job) | bytes sent per step"
                + " (2(N-1)/N·S) |");
        System.out.println("|---|---|---|---|");
        single(data, epochs);
        SparkSession local = SparkSession.builder().master("local[2]").appName("layerwise-scaling-benchmark")
                .config("spark.ui.enabled", "false").getOrCreate();
        spark("local[2], 2 workers of 50", local, mnist, epochs, params);
        local.stop();
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
        if (cluster) {
            try (StandaloneCluster c = new StandaloneCluster(Path.of("target", "spark-bench"), 2,
                    "layerwise-scaling-benchmark")) {
                spark("standalone cluster, 2 Workers of 1 core, 2 workers of 50", c.spark(), mnist, epochs, params);
            }
        }
    }

    /** One process, batches of 100: what the workers' steps add up to. */
    private static void single(Mnist.Data data, int epochs) {
        int steps = epochs * 600;
        TwoLayerNet warm = new TwoLayerNet(784, 100, 10, 0.01, DType.FLOAT32, new Rng(1));
        Trainer.builder(warm, new SGD(0.1), data.train(), null).batchSize(100).iterations(600)
                .sampling(Trainer.Sampling.SHUFFLED_EPOCHS).seed(3).build().run(); // the JIT's warm-up
        TwoLayerNet net = new TwoLayerNet(784, 100, 10, 0.01, DType.FLOAT32, new Rng(1));
        long t0 = System.nanoTime();
        Trainer.builder(net, new SGD(0.1), data.train(), null).batchSize(100).iterations(steps)
                .sampling(Trainer.Sampling.SHUFFLED_EPOCHS).seed(3).build().run();
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "| one process (core Trainer), batch 100 | %,.0f | %,.0f | 0 |%n",
                steps * 100 / s, steps * 100 / s);
    }

    private static void spark(String name, SparkSession spark, Path mnist, int epochs, int params) throws Exception {
        Dataset<Row> df = Train.mnist(spark, mnist, Mnist.TRAIN_IMAGES, Mnist.TRAIN_LABELS, 8).cache();
        df.count();
        SparkTrainer.Builder b = SparkTrainer.builder(new TwoLayerNet(784, 100, 10, 0.01, DType.FLOAT32,
                new Rng(1))).optimizer("sgd", Map.of("lr", 0.1)).workers(2).batchSize(50).seed(3)
                .contract(DataContract.mnist());
        b.epochs(1).build().fit(df, "pixels", "label"); // executors' JIT warm-up
        long t0 = System.nanoTime();
        SparkTrainer.Result r = b.epochs(epochs).build().fit(df, "pixels", "label");
        double job = (System.nanoTime() - t0) / 1e9;
        double loop = r.workers().stream().mapToLong(SparkTrainer.Report::trainNanos).max().orElseThrow() / 1e9;
        long samples = (long) epochs * r.stepsPerEpoch() * 100;
        System.out.printf(Locale.ROOT, "| %s | %,.0f | %,.0f | %,d (%,d) |%n", name, samples / loop, samples / job,
                r.workers().get(0).bytesSentPerStep(), 2 * (2 - 1) * params * 4 / 2);
        df.unpersist();
    }

    /** The ring all-reduce between two threads of this JVM over loopback TCP. */
    private static void exchange() throws Exception {
        System.out.println("Ring all-reduce, 2 workers over loopback TCP (float32)");
        System.out.println("| array | per sum | bytes sent per worker | bandwidth per worker |");
        System.out.println("|---|---|---|---|");
        CyclicBarrier barrier = new CyclicBarrier(2);
        String[] messages = new String[2];
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<List<String>>> results = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            int rank = r;
            results.add(pool.submit(() -> {
                List<String> lines = new ArrayList<>();
                try (RingAllReduce ring = RingAllReduce.join(rank, 2, "127.0.0.1", "bench", m -> {
                    messages[rank] = m;
                    await(barrier);
                    List<String> all = List.of(messages[0], messages[1]);
                    await(barrier);
                    return all;
                }, 60_000)) {
                    for (int n : new int[] {2, 1 << 10, 1 << 18, 1 << 22}) {
                        Tensor x = Tensor.zeros(DType.FLOAT32, n);
                        int reps = Math.max(5, (int) Math.min(2000, (64L << 20) / (4L * n)));
                        for (int i = 0; i < reps; i++) {
                            ring.sum(x); // warm-up
                        }
                        long bytes0 = ring.bytesSent();
                        long t0 = System.nanoTime();
                        for (int i = 0; i < reps; i++) {
                            ring.sum(x);
                        }
                        double per = (System.nanoTime() - t0) / 1e9 / reps;
                        long sent = (ring.bytesSent() - bytes0) / reps;
                        lines.add(String.format(Locale.ROOT, "| %,d floats (%s) | %s | %,d | %s |", n,
                                size(4L * n), per < 1e-3 ? String.format(Locale.ROOT, "%.0f µs", per * 1e6)
                                        : String.format(Locale.ROOT, "%.1f ms", per * 1e3), sent,
                                n < 1024 ? "—" : String.format(Locale.ROOT, "%.0f MB/s", sent / per / 1e6)));
                    }
                }
                return lines;
            }));
        }
        results.get(0).get().forEach(System.out::println);
        results.get(1).get();
        pool.shutdown();
    }

    private static String size(long bytes) {
        return bytes >= 1 << 20 ? (bytes >> 20) + " MB" : bytes >= 1 << 10 ? (bytes >> 10) + " KB" : bytes + " B";
    }

    private static void await(CyclicBarrier b) {
        try {
            b.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
