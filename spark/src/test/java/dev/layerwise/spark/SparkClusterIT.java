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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
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
    private static StandaloneCluster cluster;
    private static Path work;
    private static SparkSession spark;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new StandaloneCluster(Path.of("target", "spark-cluster"), 2, "layerwise-cluster-test");
        work = cluster.work();
        spark = cluster.spark();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void mnistOnTwoWorkersSurvivesAKilledExecutorAndReachesTheSingleMachineAccuracy() throws Exception {
        Path dir = MnistFetcher.defaultCacheDir();
        assertTrue(Files.isDirectory(dir), "MNIST is needed in " + dir + ": run `layerwise data fetch mnist`");
        Path checkpoints = work.resolve("checkpoints");
        deleteTree(checkpoints);
        AtomicLong killed = new AtomicLong(-1);
        Map<String, FileTime> doneAtKill = new java.util.concurrent.ConcurrentHashMap<>();
        Thread killer = new Thread(() -> killOneExecutorDuringEpoch(checkpoints, killed, doneAtKill),
                "executor-killer");
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
        // Resumed from the newest checkpoint there was: the epochs done before the kill were not run again (their
        // checkpoints were not rewritten), and the epoch under way was run once more, from its start.
        assertEquals(doneAtKill.size(), w0.startEpoch(), "checkpoints at the kill " + doneAtKill.keySet()
                + ", the retry started after epoch " + w0.startEpoch());
        for (Map.Entry<String, FileTime> e : doneAtKill.entrySet()) {
            assertEquals(e.getValue(), Files.getLastModifiedTime(checkpoints.resolve(e.getKey())),
                    e.getKey() + " was written again: an epoch done before the kill was run twice");
        }
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
    private static void killOneExecutorDuringEpoch(Path checkpoints, AtomicLong killed,
                                                   Map<String, FileTime> doneAtKill) {
        try {
            Path mark = checkpoints.resolve(EpochCheckpoints.name(KILL_AFTER_EPOCH));
            while (!Files.exists(mark)) {
                Thread.sleep(200);
            }
            Thread.sleep(1000); // into the next epoch
            // A Worker's only child processes are the executors it launched.
            Optional<ProcessHandle> executor = cluster.workers().stream()
                    .flatMap(Process::children).filter(ProcessHandle::isAlive).findFirst();
            executor.ifPresent(h -> {
                h.destroyForcibly();
                killed.set(h.pid());
            });
            // The surviving worker stops at its next exchange with the dead one; give it the time to, then note
            // which epochs were complete.
            Thread.sleep(2000);
            try (var files = Files.list(checkpoints)) {
                for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".lw")).toList()) {
                    doneAtKill.put(f.getFileName().toString(), Files.getLastModifiedTime(f));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (Files.exists(p)) {
            try (var s = Files.walk(p)) {
                s.sorted((a, b) -> b.compareTo(a)).map(Path::toFile).forEach(File::delete);
            }
        }
    }
}
