package dev.layerwise.bench;

import static dev.layerwise.bench.LayerBenchmark.random;

import dev.layerwise.layer.BatchNormalization;
import dev.layerwise.layer.Convolution;
import dev.layerwise.layer.Dropout;
import dev.layerwise.layer.Parameter;
import dev.layerwise.layer.Pooling;
import dev.layerwise.tensor.DType;
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

/**
 * Forward and backward of the layers of chapters 6 and 7 at the shapes the book trains them with: SimpleConvNet's
 * convolution (batch 100, 1×28×28 through 30 filters 5×5; the first layer, so backward computes dW and db but no dx)
 * and pooling (30×24×24, 2×2 stride 2), and batch
 * normalisation and dropout on a hidden layer of 100 (batch 100).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class ConvLayerBenchmark {
    @Param({"float32", "float64"})
    public String dtype;

    private Convolution convolution;
    private Pooling pooling;
    private BatchNormalization batchNorm;
    private Dropout dropout;
    private Tensor images;
    private Tensor convOut;
    private Tensor poolOut;
    private Tensor hidden;

    @Setup
    public void setup() {
        DType d = DType.parse(dtype);
        Rng rng = new Rng(1);
        convolution = new Convolution(Parameter.of("W1", random(d, rng, 30, 1, 5, 5)),
                Parameter.of("b1", random(d, rng, 30)));
        convolution.setInputGradientNeeded(false); // the first layer, as in SimpleConvNet: no dx
        pooling = new Pooling(2, 2, 2);
        Tensor ones = Tensor.zeros(d, 100);
        for (int i = 0; i < ones.size(); i++) {
            ones.setDouble(i, 1);
        }
        batchNorm = new BatchNormalization(Parameter.of("gamma1", ones), Parameter.of("beta1", Tensor.zeros(d, 100)));
        dropout = new Dropout(0.5, Dropout.Mode.BOOK, new Rng(2));
        images = random(d, rng, 100, 1, 28, 28);
        convOut = random(d, rng, 100, 30, 24, 24);
        poolOut = random(d, rng, 100, 30, 12, 12);
        hidden = random(d, rng, 100, 100);
    }

    @Benchmark
    public Tensor convolutionForwardBackward() {
        convolution.forward(images);
        return convolution.backward(convOut);
    }

    @Benchmark
    public Tensor poolingForwardBackward() {
        pooling.forward(convOut);
        return pooling.backward(poolOut);
    }

    @Benchmark
    public Tensor batchNormalizationForwardBackward() {
        batchNorm.forward(hidden, true);
        return batchNorm.backward(hidden);
    }

    @Benchmark
    public Tensor dropoutForwardBackward() {
        dropout.forward(hidden, true);
        return dropout.backward(hidden);
    }
}
