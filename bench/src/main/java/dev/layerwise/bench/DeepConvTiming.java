package dev.layerwise.bench;

import dev.layerwise.kernel.ConvGeometry;
import dev.layerwise.kernel.Kernels;
import dev.layerwise.kernel.Parallel;
import dev.layerwise.layer.Layer;
import dev.layerwise.net.DeepConvNet;
import dev.layerwise.optim.Adam;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Ops;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A timing harness, not a test: where one training step of the book's DeepConvNet (float32, batch 100, Adam) spends
 * its time, layer by layer, forward and backward; and the epoch (600 steps) that makes.
 *
 * <p>Each figure is the best of several rounds, both in wall-clock time and in the calling thread's CPU time. With
 * {@code -Dlayerwise.threads=1} all the work runs on the calling thread, so its CPU time is what the code costs even on
 * a machine busy with other work (the wall-clock time then also counts the time the thread waited for a core).
 *
 * <p>Run after {@code mvn -pl bench -am package -DskipTests}:
 * {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.layerwise.bench.DeepConvTiming
 * [steps]}. Uses the cached MNIST when there is one, random images otherwise.
 */
public final class DeepConvTiming {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private DeepConvTiming() {
    }

    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int batch = 100;
        DType dtype = DType.FLOAT32;
        System.out.printf(Locale.ROOT, "kernels %s, %d threads, %s, batch %d, %d steps%n", Kernels.get().name(),
                Parallel.threads(), dtype, batch, steps);
        Tensor x = ConvTiming.images(batch, dtype);
        int[] labels = new int[batch];
        Rng rng = new Rng(1);
        for (int i = 0; i < batch; i++) {
            labels[i] = rng.nextInt(10);
        }
        Labels t = Labels.of(labels);
        DeepConvNet net = new DeepConvNet();
        Adam adam = new Adam();

        double[] step = bestOf(() -> {
            net.gradient(x, t);
            adam.update(net.parameters());
        }, steps);
        System.out.printf(Locale.ROOT, "training step (gradient + Adam update): wall %.2f ms, cpu %.2f ms"
                + " → epoch of 600 steps: wall %.1f s, cpu %.1f s%n", step[0], step[1], step[0] * 0.6, step[1] * 0.6);

        Map<String, Layer> layers = net.layers();
        List<String> names = new ArrayList<>(layers.keySet());
        names.add("SoftmaxWithLoss");
        int n = names.size();
        double[][] best = new double[n][4];
        for (double[] b : best) {
            java.util.Arrays.fill(b, Double.MAX_VALUE);
        }
        int calls = Math.max(1, steps / 10);
        for (int round = 0; round < 11; round++) {
            long[][] times = new long[n][4];
            for (int rep = 0; rep < calls; rep++) {
                Tensor out = x;
                for (int i = 0; i < n - 1; i++) {
                    long s = System.nanoTime();
                    long c = CPU.getCurrentThreadCpuTime();
                    out = layers.get(names.get(i)).forward(out, true);
                    times[i][1] += CPU.getCurrentThreadCpuTime() - c;
                    times[i][0] += System.nanoTime() - s;
                }
                long s = System.nanoTime();
                long c = CPU.getCurrentThreadCpuTime();
                net.lastLayer().forward(out, t);
                Tensor dout = net.lastLayer().backward();
                times[n - 1][1] += CPU.getCurrentThreadCpuTime() - c;
                times[n - 1][0] += System.nanoTime() - s;
                for (int i = n - 2; i >= 0 && dout != null; i--) {
                    s = System.nanoTime();
                    c = CPU.getCurrentThreadCpuTime();
                    dout = layers.get(names.get(i)).backward(dout);
                    times[i][3] += CPU.getCurrentThreadCpuTime() - c;
                    times[i][2] += System.nanoTime() - s;
                }
            }
            for (int i = 0; i < n && round > 0; i++) {
                for (int k = 0; k < 4; k++) {
                    best[i][k] = Math.min(best[i][k], times[i][k] / 1e6 / calls);
                }
            }
        }
        System.out.println("per layer, best ms per step   fwd wall  fwd cpu  bwd wall  bwd cpu");
        double[] total = new double[4];
        for (int i = 0; i < n; i++) {
            double[] b = best[i];
            for (int k = 0; k < 4; k++) {
                total[k] += b[k] == Double.MAX_VALUE ? 0 : b[k];
            }
            System.out.printf(Locale.ROOT, "  %-25s %8.3f %8.3f  %8.3f %8.3f%n", names.get(i), b[0], b[1],
                    b[2] == Double.MAX_VALUE ? 0 : b[2], b[3] == Double.MAX_VALUE ? 0 : b[3]);
        }
        System.out.printf(Locale.ROOT, "  %-25s %8.3f %8.3f  %8.3f %8.3f%n", "sum", total[0], total[1], total[2],
                total[3]);

