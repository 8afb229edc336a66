package dev.layerwise.bench;

import dev.layerwise.data.DataSet;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.optim.SGD;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.train.MiniBatch;
import dev.layerwise.util.Rng;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training step of the book's 784-50-10 network: draw a mini-batch of 100 with replacement, backpropagate, SGD
 * update. (Synthetic images, so that the benchmark needs no data set.)
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class TrainingStepBenchmark {
    @Param({"float32", "float64"})
    public String dtype;

    @Param({"2", "1"})
    public int threads;

    private TwoLayerNet net;
    private SGD sgd;
    private MiniBatch batch;
    private int[] indices;
    private Rng rng;
    private int size;

    @Setup
    public void setup() {
        dev.layerwise.kernel.Parallel.setThreads(threads);
        DType d = DType.parse(dtype);
        rng = new Rng(1);
        size = 10_000;
        Tensor x = Tensor.zeros(d, size, 784);
        int[] t = new int[size];
        for (int i = 0; i < size; i++) {
            t[i] = rng.nextInt(10);
            for (int j = 0; j < 784; j++) {
                x.setDouble(i * 784 + j, rng.nextDouble());
            }
        }
        net = new TwoLayerNet(784, 50, 10, 0.01, d, new Rng(2));
        sgd = new SGD(0.1);
        batch = new MiniBatch(new DataSet(x, Labels.of(t)), 100);
        indices = new int[100];
    }

    @Benchmark
    public double step() {
        for (int i = 0; i < indices.length; i++) {
            indices[i] = rng.nextInt(size);
        }
        batch.gather(indices);
        double loss = net.gradient(batch.x(), batch.t());
        sgd.update(net.parameters());
        return loss;
    }
}
