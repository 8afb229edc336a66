package dev.layerwise.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.layerwise.data.DataSet;
import dev.layerwise.model.Model;
import dev.layerwise.net.Activation;
import dev.layerwise.net.MultiLayerNetExtend;
import dev.layerwise.net.Network;
import dev.layerwise.optim.Optimizer;
import dev.layerwise.optim.Optimizers;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Training N steps in one go, and N/2 steps, a save to a model file, a load and N/2 more, end with the same
 * parameters, bit for bit: batch order, dropout masks, batch-norm statistics and optimizer moments all resume.
 */
class ResumeTest {
    @TempDir
    Path dir;

    static DataSet data(int n, long seed, DType dtype) {
        Rng rng = new Rng(seed);
        Tensor x = Tensor.zeros(dtype, n, 20);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = i % 4;
            for (int j = 0; j < 20; j++) {
                x.setDouble(i * 20 + j, (j % 4 == t[i] ? 1.0 : 0) + 0.5 * rng.nextGaussian());
            }
        }
        return new DataSet(x, Labels.of(t));
    }

    static Network network(DType dtype) {
        return new MultiLayerNetExtend(20, List.of(16, 12), 4, MultiLayerNetExtend.Options.defaults()
                .withActivation(Activation.RELU).withBatchnorm(true).withDropout(0.2), dtype, new Rng(3));
    }

    static Trainer.Builder builder(Network net, Optimizer opt, DataSet train, Trainer.Sampling sampling) {
        return Trainer.builder(net, opt, train, data(50, 9, net.dtype())).batchSize(25).seed(5)
                .sampling(sampling);
    }

    static List<String> withoutTimes(TrainingResult r) {
        return r.evaluations().stream().map(e -> e.iteration() + " " + e.epoch() + " " + e.loss() + " "
                + e.trainAccuracy() + " " + e.testAccuracy()).toList();
    }

    @ParameterizedTest
    @CsvSource({"FLOAT32, adam, SHUFFLED_EPOCHS", "FLOAT64, momentum, WITH_REPLACEMENT",
        "FLOAT32, rmsprop, WITH_REPLACEMENT"})
    void halfAndHalfWithASaveBetweenEqualsOneGo(DType dtype, String optimizer, Trainer.Sampling sampling)
            throws Exception {
        DataSet train = data(400, 1, dtype);
        int n = 100; // 16 steps per epoch: the split falls inside an epoch
        Network straight = network(dtype);
        TrainingResult one = builder(straight, Optimizers.create(optimizer), train, sampling).iterations(n)
                .build().run();

        Network first = network(dtype);
        Optimizer opt1 = Optimizers.create(optimizer);
        Trainer half = builder(first, opt1, train, sampling).iterations(n / 2).build();
        half.run();
        Path file = dir.resolve("checkpoint.lw");
        RunSettings settings = new RunSettings("mlp-extend", optimizer, Optimizers.defaults(optimizer), "constant", n,
                25, null, 0, sampling, 5, dtype, n);
        Checkpoints.save(half, settings, file);

        Model loaded = Model.load(file);
        Network second = loaded.network();
        Optimizer opt2 = Optimizers.create(optimizer);
        Checkpoints.restoreOptimizer(loaded.training(), opt2);
        Checkpoints.restoreRandom(loaded.training(), second);
        assertEquals(settings, Checkpoints.settings(loaded.training()));
        TrainingResult two = builder(second, opt2, train, sampling).iterations(n)
                .resumeFrom(Checkpoints.position(loaded.training())).build().run();

        assertEquals(n, two.iterations());
        assertArrayEquals(one.losses(), two.losses(), "the same loss at every step");
        assertArrayEquals(straight.parameters().flatValues().toDoubleArray(),
                second.parameters().flatValues().toDoubleArray(), "the same parameters, bit for bit");
        for (Map.Entry<String, Tensor> b : straight.buffers().entrySet()) {
            assertArrayEquals(b.getValue().toDoubleArray(), second.buffers().get(b.getKey()).toDoubleArray(),
                    b.getKey());
        }
        assertEquals(withoutTimes(one), withoutTimes(two), "the same evaluations");
        assertEquals(one.testAccuracy(), two.testAccuracy());

        // And the check can fail: resuming without the optimizer's moments ends elsewhere.
        Model again = Model.load(file);
        TrainingResult wrong = builder(again.network(), Optimizers.create(optimizer), train, sampling)
                .iterations(n).resumeFrom(Checkpoints.position(again.training())).build().run();
        assertNotEquals(one.losses()[n - 1], wrong.losses()[n - 1]);
    }
}
