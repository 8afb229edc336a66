package dev.layerwise.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.GradientCollector;
import dev.layerwise.data.DataSet;
import dev.layerwise.data.Mnist;
import dev.layerwise.data.MnistFetcher;
import dev.layerwise.kernel.KernelProvider;
import dev.layerwise.kernel.Parallel;
import dev.layerwise.net.DeepConvNet;
import dev.layerwise.net.Network;
import dev.layerwise.net.SimpleConvNet;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.optim.Adam;
import dev.layerwise.optim.Optimizer;
import dev.layerwise.optim.SGD;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.train.MiniBatch;
import dev.layerwise.util.Rng;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The same training epochs in Layerwise and in PyTorch's CPU kernels (through DJL's PyTorch engine), in one run, side
 * by side, with the ratio of the times.
 *
 * <p>Workloads: {@code C1}, an epoch of the book's SimpleConvNet (conv 30×5×5 → ReLU → pool 2×2 → affine 100 → ReLU →
 * affine 10 → softmax with loss; Adam lr 0.001, 600 steps of batch 100 = 60,000 images); {@code D1}, an epoch of the
 * book's DeepConvNet of chapter 8 (six 3×3 convolutions of 16, 16, 32, 32, 64, 64 filters with ReLU, pooled after
 * every second → affine 50 → ReLU → dropout 0.5 → affine 10 → dropout 0.5; Adam lr 0.001, as {@code
 * train_deepnet.py}; 600 steps of batch 100); {@code W1}, an epoch of the book's 784-50-10 network (Affine/ReLU, SGD
 * lr 0.1, 600 steps of batch 100). Dropout is the book's on both sides (a mask of {@code rand > 0.5}, no rescaling in
 * training), but the masks come from each side's own generator, so they differ and the losses are alike, not equal. Both sides train in float32 from the
 * same initial weights (PyTorch's are copied from Layerwise's) on the same mini-batches (drawn with replacement, as the
 * book), on the same number of threads (PyTorch's intra-op threads are set to Layerwise's kernel threads). A step is
 * what a training loop does: take a batch from the training set, forward, backward, update. On the PyTorch side the
 * forward is {@code conv2d}, {@code relu}, {@code max_pool2d}, {@code linear} and {@code log_softmax} under autograd
 * and the update is Adam's (or SGD's) formula in in-place tensor operations; DJL adds a JNI call per operation.
 *
 * <p>Each side first runs a warm-up epoch (JIT, oneDNN initialisation), then {@code --repeats} timed epochs,
 * alternating sides; the median is reported, and the mean loss of the last epoch on each side, which should be close.
 *
 * <p>Build and run (outside the default build; the native library comes from the {@code pytorch-native-cpu} jar, and
 * with {@code ai.djl.offline=true} nothing is downloaded):
 * <pre>
 * mvn -B -Ppytorch -pl bench -am package -DskipTests
 * java --add-modules jdk.incubator.vector -Dai.djl.offline=true \
 *     -cp "bench/target/classes:$(cat bench/target/pytorch-classpath.txt)" dev.layerwise.bench.PyTorchComparison \
 *     [--workloads C1,D1,W1] [--repeats 3] [--steps 600] [--threads N] [--data DIR]
 * </pre>
 */
public final class PyTorchComparison {
    private PyTorchComparison() {
    }

    /** One side's training step on the batch of the given example indices; returns the loss. */
    private interface Side extends AutoCloseable {
        double step(int[] indices);

        @Override
        void close();
    }

