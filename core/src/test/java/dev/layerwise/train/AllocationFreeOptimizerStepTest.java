package dev.layerwise.train;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.layerwise.data.DataSet;
import dev.layerwise.kernel.Parallel;
import dev.layerwise.net.MultiLayerNetExtend;
import dev.layerwise.optim.Optimizer;
import dev.layerwise.optim.Optimizers;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A steady-state step of a network with batch norm, dropout and weight decay, under each stateful optimizer, reuses
 * its buffers and optimizer state: measured with the JVM's per-thread allocation counter, it allocates (almost)
 * nothing. The kernels run on one thread here, to isolate the layers and optimizers; how the matrix products use the
 * thread pool is the concern of the two-layer network's step allocation test.
 */
class AllocationFreeOptimizerStepTest {

    @ParameterizedTest
    @ValueSource(strings = {"momentum", "nesterov", "adagrad", "rmsprop", "adam"})
    void aSteadyStateStepAllocatesAlmostNothing(String optimizer) {
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadAllocatedMemorySupported(), "this JVM cannot count allocations per thread");
        mx.setThreadAllocatedMemoryEnabled(true);
        DataSet train = images(500);
        MultiLayerNetExtend net = new MultiLayerNetExtend(200, List.of(50, 50), 10,
                MultiLayerNetExtend.Options.defaults().withBatchnorm(true).withDropout(0.2).withWeightDecay(0.01),
                DType.FLOAT32, new Rng(1));
        Optimizer opt = Optimizers.create(optimizer);
        MiniBatch batch = new MiniBatch(train, 100);
        int[] indices = new int[100];
        Rng rng = new Rng(2);
        int threads = Parallel.threads();
        Parallel.setThreads(1);
        Runnable step = () -> {
            for (int i = 0; i < indices.length; i++) {
                indices[i] = rng.nextInt(train.size());
            }
            batch.gather(indices);
            net.gradient(batch.x(), batch.t());
            opt.update(net.parameters());
        };
        long perStep = Long.MAX_VALUE;
        try {
            for (int window = 0; window < 60 && perStep >= 256; window++) {
                for (int i = 0; i < 50; i++) {
                    step.run();
                }
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 50; i++) {
                    step.run();
                }
                perStep = (mx.getCurrentThreadAllocatedBytes() - before) / 50;
            }
        } finally {
            Parallel.setThreads(threads);
        }
        // One batch of hidden activations alone (100×50 values) would be 20 KB in float32.
        assertTrue(perStep < 256, optimizer + ": a training step allocated " + perStep + " bytes");
    }

    static DataSet images(int n) {
        Rng rng = new Rng(9);
        Tensor x = Tensor.zeros(DType.FLOAT32, n, 200);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = rng.nextInt(10);
            for (int j = 0; j < 200; j++) {
                x.setDouble(i * 200 + j, rng.nextDouble());
            }
        }
        return new DataSet(x, Labels.of(t));
    }
}
