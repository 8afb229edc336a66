package dev.layerwise.cli;

import dev.layerwise.data.DataSet;
import dev.layerwise.data.Mnist;
import dev.layerwise.kernel.KernelProvider;
import dev.layerwise.kernel.Parallel;
import dev.layerwise.layer.Affine;
import dev.layerwise.layer.Layer;
import dev.layerwise.layer.Relu;
import dev.layerwise.net.Network;
import dev.layerwise.net.Parameters;
import dev.layerwise.net.Sequential;
import dev.layerwise.net.SimpleConvNet;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.net.WeightInit;
import dev.layerwise.optim.Adam;
import dev.layerwise.optim.Optimizer;
import dev.layerwise.optim.SGD;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Ops;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.train.MiniBatch;
import dev.layerwise.train.Trainer;
import dev.layerwise.util.Rng;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code layerwise bench}: the same workloads in Layerwise and in a plain NumPy implementation (shipped with the tool),
 * measured side by side in one run, with the ratio of the two. A ratio above 1 means Layerwise is faster.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time the same workloads in Layerwise and in NumPy, side by side.",
            "It prints the ratios (> 1: Layerwise is faster). The two sides take turns,",
            "one repeat each, so that both meet the machine in the same state.",
            "Workloads:",
            "  T1             the book's chapter-5 training run: 10,000 steps and its",
            "                 evaluations (NumPy: the book's code as its script runs it,",
            "                 float64, the loss recomputed after each update; Layerwise",
            "                 keeps the loss of each step's own forward pass, as",
            "                 `layerwise train`)",
            "  E2E            the same run end to end, from a cold start: `layerwise",
            "                 train` in a fresh JVM against the NumPy script in a fresh",
            "                 Python (its start, NumPy's import, reading MNIST); wall",
            "                 clock, the two sides taking turns (not in the default set:",
            "                 about 20 s a repeat)",
            "  C1             an Adam epoch of the book's SimpleConvNet, from 60 steps",
            "                 (NumPy in float64, as the book; not in the default set)",
            "  W1             an SGD epoch of the book's 784-50-10 net, seconds",
            "  W2             784-1024-1024-10 with SGD, samples per second",
            "  W4-1000, W4-1  inference of the 784-50-10 net at batch 1000 and 1, images/s",
            "  S1             `layerwise serve` on loopback, 64 connections of single-image",
            "                 requests, batching on and off, beside in-process batch 1",
            "                 and 1000 (Layerwise only; not in the default set)",
            "  G:MxNxKxKIND   float32 matrix product, KIND nn, tn or nt, GFLOP/s",
            "Before the workloads it measures the machine's ceiling for the products: fused",
            "multiply-adds in registers at the widest vector length, on all threads. A",
            "product's share of that ceiling is printed beside its ratio. NumPy runs with",
            "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from its environment, so that",
            "OpenBLAS picks its own kernels (see --numpy-env); the kernel set it ran with",
            "is printed."})
final class BenchCommand implements Callable<Integer> {
    static final List<String> DEFAULT_WORKLOADS = List.of("T1", "W1", "W2", "W4-1000", "W4-1",
            "G:1024x1024x1024xnn", "G:100x50x784xnn", "G:784x50x100xtn", "G:100x784x50xnt", "G:57600x30x25xnt");

    /** How long one NumPy workload, or one run of E2E, may take before it is stopped. */
    private static final int CHILD_TIMEOUT_MINUTES = 30;

    /** C1 times this many steps and scales them to an epoch of 600, as the NumPy side does. */
    private static final int CONV_STEPS = 60;

    /**
     * Multiply-adds per timed repeat of a product workload, on both sides: about 25 ms at these machines' speed, long
     * enough for the clock and for a product of tens of microseconds to be measured as a steady stream of calls.
     */
    private static final double GEMM_MULTIPLY_ADDS = 2e9;
    /** The shortest warm-up of a workload that has one. */
    private static final long WARM_UP_NANOS = 1_000_000_000L;
    private static final Pattern GEMM = Pattern.compile("G:(\\d+)x(\\d+)x(\\d+)x(nn|tn|nt)");

