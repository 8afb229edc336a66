package dev.layerwise.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * A Spark standalone cluster on this machine: a Master and Workers of one core each, started from this JVM's class
 * path on 127.0.0.1, and a session whose executors run in the Workers' processes; {@link #close} stops them by their
 * own process ids. Spark on Java 17+ needs its {@code --add-opens} flags in every JVM: they come from the system
 * property {@code spark.jvm.args}, which the build sets.
 */
final class StandaloneCluster implements AutoCloseable {
    private final List<Process> daemons = new ArrayList<>();
    private final Path work;
    private final SparkSession spark;

    /** Starts a Master and {@code workers} Workers, with their logs and work folders in {@code work}. */
    StandaloneCluster(Path work, int workers, String appName) throws IOException, InterruptedException {
        this.work = Files.createDirectories(work).toAbsolutePath();
        Path home = Files.createDirectories(this.work.resolve("spark-home"));
        Files.createDirectories(home.resolve("jars")); // the Workers look for SPARK_HOME/jars; the class path has all
        try {
            int port = freePort();
            String master = "spark://127.0.0.1:" + port;
            daemons.add(start("master", List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                    "--port", Integer.toString(port), "--webui-port", Integer.toString(freePort())), home));
            awaitPort(port);
            for (int w = 1; w <= workers; w++) {
                daemons.add(start("worker" + w, List.of("org.apache.spark.deploy.worker.Worker", "--cores", "1",
                        "--memory", "1536m", "--work-dir",
                        Files.createDirectories(this.work.resolve("work" + w)).toString(),
                        "--webui-port", Integer.toString(freePort()), master), home));
            }
            String executorFlags = String.join(" ", jvmFlags()) + " --add-modules jdk.incubator.vector";
            spark = SparkSession.builder().master(master).appName(appName)
                    .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.ui.enabled", "false")
                    .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                    .config("spark.executor.extraJavaOptions", executorFlags)
                    .config("spark.executorEnv.SPARK_SCALA_VERSION", "2.13")
                    .config("spark.executor.memory", "1200m").config("spark.executor.cores", "1")
                    .config("spark.cores.max", Integer.toString(workers))
                    .config("spark.task.maxFailures", "4")
                    .getOrCreate();
            long deadline = System.nanoTime() + 180_000_000_000L;
            while (spark.sparkContext().statusTracker().getExecutorInfos().length < workers + 1) { // and the driver
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the executors did not register; see the logs in " + work);
                }
                Thread.sleep(500);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    SparkSession spark() {
        return spark;
    }

    /** The Workers' processes (not the Master's). */
    List<Process> workers() {
        return daemons.subList(1, daemons.size());
    }

    Path work() {
        return work;
    }

    @Override
    public void close() {
        if (spark != null) {
            spark.stop();
        }
        for (Process p : daemons) {
            p.descendants().forEach(ProcessHandle::destroyForcibly); // executors the Workers started
            p.destroyForcibly();
        }
    }

    private Process start(String name, List<String> mainAndArgs, Path home) throws IOException {
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

    /**
     * The flags Spark needs on Java 17+: as the build passes them to a test ({@code spark.jvm.args}), else those this
     * JVM was started with.
     */
    static List<String> jvmFlags() {
        String flags = System.getProperty("spark.jvm.args");
        if (flags != null && !flags.isBlank()) {
            return Arrays.asList(flags.trim().split("\\s+"));
        }
        List<String> own = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("-XX:+IgnoreUnrecognizedVMOptions")
                        || a.startsWith("-Dio.netty.") || a.startsWith("--sun-misc-unsafe-memory-access")
                        || a.startsWith("--enable-native-access"))
                .toList();
        if (own.stream().noneMatch(a -> a.startsWith("--add-opens"))) {
            throw new IllegalStateException("start this JVM with the flags Spark needs (mvn -Pspark-cluster passes"
                    + " them to the tests; -Pspark-bench writes them to target/spark-bench.args)");
        }
        return own;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private void awaitPort(int port) throws InterruptedException {
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
}
