package dev.layerwise.bench;

import dev.layerwise.data.Mnist;
import dev.layerwise.data.MnistFetcher;
import dev.layerwise.kernel.ConvGeometry;
import dev.layerwise.kernel.Kernels;
import dev.layerwise.kernel.Parallel;
import dev.layerwise.layer.Layer;
import dev.layerwise.net.SimpleConvNet;
import dev.layerwise.optim.SGD;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Ops;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A timing harness, not a test: where one training step of the book's SimpleConvNet (float32, batch 100) spends its
 * time, layer by layer and, inside Conv1, kernel by kernel; and the epoch (600 steps) that makes.
 *
 * <p>Run after {@code mvn -pl bench -am package -DskipTests}:
 * {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.layerwise.bench.ConvTiming
 * [steps]}. Uses the cached MNIST when there is one, random images otherwise.
 */
public final class ConvTiming {
    private ConvTiming() {
    }

    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int batch = 100;
        DType dtype = DType.FLOAT32;
        System.out.printf(Locale.ROOT, "kernels %s, %d threads, %s, batch %d, %d steps%n", Kernels.get().name(),
                Parallel.threads(), dtype, batch, steps);
        Tensor x = images(batch, dtype);
        int[] labels = new int[batch];
        Rng rng = new Rng(1);
        for (int i = 0; i < batch; i++) {
            labels[i] = rng.nextInt(10);
        }
        Labels t = Labels.of(labels);
        SimpleConvNet net = new SimpleConvNet();
        SGD sgd = new SGD(0.0);

        double stepMs = bestOf(() -> {
            net.gradient(x, t);
            sgd.update(net.parameters());
        }, steps);
        System.out.printf(Locale.ROOT, "training step (gradient + SGD update): %.3f ms → epoch of 600 steps %.2f s%n",
                stepMs, stepMs * 600 / 1000);

        Map<String, Layer> layers = net.layers();
        List<String> names = new ArrayList<>(layers.keySet());
        names.add("SoftmaxWithLoss");
        Map<String, double[]> best = new LinkedHashMap<>();
        for (String name : names) {
            best.put(name, new double[] {Double.MAX_VALUE, Double.MAX_VALUE});
        }
        int calls = Math.max(1, steps / 10);
        for (int round = 0; round < 11; round++) {
            Map<String, long[]> times = new LinkedHashMap<>();
            for (String name : names) {
                times.put(name, new long[2]);
            }
            for (int rep = 0; rep < calls; rep++) {
                Tensor out = x;
                for (String name : names.subList(0, names.size() - 1)) {
                    long s = System.nanoTime();
                    out = layers.get(name).forward(out, true);
                    times.get(name)[0] += System.nanoTime() - s;
                }
                long s = System.nanoTime();
                net.lastLayer().forward(out, t);
                Tensor dout = net.lastLayer().backward();
                times.get("SoftmaxWithLoss")[0] += System.nanoTime() - s;
                for (int i = names.size() - 2; i >= 0 && dout != null; i--) {
                    s = System.nanoTime();
                    dout = layers.get(names.get(i)).backward(dout);
                    times.get(names.get(i))[1] += System.nanoTime() - s;
                }
            }
            for (String name : names) {
                for (int k = 0; k < 2 && round > 0; k++) {
                    best.get(name)[k] = Math.min(best.get(name)[k], times.get(name)[k] / 1e6 / calls);
                }
            }
        }
        System.out.println("per layer, best ms per step   forward  backward");
        double total = 0;
        for (String name : names) {
            double[] b = best.get(name);
            total += b[0] + b[1];
            System.out.printf(Locale.ROOT, "  %-25s %8.3f  %8.3f%n", name, b[0], b[1]);
        }
        System.out.printf(Locale.ROOT, "  %-25s %8.3f%n", "sum", total);