    @Option(names = "--workloads", split = ",", paramLabel = "W[,W…]",
            description = "Workloads to run. Default: all but E2E and C1 (T1, W1, W2, W4-1000, W4-1 and the "
                    + "products).")
    List<String> workloads;

    @Option(names = "--repeats", paramLabel = "N", defaultValue = "5",
            description = "Timed repeats per workload and side (the median is reported). Default: ${DEFAULT-VALUE}.")
    int repeats;

    @Option(names = "--python", paramLabel = "CMD", defaultValue = "python3",
            description = "The Python with NumPy to compare against. Default: ${DEFAULT-VALUE}.")
    String python;

    @Option(names = "--no-numpy", description = "Measure Layerwise only.")
    boolean noNumpy;

    @Option(names = "--numpy-env", paramLabel = "ENV", defaultValue = "best",
            description = "The NumPy side's environment: best (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed, so "
                    + "that OpenBLAS picks the kernels it finds best for this processor) or inherit (this "
                    + "process's environment as it is). Default: ${DEFAULT-VALUE}.")
    NumpyEnv numpyEnv;

    @Option(names = "--threads", paramLabel = "N", description = "Threads for the kernels. Default: all processors.")
    Integer threads;

    @Option(names = "--json", description = "JSON Lines instead of a table: standard output carries one JSON object "
            + "per workload, a line each, and nothing else.")
    boolean json;

    @Mixin
    MnistSource source;

    @Spec
    CommandSpec spec;

    /** How the NumPy side's environment is made from this process's. */
    enum NumpyEnv {
        /** Without the variables that pin OpenBLAS to a kernel set or a cache size ({@link #PINNING}). */
        best,
        /** As it is. */
        inherit
    }

    /**
     * Variables that override OpenBLAS's own choice of kernels: set on some machines as a guard for old OpenBLAS
     * builds on new processors, they would hold a current one to older, narrower kernels (AVX2 ones on an AVX-512
     * processor).
     */
    static final List<String> PINNING = List.of("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE");

    /** Calls of the ceiling's loop, at the least, before it is timed. */
    private static final int CEILING_WARM_UP_CALLS = 20_000;
    /** How long the ceiling's loop runs per timed repeat, on each thread. */
    private static final long CEILING_NANOS = 200_000_000L;

    /** What the NumPy side said about itself; every field may be null where it could not tell. */
    record NumpyInfo(String version, String corename, String config, List<String> removed) {
        static final NumpyInfo NONE = new NumpyInfo(null, null, null, List.of());

        String describe() {
            String kernels = corename != null ? "OpenBLAS " + corename + " kernels" : "kernel set unknown";
            return "NumPy " + (version == null ? "?" : version) + " (" + kernels
                    + (config != null ? "; " + config : "") + ")";
        }
    }

    /** One measured workload. */
    record Row(String workload, String description, double layerwise, Double numpy, String unit,
               boolean higherIsBetter, String numpyNote) {
        Double ratio() {
            if (numpy == null || layerwise <= 0 || numpy <= 0) {
                return null;
            }
            return higherIsBetter ? layerwise / numpy : numpy / layerwise;
        }
    }

