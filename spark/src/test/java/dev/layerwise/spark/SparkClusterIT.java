package dev.layerwise.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.data.Mnist;
import dev.layerwise.data.MnistFetcher;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.optim.SGD;
import dev.layerwise.tensor.DType;
import dev.layerwise.train.Trainer;
import dev.layerwise.util.Rng;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Training on a real standalone cluster on this machine: a Master and two Workers (one core each), started from the
 * test's class path on 127.0.0.1 and stopped afterwards; the executors are separate processes, so the gradients cross
 * TCP between JVMs. One run of MNIST on two workers, during which one executor process is killed in the middle of an
 * epoch: Spark retries the barrier stage, the workers resume from the last checkpoint, and the run ends with the
 * single-machine accuracy.
 */
class SparkClusterIT {
    private static final int EPOCHS = 17; // (60,000 / 2 / 50) · 17 · 100 samples, about the book's 10,000 steps of 100
    private static final int KILL_AFTER_EPOCH = 2;
    private static final List<Process> daemons = new ArrayList<>();
    private static Path work;
    private static String master;
    private static SparkSession spark;

    @BeforeAll
    static void startCluster() throws Exception {
        work = Files.createDirectories(Path.of("target", "spark-cluster")).toAbsolutePath();
        Path home = Files.createDirectories(work.resolve("spark-home"));
        Files.createDirectories(home.resolve("jars")); // the Workers look for SPARK_HOME/jars; the class path has all
        int port = freePort();
        master = "spark://127.0.0.1:" + port;
        daemons.add(start("master", List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                "--port", Integer.toString(port), "--webui-port", Integer.toString(freePort())), home));
        awaitPort(port);
        for (int w = 1; w <= 2; w++) {
            daemons.add(start("worker" + w, List.of("org.apache.spark.deploy.worker.Worker", "--cores", "1",
                    "--memory", "1536m", "--work-dir", Files.createDirectories(work.resolve("work" + w)).toString(),
                    "--webui-port", Integer.toString(freePort()), master), home));
        }
        String executorFlags = String.join(" ", jvmFlags()) + " --add-modules jdk.incubator.vector";
        spark = SparkSession.builder().master(master).appName("layerwise-cluster-test")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .config("spark.executor.extraJavaOptions", executorFlags)
                .config("spark.executorEnv.SPARK_SCALA_VERSION", "2.13")
                .config("spark.executor.memory", "1200m").config("spark.executor.cores", "1")
                .config("spark.cores.max", "2")
                .config("spark.task.maxFailures", "4")
                .getOrCreate();
        long deadline = System.nanoTime() + 180_000_000_000L;
        while (spark.sparkContext().statusTracker().getExecutorInfos().length < 3) { // two executors and the driver
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the two executors did not register; see the logs in " + work);
            }
            Thread.sleep(500);
        }
    }

    @AfterAll
    static void stopCluster() {
        if (spark != null) {
            spark.stop();
        }
        for (Process p : daemons) {
            p.descendants().forEach(ProcessHandle::destroyForcibly); // executors the Workers started
            p.destroyForcibly();
        }
    }

    @Test
    void mnistOnTwoWorkersSurvivesAKilledExecutorAndReachesTheSingleMachineAccuracy() throws Exception {
        Path dir = MnistFetcher.defaultCacheDir();
        assertTrue(Files.isDirectory(dir), "MNIST is needed in " + dir + ": run `layerwise data fetch mnist`");
        Path checkpoints = work.resolve("checkpoints");
        deleteTree(checkpoints);
        AtomicLong killed = new AtomicLong(-1);
        Thread killer = new Thread(() -> killOneExecutorDuringEpoch(checkpoints, killed), "executor-killer");
        killer.setDaemon(true);
        killer.start();

        SparkTrainer.Result r = SparkTrainer.builder(new TwoLayerNet(784, 100, 10, 0.01, DType.FLOAT32, new Rng(1)))
                .optimizer("sgd", Map.of("lr", 0.1)).workers(2).batchSize(50).epochs(EPOCHS).seed(3)
                .contract(dev.layerwise.data.DataContract.mnist()).checkpoints(checkpoints.toUri().toString())
                .timeoutMillis(120_000).build()
                .fit(Train.mnist(spark, dir, Mnist.TRAIN_IMAGES, Mnist.TRAIN_LABELS, 8), "pixels", "label");
        killer.join(1000);

        Mnist.Data data = Mnist.load(dir, Mnist.Options.defaults());
        double accuracy = r.model().network().accuracy(data.test());
        TwoLayerNet single = new TwoLayerNet(784, 100, 10, 0.01, DType.FLOAT32, new Rng(1));
        Trainer.builder(single, new SGD(0.1), data.train(), null).batchSize(100)
                .iterations(EPOCHS * r.stepsPerEpoch()).sampling(Trainer.Sampling.SHUFFLED_EPOCHS).seed(3).build()
                .run();
        double singleAccuracy = single.accuracy(data.test());
        System.out.printf("cluster: test accuracy %.4f (one process, same samples: %.4f); executor %d killed%n",
                accuracy, singleAccuracy, killed.get());

        assertTrue(killed.get() > 0, "no executor was killed: the fault was not exercised");
        SparkTrainer.Report w0 = r.workers().get(0);
        assertTrue(w0.stageAttempt() >= 1, "the barrier stage was not retried");
        assertTrue(w0.startEpoch() >= KILL_AFTER_EPOCH && w0.startEpoch() < EPOCHS,
                "the retry started from epoch " + w0.startEpoch());
        for (SparkTrainer.Report w : r.workers()) {
            assertArrayEquals(IntStream.range(w0.startEpoch(), EPOCHS).toArray(), w.epochsRun(),
                    "worker " + w.rank() + " ran other epochs than those after its checkpoint");
            assertEquals((EPOCHS - w0.startEpoch()) * r.stepsPerEpoch(), w.losses().length);
        }
        String[] files = Files.list(checkpoints).map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".lw"))
                .sorted().toArray(String[]::new);
        assertArrayEquals(IntStream.rangeClosed(1, EPOCHS).mapToObj(EpochCheckpoints::name).toArray(), files,
                "one checkpoint per epoch, none lost");
        assertTrue(accuracy >= 0.97, "test accuracy " + accuracy);
        assertTrue(accuracy >= singleAccuracy - 0.005, "test accuracy " + accuracy + ", one process "
                + singleAccuracy);
    }

    /** Once the checkpoint of epoch {@value #KILL_AFTER_EPOCH} is written, kills one executor process. */
    private static void killOneExecutorDuringEpoch(Path checkpoints, AtomicLong killed) {
        try {
            Path mark = checkpoints.resolve(EpochCheckpoints.name(KILL_AFTER_EPOCH));
            while (!Files.exists(mark)) {
                Thread.sleep(200);
            }
            Thread.sleep(1000); // into the next epoch
            // A Worker's only child processes are the executors it launched.
            Optional<ProcessHandle> executor = daemons.subList(1, daemons.size()).stream()
                    .flatMap(Process::children).filter(ProcessHandle::isAlive).findFirst();
            executor.ifPresent(h -> {
                h.destroyForcibly();
                killed.set(h.pid());
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Process start(String name, List<String> mainAndArgs, Path home) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvmFlags());
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.addAll(mainAndArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        return pb.start();
    }

    /** The flags Spark needs on Java 17+, as the build passes them to this JVM. */
    private static List<String> jvmFlags() {
        String flags = System.getProperty("spark.jvm.args");
        if (flags == null || flags.isBlank()) {
            throw new IllegalStateException("run with -Pspark-cluster, which passes the JVM flags Spark needs");
        }
        return Arrays.asList(flags.trim().split("\\s+"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static void awaitPort(int port) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException notYet) {
                Thread.sleep(300);
            }
        }
        throw new IllegalStateException("the Master did not open port " + port + "; see " + work);
    }

    private static void deleteTree(Path p) throws IOException {
        if (Files.exists(p)) {
            try (var s = Files.walk(p)) {
                s.sorted((a, b) -> b.compareTo(a)).map(Path::toFile).forEach(File::delete);
            }
        }
    }
}