        // Inside Conv1: the kernels Convolution calls, on the same shapes (* backward's dx, which Conv1 skips).
        ConvGeometry g = new ConvGeometry(1, 28, 28, 5, 5, 1, 0);
        int fn = 30;
        int positions = g.positions();
        Tensor W = net.parameters().get("W1").value().reshape(fn, -1);
        Tensor b = net.parameters().get("b1").value();
        Tensor colT = Tensor.zeros(dtype, batch, g.patchSize(), positions);
        Tensor col = Tensor.zeros(dtype, batch * positions, g.patchSize());
        Tensor out = Tensor.zeros(dtype, batch, fn, 24, 24);
        Tensor doutT = Tensor.zeros(dtype, fn, batch * positions);
        Tensor db = Tensor.zeros(dtype, fn);
        Tensor dW = Tensor.zeros(dtype, fn, g.patchSize());
        Tensor dcolT = Tensor.zeros(dtype, batch, g.patchSize(), positions);
        Tensor dx = Tensor.zeros(dtype, batch, 1, 28, 28);
        Map<String, Runnable> kernels = new LinkedHashMap<>();
        kernels.put("im2colT", () -> Ops.im2colT(x, g, colT));
        kernels.put("W·colT[i] + b (gemm)", () -> Ops.matmulBatch(false, W, colT, b, out));
        kernels.put("swap axes (dout)", () -> Ops.swapAxes01(out, doutT.reshape(fn, batch, 24, 24)));
        kernels.put("db (row sums)", () -> Ops.sumRows(doutT, db));
        kernels.put("im2col (for dW)", () -> Ops.im2col(x, g, col));
        kernels.put("dW = doutT·col (gemm)", () -> Ops.matmul(doutT, col, dW));
        kernels.put("dcolT = Wᵀ·dout[i] (gemm)*", () -> Ops.matmulBatch(true, W, out, null, dcolT));
        kernels.put("col2imT*", () -> Ops.col2imT(dcolT, g, dx));
        boolean[] mask = new boolean[out.size()];
        Tensor relu = Tensor.zeros(dtype, out.shape());
        kernels.put("Relu1: relu forward", () -> Ops.reluForward(out, mask, relu));
        kernels.put("Relu1: relu backward", () -> Ops.reluBackward(out, mask, relu));
        ConvGeometry pg = new ConvGeometry(fn, 24, 24, 2, 2, 2, 0);
        int[] argMax = new int[batch * fn * pg.positions()];
        Tensor pooled = Tensor.zeros(dtype, batch, fn, 12, 12);
        kernels.put("Pool1: max pool forward", () -> Ops.maxPoolForward(relu, pg, argMax, pooled));
        kernels.put("Pool1: max pool backward", () -> Ops.maxPoolBackward(pooled, pg, argMax, relu));
        System.out.println("kernels of Conv1, Relu1, Pool1, best ms per call"
                + " (* not run in SimpleConvNet: Conv1 skips dx)");
        for (Map.Entry<String, Runnable> e : kernels.entrySet()) {
            System.out.printf(Locale.ROOT, "  %-25s %8.3f%n", e.getKey(), bestOf(e.getValue(), steps));
        }
    }

    /**
     * The fastest of several rounds of {@code steps / 10} calls, in ms per call: on a machine shared with other work,
     * the minimum is what the code costs, the mean is what the neighbours cost.
     */
    private static double bestOf(Runnable r, int steps) {
        int calls = Math.max(1, steps / 10);
        for (int i = 0; i < calls; i++) {
            r.run();
        }
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 10; round++) {
            long s = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                r.run();
            }
            best = Math.min(best, (System.nanoTime() - s) / 1e6 / calls);
        }
        return best;
    }

    /** A batch of MNIST's training images (N, 1, 28, 28) if MNIST is cached, else sparse random ones. */
    static Tensor images(int batch, DType dtype) throws Exception {
        MnistFetcher fetcher = new MnistFetcher();
        if (fetcher.isCached()) {
            Mnist.Data data = Mnist.load(fetcher.cacheDir(),
                    Mnist.Options.defaults().withFlatten(false).withDType(dtype));
            System.out.println("MNIST images from " + fetcher.cacheDir().getFileName());
            return data.train().x().rows(0, batch).copy();
        }
        System.out.println("random images (MNIST is not cached)");
        Tensor x = Tensor.zeros(dtype, batch, 1, 28, 28);
        Rng rng = new Rng(2);
        for (int i = 0; i < x.size(); i++) {
            x.setDouble(i, rng.nextDouble() < 0.8 ? 0 : rng.nextDouble());
        }
        return x;
    }
}