    @Override
    public Integer call() throws Exception {
        List<String> names = workloads == null ? DEFAULT_WORKLOADS : workloads;
        for (String w : names) {
            if (!w.matches("T1|E2E|C1|W1|W2|W4-1000|W4-1|S1") && !GEMM.matcher(w).matches()) {
                throw new ParameterException(spec.commandLine(), "unknown workload '" + w
                        + "' (expected T1, E2E, C1, W1, W2, W4-1000, W4-1, S1 or G:MxNxKxKIND with KIND nn, tn or nt)");
            }
        }
        if (repeats < 1) {
            throw new ParameterException(spec.commandLine(), "--repeats must be at least 1, got " + repeats);
        }
        if (threads != null) {
            if (threads < 1) {
                throw new ParameterException(spec.commandLine(), "--threads must be at least 1, got " + threads);
            }
            Parallel.setThreads(threads);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean needsData = names.stream().anyMatch(w -> !w.startsWith("G:") && !w.equals("S1"));
        boolean loadsData = names.stream().anyMatch(w -> !w.startsWith("G:") && !w.equals("E2E") && !w.equals("S1"));
        Path dataDir = needsData ? source.directory(err::println) : null;
        Mnist.Data mnist = loadsData ? Mnist.load(dataDir, Mnist.Options.defaults()) : null;
        Path script = noNumpy ? null : extractScript();
        NumpyInfo info = script == null ? NumpyInfo.NONE : numpyInfo(script);
        double ceiling = fmaCeiling();
        if (!json) {
            out.printf(Locale.ROOT, "Layerwise (%s kernels, %d threads, Java %s) vs %s; median of %d repeats; "
                            + "ratio > 1: Layerwise faster%n", KernelProvider.kernels().name(), Parallel.threads(),
                    Runtime.version().feature(), script == null ? "no NumPy" : info.describe(), repeats);
            if (script != null) {
                out.println(numpyEnv == NumpyEnv.best
                        ? "NumPy's environment: " + (info.removed().isEmpty() ? "as this one (nothing pins OpenBLAS)"
                                : "without " + String.join(" and ", info.removed()))
                        : "NumPy's environment: inherited as it is (--numpy-env inherit)");
            }
            out.printf(Locale.ROOT, "FMA ceiling: %.0f GFLOP/s (multiply-adds in registers, %d threads); a product's "
                    + "share of it in the last two columns%n", ceiling, Parallel.threads());
            out.printf(Locale.ROOT, "%-20s %-44s %16s %16s %8s %6s %6s%n", "workload", "what", "layerwise", "numpy",
                    "ratio", "lw/fma", "np/fma");
            out.flush();
        }
        try (NumpySide numpy = script == null ? null : new NumpySide(numpyProcess(List.of(python, script.toString(),
                dataDir == null ? "." : dataDir.toAbsolutePath().toString(), "SERVE")), python,
                CHILD_TIMEOUT_MINUTES)) {
            for (String w : names) {
                if (w.equals("S1")) {
                    ServeLoad.run(out, json);
                    continue;
                }
                Row row = run(w, mnist, dataDir, script, numpy);
                print(out, row, info, ceiling);
            }
        }
        return 0;
    }

    private void print(PrintWriter out, Row r, NumpyInfo info, double ceiling) {
        Double lwShare = share(r.layerwise(), r.unit(), ceiling);
        Double npShare = r.numpy() == null ? null : share(r.numpy(), r.unit(), ceiling);
        if (json) {
            out.println(new Json().put("workload", r.workload()).put("description", r.description())
                    .put("layerwise", r.layerwise()).put("numpy", r.numpy()).put("unit", r.unit())
                    .put("ratio", r.ratio()).put("kernels", KernelProvider.kernels().name())
                    .put("threads", Parallel.threads()).put("java", Runtime.version().feature())
                    .put("numpy_note", r.numpyNote()).put("fma_ceiling_gflops", ceiling)
                    .put("layerwise_share", lwShare).put("numpy_share", npShare)
                    .put("numpy_version", info.version()).put("numpy_corename", info.corename())
                    .put("numpy_config", info.config()).put("numpy_env", numpyEnv.name())
                    .put("numpy_env_removed", info.removed()));
        } else {
            out.printf(Locale.ROOT, "%-20s %-44s %16s %16s %8s %6s %6s%n", r.workload(), r.description(),
                    format(r.layerwise(), r.unit()), r.numpy() == null ? r.numpyNote() : format(r.numpy(), r.unit()),
                    r.ratio() == null ? "-" : String.format(Locale.ROOT, "%.2f", r.ratio()), percent(lwShare),
                    percent(npShare));
        }
        out.flush();
    }

    /** A product's GFLOP/s as a fraction of the ceiling; null for the other workloads. */
    private static Double share(double value, String unit, double ceiling) {
        return unit.equals("GFLOP/s") && ceiling > 0 ? value / ceiling : null;
    }

    private static String percent(Double share) {
        return share == null ? "" : String.format(Locale.ROOT, "%.0f%%", 100 * share);
    }

    /**
     * The machine's ceiling for the float32 products, in GFLOP/s: the kernels' register-only multiply-add loop on
     * {@link Parallel#threads()} threads at once, each on a thread of its own started for it, timed from the first
     * start to the last end; the median of {@code repeats}. The loop is first run on this thread until the JIT has
     * compiled it, then once to learn its length per repeat.
     */
    private double fmaCeiling() throws InterruptedException {
        float[] sink = new float[1];
        // Many short calls, not a few long ones: the JIT compiles a method once it has been called often enough, and
        // until then the Vector API's fallbacks run it at a tiny fraction of its speed.
        long warmUpStart = System.nanoTime();
        for (int i = 0; i < CEILING_WARM_UP_CALLS || System.nanoTime() - warmUpStart < WARM_UP_NANOS / 2; i++) {
            KernelProvider.kernels().matrix().fmaLoop(1 << 10, sink);
        }
        int rounds = 1 << 16;
        long t0 = System.nanoTime();
        KernelProvider.kernels().matrix().fmaLoop(rounds, sink);
        long elapsed = System.nanoTime() - t0;
        int perThread = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (double) rounds * CEILING_NANOS
                / Math.max(1, elapsed)));
        int threads = Parallel.threads();
        double[] gflops = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long[] starts = new long[threads];
            long[] ends = new long[threads];
            long[] multiplyAdds = new long[threads];
            Thread[] workers = new Thread[threads];
            CountDownLatch go = new CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                int id = t;
                workers[t] = new Thread(() -> {
                    float[] own = new float[1];
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    starts[id] = System.nanoTime();
                    multiplyAdds[id] = KernelProvider.kernels().matrix().fmaLoop(perThread, own);
                    ends[id] = System.nanoTime();
                }, "layerwise-fma-ceiling-" + t);
                workers[t].setDaemon(true);
                workers[t].start();
            }
            go.countDown();
            for (Thread w : workers) {
                w.join();
            }
            long first = Arrays.stream(starts).min().orElse(0);
            long last = Arrays.stream(ends).max().orElse(0);
            gflops[r] = 2.0 * Arrays.stream(multiplyAdds).sum() / Math.max(1, last - first);
        }
        return median(gflops);
    }

    private static String format(double v, String unit) {
        return String.format(Locale.ROOT, v >= 1000 ? "%,.0f %s" : "%.3g %s", v, unit);
    }

    private Row run(String w, Mnist.Data mnist, Path dataDir, Path script, NumpySide numpy) throws Exception {
        if (w.equals("E2E")) {
            return endToEnd(dataDir, script);
        }
        DataSet train = mnist == null ? null : mnist.train();
        Runnable lw;
        int warmUps;
        String description;
        String unit;
        boolean higher;
        double work;
        Matcher g = GEMM.matcher(w);
        if (g.matches()) {
            int m = Integer.parseInt(g.group(1));
            int n = Integer.parseInt(g.group(2));
            int k = Integer.parseInt(g.group(3));
            String kind = g.group(4);
            int calls = (int) Math.max(1, GEMM_MULTIPLY_ADDS / ((double) m * n * k));
            lw = gemm(m, n, k, kind, calls);
            warmUps = 2;
            description = "float32 product " + m + "×" + n + "×" + k + " " + kind;
            unit = "GFLOP/s";
            higher = true;
            work = 2.0 * m * n * k * calls / 1e9;
        } else {
            switch (w) {
                case "T1":
                    lw = bookTrainingRun(mnist);
                    warmUps = 0; // NumPy's side is not warmed up either
                    description = "book's ch05 run (f32; NumPy f64 as the book)";
                    unit = "s/run";
                    higher = false;
                    work = 1;
                    break;
                case "C1":
                    DataSet images = new DataSet(train.x().reshape(train.size(), 1, 28, 28), train.t());
                    lw = steps(images, new SimpleConvNet(), new Adam(), 100, CONV_STEPS);
                    warmUps = 2;
                    description = "SimpleConvNet epoch (f32; NumPy f64 as the book)";
                    unit = "s/epoch";
                    higher = false;
                    work = CONV_STEPS / 600.0;
                    break;
                case "W1":
                    lw = steps(train, mlp(new int[] {784, 50, 10}, new Rng(1)), new SGD(0.1), 100, 600);
                    warmUps = 2;
                    description = "784-50-10 SGD epoch (600 × batch 100)";
                    unit = "s/epoch";
                    higher = false;
                    work = 1;
                    break;
                case "W2":
                    int its = 60000 / 128;
                    lw = steps(train, mlp(new int[] {784, 1024, 1024, 10}, new Rng(1)), new SGD(0.1), 128, its);
                    warmUps = 2;
                    description = "784-1024-1024-10 SGD epoch, batch 128";
                    unit = "samples/s";
                    higher = true;
                    work = its * 128.0;
                    break;
                case "W4-1000":
                    lw = inference(train, 1000, 60);
                    warmUps = 2;
                    description = "784-50-10 inference, batch 1000";
                    unit = "images/s";
                    higher = true;
                    work = 60000;
                    break;
                default:
                    lw = inference(train, 1, 20000);
                    warmUps = 2;
                    description = "784-50-10 inference, batch 1";
                    unit = "images/s";
                    higher = true;
                    work = 20000;
                    break;
            }
        }
        Times times = sideBySide(w, lw, warmUps, numpy);
        Double npValue = times.numpy() == null ? null : value(median(times.numpy()), work, unit);
        return new Row(w, description, value(median(times.layerwise()), work, unit), npValue, unit, higher,
                times.numpyNote());
    }

    /** The timed repeats of a workload on both sides; {@code numpy} is null when that side is skipped or failed. */
    private record Times(double[] layerwise, double[] numpy, String numpyNote) {
    }

    /**
     * Times {@code repeats} runs of {@code r} after {@code warmUps} untimed ones, and as many of the NumPy side's, the
     * two sides taking turns (one, then the other first). When there are warm-up runs, they go on for at least
     * {@link #WARM_UP_NANOS}, so that the JIT has compiled the kernels before the clock starts.
     */
    private Times sideBySide(String w, Runnable r, int warmUps, NumpySide numpy) throws InterruptedException {
        long start = System.nanoTime();
        for (int i = 0; i < warmUps || (warmUps > 0 && System.nanoTime() - start < WARM_UP_NANOS); i++) {
            r.run();
        }
        double[] lw = new double[repeats];
        double[] np = numpy == null ? null : new double[repeats];
        String note = numpy == null ? "skipped" : null;
        for (int i = 0; i < repeats; i++) {
            for (int turn = 0; turn < 2; turn++) {
                if ((turn + i) % 2 == 0) {
                    long t0 = System.nanoTime();
                    r.run();
                    lw[i] = (System.nanoTime() - t0) / 1e9;
                } else if (np != null) {
                    try {
                        np[i] = numpyOnce(numpy, w);
                    } catch (IOException e) {
                        spec.commandLine().getErr().println("layerwise bench: NumPy side of " + w + " failed: "
                                + e.getMessage());
                        np = null;
                        note = "unavailable";
                    }
                }
            }
        }
        return new Times(lw, np, note);
    }

    /** One repeat of {@code w} on the NumPy side, in seconds. */
    private static double numpyOnce(NumpySide numpy, String w) throws IOException, InterruptedException {
        NumpySide.Answer answer = numpy.once(w);
        if (answer.steps() != null && answer.steps() != CONV_STEPS) {
            throw new IOException("the NumPy script timed " + answer.steps() + " steps, not " + CONV_STEPS);
        }
        return answer.seconds();
    }

    /** Seconds per unit, or units per second, from the seconds {@code work} units took (e.g. a tenth of an epoch). */
    private static double value(double seconds, double work, String unit) {
        return unit.startsWith("s/") ? seconds / work : work / seconds;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** An MLP of Affine/ReLU layers, as the NumPy side builds it: weights N(0, 0.01²), float32. */
    static Sequential mlp(int[] sizes, Rng rng) {
        List<Parameters.Spec> specs = new ArrayList<>();
        for (int i = 1; i < sizes.length; i++) {
            specs.add(Parameters.spec("W" + i, sizes[i - 1], sizes[i]));
            specs.add(Parameters.spec("b" + i, sizes[i]));
        }
        Parameters params = Parameters.allocate(DType.FLOAT32, specs);
        Map<String, Layer> layers = new LinkedHashMap<>();
        for (int i = 1; i < sizes.length; i++) {
            WeightInit.std(0.01).fill(params.get("W" + i).value(), sizes[i - 1], rng);
            layers.put("Affine" + i, new Affine(params.get("W" + i), params.get("b" + i)));
            if (i < sizes.length - 1) {
                layers.put("Relu" + i, new Relu());
            }
        }
        return new Sequential(params, layers);
    }

    /**
     * {@code steps} training steps, as a training loop takes them: a batch drawn at random with replacement, gathered
     * into reused buffers, backpropagation, the optimizer's update.
     */
    private static Runnable steps(DataSet data, Network net, Optimizer optimizer, int batchSize, int steps) {
        Rng rng = new Rng(1);
        MiniBatch batch = new MiniBatch(data, batchSize);
        int[] idx = new int[batchSize];
        return () -> {
            for (int s = 0; s < steps; s++) {
                for (int j = 0; j < batchSize; j++) {
                    idx[j] = rng.nextInt(data.size());
                }
                batch.gather(idx);
                net.gradient(batch.x(), batch.t());
                optimizer.update(net.parameters());
            }
        };
    }

    /**
     * What {@code layerwise train} does with no options: the book's {@code ch05/train_neuralnet.py}, 10,000 SGD steps
     * and the accuracy on the whole training and test sets every epoch.
     */
    private static Runnable bookTrainingRun(Mnist.Data mnist) {
        return () -> Trainer.builder(new TwoLayerNet(784, 50, 10), new SGD(0.1), mnist.train(), mnist.test())
                .iterations(10_000).batchSize(100).seed(7).build().run();
    }

    private static Runnable inference(DataSet train, int batchSize, int batches) {
        Sequential net = mlp(new int[] {784, 50, 10}, new Rng(1));
        Tensor[] inputs = new Tensor[Math.min(batches, train.size() / batchSize)];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = train.x().rows(i * batchSize, (i + 1) * batchSize);
        }
        return () -> {
            for (int i = 0; i < batches; i++) {
                net.predict(inputs[i % inputs.length]);
            }
        };
    }

    private static Runnable gemm(int m, int n, int k, String kind, int calls) {
        Rng rng = new Rng(0);
        Tensor a = random(kind.equals("tn") ? new int[] {k, m} : new int[] {m, k}, rng);
        Tensor b = random(kind.equals("nt") ? new int[] {n, k} : new int[] {k, n}, rng);
        Tensor c = Tensor.zeros(DType.FLOAT32, m, n);
        return () -> {
            for (int i = 0; i < calls; i++) {
                Ops.gemm(kind.equals("tn"), kind.equals("nt"), a, b, c, false);
            }
        };
    }

    private static Tensor random(int[] shape, Rng rng) {
        Tensor t = Tensor.zeros(DType.FLOAT32, shape);
        float[] f = t.floats();
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) rng.nextGaussian();
        }
        return t;
    }

    /**
     * E2E: {@code layerwise train} with the book's defaults in a fresh JVM (this one's java, JVM options and class
     * path; the launcher's own few hundredths of a second are not counted) against T1 of the NumPy script in a fresh
     * Python, each timed from its start to its exit. The sides take turns, so that both meet the machine as it is.
     */
    private Row endToEnd(Path dataDir, Path script) throws IOException, InterruptedException {
        String data = dataDir.toAbsolutePath().toString();
        List<String> train = new ArrayList<>(freshJvm());
        train.addAll(List.of("train", "--quiet", "--data", data));
        if (threads != null) {
            train.addAll(List.of("--threads", threads.toString()));
        }
        double[] lw = new double[repeats];
        double[] np = script == null ? null : new double[repeats];
        String note = script == null ? "skipped" : null;
        for (int i = 0; i < repeats; i++) {
            lw[i] = runToEnd(new ProcessBuilder(train), "layerwise train", "").seconds();
            if (np != null) {
                try {
                    np[i] = runToEnd(numpyProcess(List.of(python, script.toString(), data, "T1", "1")), python,
                            "; use --python or --no-numpy").seconds();
                } catch (IOException e) {
                    spec.commandLine().getErr().println("layerwise bench: NumPy side of E2E failed: "
                            + e.getMessage());
                    np = null;
                    note = "unavailable";
                }
            }
        }
        return new Row("E2E", "`layerwise train` from cold vs NumPy script", median(lw),
                np == null ? null : median(np), "s/run", false, note);
    }

    /** The command that starts this tool afresh: this JVM's java, options and class path. */
    private static List<String> freshJvm() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        return cmd;
    }

    /** A child process that ran to its end: what it printed and how long it took. */
    private record Finished(String output, double seconds) {
    }

    /**
     * Runs {@code pb} to its end; a start that fails, an exit other than 0 or a run past the time limit is an
     * {@code IOException} that names {@code who} ({@code startHint} follows a failed start).
     */
    private static Finished runToEnd(ProcessBuilder pb, String who, String startHint)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("layerwise-bench-", ".out");
        try {
            pb.redirectErrorStream(true).redirectOutput(log.toFile());
            long t0 = System.nanoTime();
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new IOException(who + " could not be started (" + e.getMessage() + ")" + startHint);
            }
            if (!p.waitFor(CHILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(who + " took more than " + CHILD_TIMEOUT_MINUTES + " minutes; stopped");
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                String[] lines = output.strip().split("\n");
                throw new IOException(who + " exited with " + p.exitValue() + ": " + lines[lines.length - 1]);
            }
            return new Finished(output, seconds);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /**
     * A Python process running {@code command}, kept on NumPy's fast path: NumPy allocates its temporaries afresh each
     * step; glibc hands the large ones (a batch of rows, 300 KB) out as new mappings or from its heap depending on its
     * adaptive threshold, and on a machine where page faults are dear the first way made the same code 5 times slower
     * in some processes. (The JVM side of E2E runs as the launcher starts it, without these settings.)
     */
    private ProcessBuilder numpyProcess(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        numpyEnvironment(pb.environment(), numpyEnv);
        return pb;
    }

    /**
     * Makes {@code env}, a copy of this process's environment, the NumPy side's: glibc's allocator settings added
     * (see {@link #numpyProcess}), and with {@link NumpyEnv#best} the {@link #PINNING} variables removed. Returns the
     * names removed.
     */
    static List<String> numpyEnvironment(Map<String, String> env, NumpyEnv mode) {
        env.putIfAbsent("MALLOC_MMAP_THRESHOLD_", "268435456");
        env.putIfAbsent("MALLOC_TRIM_THRESHOLD_", "268435456");
        List<String> removed = new ArrayList<>();
        if (mode == NumpyEnv.best) {
            for (String name : PINNING) {
                if (env.remove(name) != null) {
                    removed.add(name);
                }
            }
        }
        return removed;
    }

    /**
     * Asks the NumPy side, in the environment its workloads run in, for NumPy's version and the kernel set and build of
     * the OpenBLAS inside it. A Python that fails here leaves the fields empty; its workloads then say why they fail.
     */
    private NumpyInfo numpyInfo(Path script) throws InterruptedException {
        ProcessBuilder pb = numpyProcess(List.of(python, script.toString(), ".", "INFO", "1"));
        List<String> removed = numpyEnvironment(new LinkedHashMap<>(System.getenv()), numpyEnv);
        try {
            String output = runToEnd(pb, python, "; use --python or --no-numpy").output();
            String line = output.strip().lines().reduce((first, second) -> second).orElse("");
            Map<?, ?> fields = (Map<?, ?>) dev.layerwise.io.Json.parse(line, "the NumPy script's answer");
            return new NumpyInfo(text(fields.get("numpy")), text(fields.get("corename")),
                    text(fields.get("config")), removed);
        } catch (IOException | RuntimeException e) {
            return new NumpyInfo(null, null, null, removed);
        }
    }

    private static String text(Object value) {
        return value instanceof String && !((String) value).isBlank() ? ((String) value).strip() : null;
    }

    private Path extractScript() throws IOException {
        Path script = Files.createTempFile("layerwise-numpy-", ".py");
        script.toFile().deleteOnExit();
        try (InputStream in = BenchCommand.class.getResourceAsStream("numpy_workloads.py")) {
            if (in == null) {
                throw new IOException("numpy_workloads.py is missing from the tool");
            }
            Files.write(script, in.readAllBytes());
        }
        return script;
    }
}