        if (Boolean.getBoolean("layers.only")) {
            return;
        }
        // Inside each convolution: the kernels Convolution calls, on its shapes (Conv1 skips dcolT and col2imT).
        System.out.println("kernels of each convolution, best ms per call   wall      cpu");
        int[] shape = {1, 28, 28};
        for (int l = 0; l < 6; l++) {
            dev.layerwise.net.ConvParam cp = DeepConvNet.DEFAULT_CONV_PARAMS.get(l);
            ConvGeometry g = new ConvGeometry(shape[0], shape[1], shape[2], cp.filterSize(), cp.filterSize(),
                    cp.stride(), cp.pad());
            int fn = cp.filterNum();
            int positions = g.positions();
            Tensor in = Tensor.zeros(dtype, batch, shape[0], shape[1], shape[2]);
            Rng r = new Rng(3 + l);
            for (int i = 0; i < in.size(); i++) {
                in.setDouble(i, r.nextGaussian());
            }
            Tensor W = net.parameters().get("W" + (l + 1)).value().reshape(fn, -1);
            Tensor b = net.parameters().get("b" + (l + 1)).value();
            Tensor colT = Tensor.zeros(dtype, batch, g.patchSize(), positions);
            Tensor col = Tensor.zeros(dtype, batch * positions, g.patchSize());
            Tensor out = Tensor.zeros(dtype, batch, fn, g.outH(), g.outW());
            Tensor doutT = Tensor.zeros(dtype, fn, batch * positions);
            Tensor db = Tensor.zeros(dtype, fn);
            Tensor dW = Tensor.zeros(dtype, fn, g.patchSize());
            Tensor dcolT = Tensor.zeros(dtype, batch, g.patchSize(), positions);
            Tensor dx = Tensor.zeros(dtype, batch, shape[0], shape[1], shape[2]);
            Map<String, Runnable> kernels = new LinkedHashMap<>();
            kernels.put("im2colT", () -> Ops.im2colT(in, g, colT));
            kernels.put("W·colT[i] + b", () -> Ops.matmulBatch(false, W, colT, b, out));
            kernels.put("swap axes (dout)", () -> Ops.swapAxes01(out, doutT.reshape(fn, batch, g.outH(), g.outW())));
            kernels.put("db (row sums)", () -> Ops.sumRows(doutT, db));
            kernels.put("im2col (for dW)", () -> Ops.im2col(in, g, col));
            kernels.put("dW = doutT·col", () -> Ops.matmul(doutT, col, dW));
            kernels.put("dW without col", () -> Ops.convBackwardWeights(in, g, doutT, dW));
            kernels.put("dcolT = Wᵀ·dout[i]", () -> Ops.matmulBatch(true, W, out, null, dcolT));
            kernels.put("col2imT", () -> Ops.col2imT(dcolT, g, dx));
            System.out.printf(Locale.ROOT, " Conv%d: %s, %d filters, K = %d%n", l + 1, g, fn, g.patchSize());
            for (Map.Entry<String, Runnable> e : kernels.entrySet()) {
                double[] t2 = bestOf(e.getValue(), steps);
                System.out.printf(Locale.ROOT, "    %-25s %8.3f %8.3f%n", e.getKey(), t2[0], t2[1]);
            }
            shape = new int[] {fn, g.outH(), g.outW()};
            if (l % 2 == 1) {
                shape = new int[] {fn, g.outH() / 2, g.outW() / 2};
            }
        }
    }

    /**
     * The fastest of several rounds of {@code steps / 10} calls, in ms per call, {wall, cpu}: on a machine shared with
     * other work, the minimum is what the code costs, the mean is what the neighbours cost.
     */
    private static double[] bestOf(Runnable r, int steps) {
        int calls = Math.max(1, steps / 10);
        for (int i = 0; i < calls; i++) {
            r.run();
        }
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
        for (int round = 0; round < 10; round++) {
            long s = System.nanoTime();
            long c = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < calls; i++) {
                r.run();
            }
            best[1] = Math.min(best[1], (CPU.getCurrentThreadCpuTime() - c) / 1e6 / calls);
            best[0] = Math.min(best[0], (System.nanoTime() - s) / 1e6 / calls);
        }
        return best;
    }
}
