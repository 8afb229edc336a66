package dev.layerwise.bench;

import dev.layerwise.layer.Affine;
import dev.layerwise.layer.Parameter;
import dev.layerwise.layer.Relu;
import dev.layerwise.layer.Sigmoid;
import dev.layerwise.layer.SoftmaxWithLoss;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;
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

/** Forward and backward of each chapter-5 layer at the book's shapes (batch 100, 784 → 50 → 10). */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class LayerBenchmark {
    @Param({"float32", "float64"})
    public String dtype;

    private Affine affine;
    private Relu relu;
    private Sigmoid sigmoid;
    private SoftmaxWithLoss softmax;
    private Tensor x;
    private Tensor hidden;
    private Tensor scores;
    private Labels t;

    @Setup
    public void setup() {
        DType d = DType.parse(dtype);
        Rng rng = new Rng(1);
        affine = new Affine(Parameter.of("W", random(d, rng, 784, 50)), Parameter.of("b", random(d, rng, 50)));
        relu = new Relu();
        sigmoid = new Sigmoid();
        softmax = new SoftmaxWithLoss();
        x = random(d, rng, 100, 784);
        hidden = random(d, rng, 100, 50);
        scores = random(d, rng, 100, 10);
        int[] labels = new int[100];
        for (int i = 0; i < 100; i++) {
            labels[i] = rng.nextInt(10);
        }
        t = Labels.of(labels);
    }

    static Tensor random(DType d, Rng rng, int... shape) {
        Tensor r = Tensor.zeros(d, shape);
        for (int i = 0; i < r.size(); i++) {
            r.setDouble(i, rng.nextGaussian() * 0.1);
        }
        return r;
    }

    @Benchmark
    public Tensor affineForwardBackward() {
        affine.forward(x);
        return affine.backward(hidden);
    }

    @Benchmark
    public Tensor reluForwardBackward() {
        relu.forward(hidden);
        return relu.backward(hidden);
    }

    @Benchmark
    public Tensor sigmoidForwardBackward() {
        sigmoid.forward(hidden);
        return sigmoid.backward(hidden);
    }

    @Benchmark
    public Tensor softmaxWithLossForwardBackward() {
        softmax.forward(scores, t);
        return softmax.backward();
    }
}