    public static void main(String[] args) throws Exception {
        List<String> workloads = List.of("C1", "W1");
        int repeats = 3;
        int steps = 600;
        Integer threads = null;
        Path data = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--workloads" -> workloads = List.of(value.split(","));
                case "--repeats" -> repeats = Integer.parseInt(value);
                case "--steps" -> steps = Integer.parseInt(value);
                case "--threads" -> threads = Integer.parseInt(value);
                case "--data" -> data = Path.of(value);
                default -> {
                    System.err.println("usage: PyTorchComparison [--workloads C1,D1,W1] [--repeats N] [--steps N] "
                            + "[--threads N] [--data DIR]");
                    System.exit(2);
                }
            }
            i++;
        }
        if (threads != null) {
            Parallel.setThreads(threads);
        }
        int n = Parallel.threads();
        // Read by DJL's PyTorch engine when it starts.
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(n));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        Path dir = data != null ? data : new MnistFetcher().fetch();
        Mnist.Data mnist = Mnist.load(dir, Mnist.Options.defaults().withFlatten(false).withDType(DType.FLOAT32));
        Engine engine = Engine.getEngine("PyTorch");
        System.out.printf(Locale.ROOT, "Layerwise (%s kernels) vs PyTorch %s (DJL %s), %d threads, Java %s; median of %d"
                        + " epochs of %d steps; ratio > 1: Layerwise faster%n", KernelProvider.kernels().name(),
                engine.getVersion(), Engine.getDjlVersion(), n, Runtime.version().feature(), repeats, steps);
        System.out.printf(Locale.ROOT, "%-4s %-46s %12s %12s %7s   %s%n", "", "workload", "layerwise", "pytorch",
                "ratio", "mean loss of the last epoch (layerwise, pytorch)");
        for (String w : workloads) {
            run(w, engine, mnist.train(), steps, repeats);
        }
    }

    private static void run(String workload, Engine engine, DataSet train, int steps, int repeats) {
        String what;
        Network net;
        Optimizer optimizer;
        boolean conv = workload.equals("C1") || workload.equals("D1");
        if (workload.equals("C1")) {
            what = "SimpleConvNet epoch, Adam, batch 100";
            net = new SimpleConvNet();
            optimizer = new Adam();
        } else if (workload.equals("D1")) {
            what = "DeepConvNet epoch, Adam, batch 100";
            net = new DeepConvNet();
            optimizer = new Adam();
        } else if (workload.equals("W1")) {
            what = "784-50-10 epoch, SGD lr 0.1, batch 100";
            net = new TwoLayerNet(784, 50, 10, 0.01, DType.FLOAT32, new Rng(1));
            optimizer = new SGD(0.1);
        } else {
            throw new IllegalArgumentException("unknown workload " + workload + " (C1, D1 or W1)");
        }
        DataSet data = conv ? train : new DataSet(train.x().reshape(train.size(), 784), train.t());
        try (Side layerwise = layerwise(net, optimizer, data);
             Side pytorch = workload.equals("D1") ? new TorchDeepConvNet(engine, net, data)
                     : conv ? new TorchConvNet(engine, net, data) : new TorchMlp(engine, net, data)) {
            Rng rng = new Rng(7);
            long warmUp = rng.nextLong(); // both sides warm up on the same batches too
            epoch(layerwise, new Rng(warmUp), data.size(), steps);
            epoch(pytorch, new Rng(warmUp), data.size(), steps);
            double[] lw = new double[repeats];
            double[] pt = new double[repeats];
            double lossLw = 0;
            double lossPt = 0;
            for (int r = 0; r < repeats; r++) {
                long seed = rng.nextLong();
                long t0 = System.nanoTime();
                lossLw = epoch(layerwise, new Rng(seed), data.size(), steps);
                lw[r] = (System.nanoTime() - t0) / 1e9;
                t0 = System.nanoTime();
                lossPt = epoch(pytorch, new Rng(seed), data.size(), steps);
                pt[r] = (System.nanoTime() - t0) / 1e9;
            }
            double a = median(lw);
            double b = median(pt);
            System.out.printf(Locale.ROOT, "%-4s %-46s %10.2f s %10.2f s %7.2f   %.4f, %.4f%n", workload, what, a, b,
                    b / a, lossLw, lossPt);
        }
    }

    /** One epoch of {@code steps} batches of 100 drawn with replacement; the mean loss. */
    private static double epoch(Side side, Rng rng, int size, int steps) {
        int[] indices = new int[100];
        double sum = 0;
        for (int s = 0; s < steps; s++) {
            for (int i = 0; i < indices.length; i++) {
                indices[i] = rng.nextInt(size);
            }
            sum += side.step(indices);
        }
        return sum / steps;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static Side layerwise(Network net, Optimizer optimizer, DataSet data) {
        MiniBatch batch = new MiniBatch(data, 100);
        return new Side() {
            @Override
            public double step(int[] indices) {
                batch.gather(indices);
                double loss = net.gradient(batch.x(), batch.t());
                optimizer.update(net.parameters());
                return loss;
            }

            @Override
            public void close() {
            }
        };
    }

    /** The float32 values of a Layerwise tensor, transposed when it is a 2-D weight (PyTorch's linear is (out, in)). */
    private static float[] values(Tensor t, boolean transpose) {
        float[] v = new float[t.size()];
        if (!transpose) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) t.getDouble(i);
            }
            return v;
        }
        int rows = t.dim(0);
        int cols = t.dim(1);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                v[c * rows + r] = (float) t.getDouble(r * cols + c);
            }
        }
        return v;
    }

    /**
     * A network on the PyTorch engine: parameters that require gradients, a batch copied in from the training set per
     * step, autograd for the backward pass, the update in in-place tensor operations without autograd.
     */
    private abstract static class Torch implements Side {
        final Engine engine;
        final NDManager manager;
        final List<NDArray> params = new ArrayList<>();
        final float[] images;
        final int[] labels;
        final int features;
        final float[] batch;

        Torch(Engine engine, DataSet data) {
            this.engine = engine;
            this.manager = engine.newBaseManager();
            this.features = data.x().size() / data.size();
            this.images = new float[data.x().size()];
            for (int i = 0; i < images.length; i++) {
                images[i] = (float) data.x().getDouble(i);
            }
            this.labels = data.t().indices();
            this.batch = new float[100 * features];
        }

        NDArray parameter(Tensor t, boolean transpose, Shape shape) {
            NDArray p = manager.create(values(t, transpose), shape);
            p.setRequiresGradient(true);
            params.add(p);
            return p;
        }

        abstract NDArray scores(NDArray x);

        /** Adam's moments, one per parameter, made once the parameters are. */
        final List<NDArray> m = new ArrayList<>();
        final List<NDArray> v = new ArrayList<>();
        private long t;

        void adamMoments() {
            for (NDArray a : params) {
                m.add(manager.zeros(a.getShape()));
                v.add(manager.zeros(a.getShape()));
            }
        }

        /** The book's Adam: {@code m += (1 − β1)(g − m); v += (1 − β2)(g² − v); w −= lrT·m / (√v + 1e-7)}. */
        void adam() {
            t++;
            double lrT = 0.001 * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
            for (int i = 0; i < params.size(); i++) {
                NDArray w = params.get(i);
                NDArray g = w.getGradient();
                m.get(i).addi(g.sub(m.get(i)).muli(0.1f));
                v.get(i).addi(g.square().subi(v.get(i)).muli(0.001f));
                w.subi(m.get(i).mul((float) lrT).divi(v.get(i).sqrt().addi(1e-7f)));
                g.subi(g); // zero for the next step (gradients stay finite here)
            }
        }

        abstract Shape inputShape();

        abstract void update();

        @Override
        public double step(int[] indices) {
            for (int i = 0; i < indices.length; i++) {
                System.arraycopy(images, indices[i] * features, batch, i * features, features);
            }
            int[] t = new int[indices.length];
            for (int i = 0; i < t.length; i++) {
                t[i] = labels[indices[i]];
            }
            // Every array made in the step (the batch, activations, gradients' handles, temporaries) is closed with it.
            try (NDScope scope = new NDScope()) {
                NDArray x = manager.create(batch, inputShape());
                NDArray oneHot = manager.create(t, new Shape(t.length)).oneHot(10);
                double loss;
                try (GradientCollector gc = engine.newGradientCollector()) {
                    NDArray l = scores(x).logSoftmax(1).mul(oneHot).sum().neg().div(t.length);
                    gc.backward(l);
                    loss = l.getFloat();
                }
                update();
                return loss;
            }
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    /** The book's SimpleConvNet: Conv1 → Relu1 → Pool1 → Affine1 → Relu2 → Affine2, with Adam. */
    private static final class TorchConvNet extends Torch {
        private final NDArray w1;
        private final NDArray b1;
        private final NDArray w2;
        private final NDArray b2;
        private final NDArray w3;
        private final NDArray b3;
        private final Shape pool = new Shape(2, 2);
        private final Shape noPad = new Shape(0, 0);

        TorchConvNet(Engine engine, Network net, DataSet data) {
            super(engine, data);
            var p = net.parameters();
            w1 = parameter(p.get("W1").value(), false, new Shape(30, 1, 5, 5));
            b1 = parameter(p.get("b1").value(), false, new Shape(30));
            w2 = parameter(p.get("W2").value(), true, new Shape(100, 4320));
            b2 = parameter(p.get("b2").value(), false, new Shape(100));
            w3 = parameter(p.get("W3").value(), true, new Shape(10, 100));
            b3 = parameter(p.get("b3").value(), false, new Shape(10));
            adamMoments();
        }

        @Override
        Shape inputShape() {
            return new Shape(100, 1, 28, 28);
        }

        @Override
        NDArray scores(NDArray x) {
            NDArray h = Conv2d.conv2d(x, w1, b1).singletonOrThrow();
            h = Pool.maxPool2d(Activation.relu(h), pool, pool, noPad, false);
            h = Activation.relu(Linear.linear(h.reshape(100, 4320), w2, b2).singletonOrThrow());
            return Linear.linear(h, w3, b3).singletonOrThrow();
        }

        @Override
        void update() {
            adam();
        }
    }

    /**
     * The book's DeepConvNet: (Conv → Relu → Conv → Relu → Pool) three times → Affine1 → Relu → Dropout → Affine2 →
     * Dropout, with Adam; the pads of {@link DeepConvNet#DEFAULT_CONV_PARAMS} (Conv4's is 2).
     */
    private static final class TorchDeepConvNet extends Torch {
        private final NDArray[] w = new NDArray[8];
        private final NDArray[] b = new NDArray[8];
        private final Shape[] pads = new Shape[6];
        private final Shape pool = new Shape(2, 2);
        private final Shape one = new Shape(1, 1);
        private final Shape noPad = new Shape(0, 0);
        private final int flat;

        TorchDeepConvNet(Engine engine, Network net, DataSet data) {
            super(engine, data);
            var p = net.parameters();
            for (int i = 0; i < 6; i++) {
                Tensor wi = p.get("W" + (i + 1)).value();
                w[i] = parameter(wi, false, new Shape(wi.dim(0), wi.dim(1), wi.dim(2), wi.dim(3)));
                b[i] = parameter(p.get("b" + (i + 1)).value(), false, new Shape(wi.dim(0)));
                int pad = DeepConvNet.DEFAULT_CONV_PARAMS.get(i).pad();
                pads[i] = new Shape(pad, pad);
            }
            Tensor w7 = p.get("W7").value();
            Tensor w8 = p.get("W8").value();
            flat = w7.dim(0);
            w[6] = parameter(w7, true, new Shape(w7.dim(1), w7.dim(0)));
            b[6] = parameter(p.get("b7").value(), false, new Shape(w7.dim(1)));
            w[7] = parameter(w8, true, new Shape(w8.dim(1), w8.dim(0)));
            b[7] = parameter(p.get("b8").value(), false, new Shape(w8.dim(1)));
            adamMoments();
        }

        @Override
        Shape inputShape() {
            return new Shape(100, 1, 28, 28);
        }

        @Override
        NDArray scores(NDArray x) {
            NDArray h = x;
            for (int i = 0; i < 6; i++) {
                h = Activation.relu(Conv2d.conv2d(h, w[i], b[i], one, pads[i]).singletonOrThrow());
                if (i % 2 == 1) {
                    h = Pool.maxPool2d(h, pool, pool, noPad, false);
                }
            }
            h = dropout(Activation.relu(Linear.linear(h.reshape(100, flat), w[6], b[6]).singletonOrThrow()));
            return dropout(Linear.linear(h, w[7], b[7]).singletonOrThrow());
        }

        /** The book's dropout in training: {@code x · (rand > 0.5)}, not rescaled. */
        private NDArray dropout(NDArray h) {
            return h.mul(manager.randomUniform(0f, 1f, h.getShape()).gt(0.5f).toType(h.getDataType(), false));
        }

        @Override
        void update() {
            adam();
        }
    }

    /** The book's 784-50-10 network of chapter 5: Affine1 → Relu1 → Affine2, with SGD. */
    private static final class TorchMlp extends Torch {
        private final NDArray w1;
        private final NDArray b1;
        private final NDArray w2;
        private final NDArray b2;

        TorchMlp(Engine engine, Network net, DataSet data) {
            super(engine, data);
            var p = net.parameters();
            w1 = parameter(p.get("W1").value(), true, new Shape(50, 784));
            b1 = parameter(p.get("b1").value(), false, new Shape(50));
            w2 = parameter(p.get("W2").value(), true, new Shape(10, 50));
            b2 = parameter(p.get("b2").value(), false, new Shape(10));
        }

        @Override
        Shape inputShape() {
            return new Shape(100, 784);
        }

        @Override
        NDArray scores(NDArray x) {
            NDArray h = Activation.relu(Linear.linear(x, w1, b1).singletonOrThrow());
            return Linear.linear(h, w2, b2).singletonOrThrow();
        }

        @Override
        void update() {
            for (NDArray w : params) {
                NDArray g = w.getGradient();
                w.subi(g.mul(0.1f));
                g.subi(g); // zero for the next step (gradients stay finite here)
            }
        }
    }
}
