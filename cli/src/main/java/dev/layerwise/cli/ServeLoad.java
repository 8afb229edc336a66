package dev.layerwise.cli;

import dev.layerwise.data.DataContract;
import dev.layerwise.model.Model;
import dev.layerwise.net.Network;
import dev.layerwise.net.SimpleConvNet;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.serve.ServeOptions;
import dev.layerwise.serve.Server;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Workload S1 of {@code layerwise bench}: {@code layerwise serve} under load on loopback. 64 connections send
 * single-image JSON requests as fast as answers come, with dynamic batching on and off, for a bounded number of
 * requests and time; reported beside the same network's in-process inference at batch 1 and 1000 (as W4). Each
 * figure is one run: the server, its client and the in-process loop share the machine's cores, which is why the
 * client is {@link LoadClient}, one thread on a selector that costs the server little of them.
 */
final class ServeLoad {
    static final int CONNECTIONS = 64;
    static final int MAX_REQUESTS = 40_000;
    /** Warm-up runs in windows of this length while the rate still rises (see {@link #warmUp}). */
    static final Duration WARM_UP_WINDOW = Duration.ofMillis(500);
    static final Duration MIN_WARM_UP = Duration.ofSeconds(2);
    static final Duration MAX_WARM_UP = Duration.ofSeconds(20);
    static final Duration MAX_TIME = Duration.ofSeconds(8);

    private ServeLoad() {
    }

    /** One run's figures. */
    record Result(String network, String mode, double perSecond, double p50Millis, double p99Millis, long errors) {
    }

    /** Runs S1 for the book's 784-50-10 net (as W4) and SimpleConvNet, and prints a line per figure. */
    static void run(PrintWriter out, boolean json) throws Exception {
        List<Network> nets = List.of(new TwoLayerNet(784, 50, 10), new SimpleConvNet());
        for (Network net : nets) {
            Model model = Model.of(net).withContract(DataContract.mnist());
            String name = net.architecture().name();
            double[][] images = images(CONNECTIONS);
            double batch1 = inProcess(model, images, 1);
            double batch1000 = inProcess(model, images, 1000);
            List<Result> results = new ArrayList<>();
            results.add(new Result(name, "in-process, batch 1", batch1, Double.NaN, Double.NaN, 0));
            results.add(new Result(name, "in-process, batch 1000", batch1000, Double.NaN, Double.NaN, 0));
            ServeOptions on = ServeOptions.defaults().withPort(0);
            results.add(http(model, name, on, String.format(Locale.ROOT, "HTTP, batching on (%s ms, %d)",
                    on.batchWindow().toNanos() / 1e6, on.maxBatch())));
            results.add(http(model, name, ServeOptions.defaults().withPort(0).withBatching(Duration.ZERO, 1),
                    "HTTP, batching off"));
            for (Result r : results) {
                print(out, json, r, batch1000);
            }
        }
    }

    private static void print(PrintWriter out, boolean json, Result r, double batch1000) {
        boolean http = r.mode().startsWith("HTTP");
        if (json) {
            Json j = new Json().put("workload", "S1").put("network", r.network()).put("mode", r.mode())
                    .put(http ? "requests_per_second" : "images_per_second", r.perSecond());
            if (http) {
                j.put("p50_ms", r.p50Millis()).put("p99_ms", r.p99Millis()).put("errors", r.errors())
                        .put("connections", CONNECTIONS).put("fraction_of_batch_1000", r.perSecond() / batch1000);
            }
            out.println(j);
        } else {
            out.printf(Locale.ROOT, "%-20s %-44s %16s %s%n", "S1 " + r.network(), r.mode(),
                    String.format(Locale.ROOT, "%,.0f %s", r.perSecond(), http ? "req/s" : "images/s"),
                    http ? String.format(Locale.ROOT, "p50 %.2f ms, p99 %.2f ms, %d errors, %.1f%% of batch 1000",
                            r.p50Millis(), r.p99Millis(), r.errors(), 100 * r.perSecond() / batch1000) : "");
        }
        out.flush();
    }

    static double[][] images(int n) {
        Rng rng = new Rng(1);
        double[][] x = new double[n][784];
        for (double[] image : x) {
            for (int i = 0; i < image.length; i++) {
                image[i] = Math.floor(rng.nextDouble() * 256) / 255;
            }
        }
        return x;
    }

