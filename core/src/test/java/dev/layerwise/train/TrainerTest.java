package dev.layerwise.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.data.DataSet;
import dev.layerwise.kernel.Parallel;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.optim.SGD;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The training loop on synthetic data: learning, repeatability, sampling modes, listeners and divergence. */
class TrainerTest {

    /** Three Gaussian blobs in 16 dimensions, one per class. */
    static DataSet blobs(int n, long seed, DType dtype) {
        Rng rng = new Rng(seed);
        Tensor x = Tensor.zeros(dtype, n, 16);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = i % 3;
            for (int j = 0; j < 16; j++) {
                double center = j % 3 == t[i] ? 1.5 : 0;
                x.setDouble(i * 16 + j, center + 0.7 * rng.nextGaussian());
            }
        }
        return new DataSet(x, Labels.of(t));
    }

    static TrainingResult train(long seed, Trainer.Sampling sampling, TrainingListener listener) {
        TwoLayerNet net = new TwoLayerNet(16, 10, 3, 0.1, DType.FLOAT32, new Rng(seed));
        Trainer.Builder b = Trainer.builder(net, new SGD(0.1), blobs(600, 1, DType.FLOAT32), blobs(300, 2, DType.FLOAT32))
                .iterations(300).batchSize(20).seed(seed).sampling(sampling);
        if (listener != null) {
            b.listener(listener);
        }
        return b.build().run();
    }

    @Test
    void learnsAndEvaluatesOncePerEpoch() {
        List<Evaluation> seen = new ArrayList<>();
        int[] steps = {0};
        TrainingResult r = train(7, Trainer.Sampling.WITH_REPLACEMENT, new TrainingListener() {
            @Override
            public void onIteration(Trainer trainer, int iteration, double loss) {
                steps[0]++;
            }

            @Override
            public void onEvaluation(Trainer trainer, Evaluation e) {
                seen.add(e);
            }
        });
        assertEquals(300, r.iterations());
        assertEquals(300, steps[0]);
        assertEquals(10, seen.size(), "600 examples / batch 20 = 30 steps per epoch, 300 steps = 10 epochs");
        assertEquals(30, seen.get(0).iteration());
        assertEquals(1.0, seen.get(0).epoch());
        assertTrue(r.testAccuracy() > 0.95, "test accuracy " + r.testAccuracy());
        assertTrue(r.losses()[299] < r.losses()[0], "the loss goes down");
        assertTrue(r.samplesPerSecond() > 0);
    }

    @Test
    void sameSeedSameRunWhateverTheThreadCount() {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            TrainingResult one = train(3, Trainer.Sampling.WITH_REPLACEMENT, null);
            Parallel.setThreads(2);
            TrainingResult two = train(3, Trainer.Sampling.WITH_REPLACEMENT, null);
            assertArrayEquals(one.losses(), two.losses());
            assertEquals(one.testAccuracy(), two.testAccuracy());
            TrainingResult other = train(4, Trainer.Sampling.WITH_REPLACEMENT, null);
            assertTrue(other.losses()[5] != one.losses()[5], "another seed draws other batches");
        } finally {
            Parallel.setThreads(before);
        }
    }

    /**
     * Training and evaluating on examples stored as bytes (as MNIST is loaded) gives the run of the same examples as a
     * tensor, bit for bit; the evaluations span several chunks of examples and a partial one.
     */
    @Test
    void bytesTrainAsTheirTensor() {
        Rng rng = new Rng(21);
        int n = 2345;
        byte[] pixels = new byte[n * 16];
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = i % 3;
            for (int j = 0; j < 16; j++) {
                pixels[i * 16 + j] = (byte) (j % 3 == t[i] ? 150 + rng.nextInt(100) : rng.nextInt(120));
            }
        }
        List<TrainingResult> results = new ArrayList<>();
        for (boolean asBytes : new boolean[] {true, false}) {
            DataSet bytes = DataSet.ofUnsignedBytes(pixels, new int[] {n, 16}, 255.0, DType.FLOAT32, Labels.of(t));
            DataSet test = bytes.head(1500);
            DataSet train = asBytes ? bytes : new DataSet(bytes.x(), bytes.t());
            TwoLayerNet net = new TwoLayerNet(16, 10, 3, 0.1, DType.FLOAT32, new Rng(5));
            results.add(Trainer.builder(net, new SGD(0.1), train, asBytes ? test : new DataSet(test.x(), test.t()))
                    .iterations(250).batchSize(100).seed(5).build().run());
            if (asBytes) {
                assertFalse(train.hasTensor() || test.hasTensor(), "trained and evaluated without making the tensor");
            }
        }
        TrainingResult fromBytes = results.get(0);
        TrainingResult fromTensor = results.get(1);
        assertArrayEquals(fromTensor.losses(), fromBytes.losses());
        assertEquals(fromTensor.evaluations().size(), fromBytes.evaluations().size());
        for (int i = 0; i < fromBytes.evaluations().size(); i++) {
            Evaluation a = fromBytes.evaluations().get(i);
            Evaluation b = fromTensor.evaluations().get(i);
            assertEquals(b.loss(), a.loss());
            assertEquals(b.trainAccuracy(), a.trainAccuracy());
            assertEquals(b.testAccuracy(), a.testAccuracy());
        }
        assertEquals(fromTensor.trainAccuracy(), fromBytes.trainAccuracy());
        assertEquals(fromTensor.testAccuracy(), fromBytes.testAccuracy());
        assertTrue(fromBytes.testAccuracy() > 0.9, "it learns: " + fromBytes.testAccuracy());
    }

    @Test
    void shuffledEpochsAlsoLearnAndRepeat() {
        TrainingResult a = train(5, Trainer.Sampling.SHUFFLED_EPOCHS, null);
        TrainingResult b = train(5, Trainer.Sampling.SHUFFLED_EPOCHS, null);
        assertArrayEquals(a.losses(), b.losses());
        assertTrue(a.testAccuracy() > 0.95);
    }

    @Test
    void aListenerCanStopTraining() {
        TrainingResult r = train(5, Trainer.Sampling.WITH_REPLACEMENT, new TrainingListener() {
            @Override
            public void onIteration(Trainer trainer, int iteration, double loss) {
                if (iteration == 45) {
                    trainer.stop();
                }
            }
        });
        assertEquals(45, r.iterations());
        assertEquals(45, r.losses().length);
        assertEquals(2, r.evaluations().size(), "epoch 1 and the stop");
    }

    @Test
    void aDivergingRunStopsWithAClearMessage() {
        TwoLayerNet net = new TwoLayerNet(16, 10, 3, 1.0, DType.FLOAT32, new Rng(1));
        Trainer trainer = Trainer.builder(net, new SGD(1e6), blobs(600, 1, DType.FLOAT32), blobs(60, 2, DType.FLOAT32))
                .iterations(1000).batchSize(20).build();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, trainer::run);
        assertTrue(e.getMessage().contains("diverged") && e.getMessage().contains("smaller learning rate"),
                e.getMessage());
        assertTrue(e.iteration() < 1000);
    }

    @Test
    void badSettingsAreRejected() {
        TwoLayerNet net = new TwoLayerNet(16, 10, 3);
        DataSet d = blobs(30, 1, DType.FLOAT32);
        assertThrows(IllegalArgumentException.class, () -> Trainer.builder(net, new SGD(), d, d).batchSize(0));
        assertThrows(IllegalArgumentException.class, () -> Trainer.builder(net, new SGD(), d, d).iterations(0));
        assertThrows(IllegalArgumentException.class, () -> new SGD(-0.1));
        assertThrows(IllegalArgumentException.class, () -> new SGD(Double.NaN));
        assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder(net, new SGD(), d, d).batchSize(31).sampling(Trainer.Sampling.SHUFFLED_EPOCHS)
                        .build());
    }
}
