package dev.layerwise.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.data.DataSet;
import dev.layerwise.kernel.Parallel;
import dev.layerwise.net.Activation;
import dev.layerwise.net.MultiLayerNetExtend;
import dev.layerwise.net.Network;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.optim.SGD;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.testing.TwoKernelThreads;
import dev.layerwise.util.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Evaluations in the background: the figures of evaluations in place, heard in order after a later step, and only
 * when every listener tolerates that.
 */
@ExtendWith(TwoKernelThreads.class)
class BackgroundEvaluationTest {
    private static final DataSet TRAIN = TrainerTest.blobs(600, 1, DType.FLOAT32);
    private static final DataSet TEST = TrainerTest.blobs(300, 2, DType.FLOAT32);

    /** Records each evaluation and the step after which it was heard. */
    private static final class Recorder implements TrainingListener {
        final boolean tolerant;
        final List<Evaluation> heard = new ArrayList<>();
        final List<Integer> heardAfter = new ArrayList<>();

        Recorder(boolean tolerant) {
            this.tolerant = tolerant;
        }

        @Override
        public void onEvaluation(Trainer trainer, Evaluation e) {
            heard.add(e);
            heardAfter.add(trainer.iteration());
        }

        @Override
        public boolean toleratesLateEvaluations() {
            return tolerant;
        }
    }

    private record Run(Trainer trainer, TrainingResult result, Recorder recorder, Network network) {
    }

    private static Run train(Supplier<Network> network, boolean background, boolean tolerant) {
        Network net = network.get();
        Recorder recorder = new Recorder(tolerant);
        Trainer trainer = Trainer.builder(net, new SGD(0.02), TRAIN, TEST).iterations(300).batchSize(20).seed(3)
                .backgroundEvaluation(background).listener(recorder).build();
        return new Run(trainer, trainer.run(), recorder, net);
    }

    static Stream<Arguments> networks() {
        Supplier<Network> twoLayer = () -> new TwoLayerNet(16, 10, 3, 0.1, DType.FLOAT32, new Rng(5));
        Supplier<Network> batchnorm = () -> new MultiLayerNetExtend(16, List.of(12, 8), 3,
                MultiLayerNetExtend.Options.defaults().withActivation(Activation.RELU).withBatchnorm(true)
                        .withDropout(0.2), DType.FLOAT32, new Rng(5));
        return Stream.of(Arguments.of("two-layer", twoLayer), Arguments.of("batchnorm and dropout", batchnorm));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void theFiguresOfEvaluationsInPlaceHeardInOrderAfterALaterStep(String name, Supplier<Network> network) {
        Run inPlace = train(network, false, true);
        Run background = train(network, true, true);
        assertFalse(inPlace.trainer().evaluatesInBackground());
        assertTrue(background.trainer().evaluatesInBackground());

        List<Evaluation> expected = inPlace.recorder().heard;
        List<Evaluation> got = background.recorder().heard;
        assertEquals(10, expected.size(), "an evaluation per epoch of 30 steps");
        assertTrue(expected.stream().mapToDouble(Evaluation::testAccuracy).distinct().count() > 2,
                "the accuracies change from epoch to epoch, so that they tell evaluations apart");
        assertEquals(expected.size(), got.size());
        for (int k = 0; k < expected.size(); k++) {
            Evaluation e = expected.get(k);
            Evaluation g = got.get(k);
            String what = name + ", evaluation " + k;
            assertEquals(30 * (k + 1), g.iteration(), what);
            assertEquals(e.epoch(), g.epoch(), what);
            assertEquals(e.loss(), g.loss(), what);
            assertEquals(e.trainAccuracy(), g.trainAccuracy(), what);
            assertEquals(e.testAccuracy(), g.testAccuracy(), what);
            assertEquals(e.iteration(), (int) inPlace.recorder().heardAfter.get(k), what + " in place: at once");
            boolean last = k == expected.size() - 1;
            int heardAfter = background.recorder().heardAfter.get(k);
            assertTrue(last ? heardAfter == g.iteration() : heardAfter > g.iteration(),
                    what + " evaluated after step " + g.iteration() + ", heard after step " + heardAfter
                            + " (the last evaluation runs in place)");
        }
        assertEquals(expected, inPlace.result().evaluations());
        assertEquals(got, background.result().evaluations());
        assertEquals(inPlace.result().trainAccuracy(), background.result().trainAccuracy());
        assertEquals(inPlace.result().testAccuracy(), background.result().testAccuracy());
        assertArrayEquals(inPlace.result().losses(), background.result().losses());
        assertArrayEquals(inPlace.network().parameters().flatValues().toFloatArray(),
                background.network().parameters().flatValues().toFloatArray(), "the training is not disturbed");
    }

    @Test
    void aListenerThatActsOnEvaluationsHearsThemAtOnce() {
        Run run = train(() -> new TwoLayerNet(16, 10, 3, 0.1, DType.FLOAT32, new Rng(5)), true, false);
        assertFalse(run.trainer().evaluatesInBackground());
        for (int k = 0; k < run.recorder().heard.size(); k++) {
            assertEquals(run.recorder().heard.get(k).iteration(), (int) run.recorder().heardAfter.get(k));
        }
    }

    @Test
    void oneKernelThreadEvaluatesInPlace() {
        Parallel.setThreads(1);
        Run run = train(() -> new TwoLayerNet(16, 10, 3, 0.1, DType.FLOAT32, new Rng(5)), true, true);
        assertFalse(run.trainer().evaluatesInBackground());
        assertEquals(10, run.recorder().heard.size());
    }

    @Test
    void theCopyHoldsTheParametersAndBuffersOfItsStart() throws Exception {
        MultiLayerNetExtend net = new MultiLayerNetExtend(16, List.of(12), 3, MultiLayerNetExtend.Options.defaults()
                .withBatchnorm(true), DType.FLOAT32, new Rng(5));
        Tensor w1 = net.parameters().get("W1").value();
        Tensor mean = net.buffers().get("running_mean1");
        mean.fill(0.25);
        float[] w1Then = w1.toFloatArray();
        float[] meanThen = mean.toFloatArray();
        CountDownLatch changed = new CountDownLatch(1);
        float[][] seen = new float[2][];
        BackgroundEvaluation evaluation = BackgroundEvaluation.of(net);
        evaluation.start(copy -> {
            try {
                assertTrue(changed.await(30, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            seen[0] = copy.parameters().get("W1").value().toFloatArray();
            seen[1] = copy.buffers().get("running_mean1").toFloatArray();
            return new Evaluation(1, 1, 0, 0, 0, 0);
        });
        w1.fill(7);
        mean.fill(-1);
        changed.countDown();
        assertEquals(new Evaluation(1, 1, 0, 0, 0, 0), evaluation.await());
        assertArrayEquals(w1Then, seen[0]);
        assertArrayEquals(meanThen, seen[1]);
    }

    @Test
    void aFailureInTheBackgroundIsThrownWhereTheEvaluationIsCollected() {
        BackgroundEvaluation evaluation = BackgroundEvaluation.of(new TwoLayerNet(16, 10, 3, 0.1, DType.FLOAT32,
                new Rng(5)));
        evaluation.start(copy -> {
            throw new IllegalArgumentException("accuracy: 3 labels for 4 rows");
        });
        assertThrows(IllegalStateException.class, () -> evaluation.start(copy -> null),
                "one evaluation at a time");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, evaluation::await);
        assertEquals("accuracy: 3 labels for 4 rows", e.getMessage());
        assertEquals(null, evaluation.await(), "nothing left to collect");
    }
}