    /** Images per second of {@code model.classify} at {@code batch}, after a warm-up, over about a second. */
    static double inProcess(Model model, double[][] images, int batch) {
        double[] flat = new double[batch * 784];
        for (int i = 0; i < batch; i++) {
            System.arraycopy(images[i % images.length], 0, flat, i * 784, 784);
        }
        Tensor x = Tensor.of(DType.FLOAT32, flat, batch, 1, 28, 28);
        warmUp(() -> classifyFor(model, x, WARM_UP_WINDOW.toNanos()));
        return classifyFor(model, x, 1_000_000_000L);
    }

    /** Images per second of {@code model.classify(x)} over at least {@code nanos} and five calls. */
    private static double classifyFor(Model model, Tensor x, long nanos) {
        long t0 = System.nanoTime();
        long n = 0;
        while (System.nanoTime() - t0 < nanos || n < 5L * x.dim(0)) {
            model.classify(x);
            n += x.dim(0);
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    /**
     * Runs {@code window} for at least MIN_WARM_UP and until three windows in a row are no more than 5% faster than the
     * fastest before them and leave the JIT idle, at most MAX_WARM_UP. A fixed warm-up is too short for some code:
     * until the JIT has compiled the Vector API's kernels they run orders of magnitude slower, and how long that takes
     * depends on the network and on how busy the machine is. On a busy machine the rate can stop rising while the
     * compiler still works, and the compiles would then take their share of the timed run's cores.
     */
    static void warmUp(DoubleSupplier window) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        warmUp(window, jit != null && jit.isCompilationTimeMonitoringSupported() ? jit::getTotalCompilationTime
                : () -> 0L);
    }

    /**
     * {@link #warmUp(DoubleSupplier)} with the JIT's total compile time, in milliseconds, from {@code compileMillis}:
     * a window during which it grew by more than a twentieth of the window is not flat.
     */
    static void warmUp(DoubleSupplier window, LongSupplier compileMillis) {
        long start = System.nanoTime();
        double best = window.getAsDouble();
        for (int flat = 0; (flat < 3 || System.nanoTime() - start < MIN_WARM_UP.toNanos())
                && System.nanoTime() - start < MAX_WARM_UP.toNanos(); ) {
            long compiling = compileMillis.getAsLong();
            double rate = window.getAsDouble();
            compiling = compileMillis.getAsLong() - compiling;
            if (rate > 1.05 * best || compiling > WARM_UP_WINDOW.toMillis() / 20) {
                flat = 0;
            } else {
                flat++;
            }
            best = Math.max(best, rate);
        }
    }

    static Result http(Model model, String name, ServeOptions options, String mode) throws Exception {
        double[][] images = images(CONNECTIONS);
        List<byte[]> bodies = new ArrayList<>();
        int[] expected = new int[CONNECTIONS];
        for (int i = 0; i < CONNECTIONS; i++) {
            StringBuilder sb = new StringBuilder("{\"inputs\":[[");
            double[] rounded = new double[784];
            for (int p = 0; p < 784; p++) {
                String v = String.format(Locale.ROOT, "%.4f", images[i][p]);
                rounded[p] = Double.parseDouble(v);
                sb.append(p > 0 ? "," : "").append(v);
            }
            bodies.add(sb.append("]]}").toString().getBytes(StandardCharsets.US_ASCII));
            expected[i] = model.classify(Tensor.of(model.network().dtype(), rounded, 1, 1, 28, 28))[0];
        }
        try (Server server = Server.start(model, options);
             LoadClient client = new LoadClient(new InetSocketAddress(options.host(), server.port()), "/v1/predict",
                     "application/json", bodies, (c, body) -> check(body, expected[c], c))) {
            warmUp(() -> {
                try {
                    return client.run(System.nanoTime() + WARM_UP_WINDOW.toNanos(), Integer.MAX_VALUE).perSecond();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            LoadClient.Run r = client.run(System.nanoTime() + MAX_TIME.toNanos(), MAX_REQUESTS / CONNECTIONS);
            return new Result(name, mode, r.perSecond(), r.millis(0.5), r.millis(0.99), r.errors());
        }
    }

    private static final Pattern CLASS = Pattern.compile("\\{\"predictions\":\\[\\{\"class\":(\\d+),");

    /** Fails the run unless {@code body} answers {@code expected} as its first prediction's class. */
    static void check(byte[] body, int expected, int connection) {
        String s = new String(body, StandardCharsets.UTF_8);
        Matcher m = CLASS.matcher(s);
        if (!m.lookingAt()) {
            throw new IllegalStateException("connection " + connection + ": an answer without a class: "
                    + s.substring(0, Math.min(200, s.length())));
        }
        if (Integer.parseInt(m.group(1)) != expected) {
            throw new IllegalStateException("connection " + connection + ": the server answered class "
                    + m.group(1) + ", Model.classify " + expected);
        }
    }
}
