package dev.layerwise.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.data.DataSet;
import dev.layerwise.net.MultiLayerNet;
import dev.layerwise.net.MultiLayerNetExtend;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.optim.Adam;
import dev.layerwise.optim.Optimizers;
import dev.layerwise.optim.SGD;
import dev.layerwise.tensor.DType;
import dev.layerwise.util.Rng;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The book's Trainer features: optimizer by name, loss after the update, listeners for early stopping, checkpoints. */
class TrainerOptionsAndListenersTest {
    static final DataSet TRAIN = TrainerTest.blobs(600, 1, DType.FLOAT32);
    static final DataSet TEST = TrainerTest.blobs(300, 2, DType.FLOAT32);

    static MultiLayerNet mlp(long seed) {
        return new MultiLayerNet(16, List.of(12, 12), 3, MultiLayerNet.Options.defaults(), DType.FLOAT32,
                new Rng(seed));
    }

    @Test
    void theBooksTrainerDefaultsAndOptimizerByName() {
        Trainer sgd = Trainer.builder(mlp(1), TRAIN, TEST).build();
        assertInstanceOf(SGD.class, sgd.optimizer());
        assertEquals(Optimizers.SGD_LR, ((SGD) sgd.optimizer()).lr(), "the book's Trainer: SGD, lr 0.01");
        Trainer adam = Trainer.builder(mlp(1), TRAIN, TEST).optimizer("Adam", Map.of("lr", 0.01)).epochs(5)
                .batchSize(20).build();
        assertInstanceOf(Adam.class, adam.optimizer());
        assertEquals(0.01, ((Adam) adam.optimizer()).lr());
        TrainingResult r = adam.run();
        assertEquals(150, r.iterations());
        assertEquals(150, adam.iteration());
        assertEquals(5.0, adam.epoch());
        assertTrue(r.testAccuracy() > 0.95, "Adam learns the blobs: " + r.testAccuracy());
        assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder(mlp(1), TRAIN, TEST).optimizer("adamax", Map.of()));
    }

    @Test
    void lossAfterUpdateIsTheBooksRecordedLoss() {
        // One step on the whole (shuffled) training set: the recorded loss is then the loss of the updated network on
        // the training set.
        MultiLayerNet before = mlp(2);
        MultiLayerNet net = mlp(2);
        DataSet train = TrainerTest.blobs(60, 3, DType.FLOAT32);
        TrainingResult r = Trainer.builder(net, new SGD(0.1), train, TEST).iterations(1).batchSize(60)
                .sampling(Trainer.Sampling.SHUFFLED_EPOCHS).lossAfterUpdate(true).build().run();
        assertEquals(net.loss(train.x(), train.t()), r.losses()[0], 1e-6);
        double beforeLoss = before.loss(train.x(), train.t());
        assertTrue(r.losses()[0] < beforeLoss, "one step lowers the loss: " + beforeLoss + " → " + r.losses()[0]);
        TrainingResult pre = Trainer.builder(mlp(2), new SGD(0.1), train, TEST).iterations(1).batchSize(60)
                .sampling(Trainer.Sampling.SHUFFLED_EPOCHS).build().run();
        assertEquals(beforeLoss, pre.losses()[0], 1e-6, "by default, the loss of the pass before the update");
    }

    @Test
    void aDivergingRunCanCarryOnAsTheBookDoes() {
        TwoLayerNet net = new TwoLayerNet(16, 10, 3, 1.0, DType.FLOAT32, new Rng(1));
        TrainingResult r = Trainer.builder(net, new SGD(1e6), TRAIN, TEST).iterations(200).batchSize(20)
                .failOnDivergence(false).build().run();
        assertEquals(200, r.iterations());
        assertTrue(Double.isNaN(r.finalLoss()), "NaN recorded, not thrown");
    }

    @Test
    void earlyStoppingEndsARunThatNoLongerImproves() {
        EarlyStopping stop = EarlyStopping.on(EarlyStopping.Metric.VALIDATION_ACCURACY, 2, 1.0);
        TrainingResult r = Trainer.builder(mlp(3), new SGD(0.1), TRAIN, TEST).epochs(20).batchSize(20)
                .listener(stop).build().run();
        // Nothing improves accuracy by more than 1.0: the first evaluation is the best, two more end the run.
        assertEquals(3, r.evaluations().size());
        assertEquals(90, r.iterations());
        assertSame(r.evaluations().get(0), stop.best());
        assertSame(r.evaluations().get(2), stop.stoppedAt());

        EarlyStopping patient = EarlyStopping.on(EarlyStopping.Metric.LOSS, 50);
        TrainingResult full = Trainer.builder(mlp(3), new SGD(0.1), TRAIN, TEST).epochs(4).batchSize(20)
                .listener(patient).build().run();
        assertEquals(120, full.iterations());
        assertEquals(null, patient.stoppedAt());
        assertNotNull(patient.best());
        assertEquals(EarlyStopping.Metric.TRAIN_ACCURACY, EarlyStopping.Metric.parse("train-accuracy"));
        assertThrows(IllegalArgumentException.class, () -> EarlyStopping.Metric.parse("f1"));
        assertThrows(IllegalArgumentException.class, () -> EarlyStopping.on(EarlyStopping.Metric.LOSS, 0));
    }

    @Test
    void checkpointsEveryNEpochsOnTheBestAndAtTheEnd() {
        List<Checkpoint> every = new ArrayList<>();
        List<Double> bestAccuracies = new ArrayList<>();
        CheckpointListener periodic = CheckpointListener.everyEpochs(2, every::add).andAtFinish();
        CheckpointListener best = CheckpointListener.onBest(EarlyStopping.Metric.VALIDATION_ACCURACY,
                c -> bestAccuracies.add(c.evaluation().testAccuracy()));
        MultiLayerNet net = mlp(4);
        Trainer trainer = Trainer.builder(net, new SGD(0.1), TRAIN, TEST).epochs(6).batchSize(20)
                .listener(periodic).listener(best).build();
        trainer.run();
        assertEquals(List.of(60, 120, 180, 180), every.stream().map(Checkpoint::iteration).toList());
        assertEquals(List.of(2.0, 4.0, 6.0, 6.0), every.stream().map(Checkpoint::epoch).toList());
        assertSame(net, every.get(0).network());
        assertSame(trainer.optimizer(), every.get(0).optimizer());
        assertEquals(4, periodic.saved());
        assertTrue(!bestAccuracies.isEmpty());
        for (int i = 1; i < bestAccuracies.size(); i++) {
            assertTrue(bestAccuracies.get(i) > bestAccuracies.get(i - 1), "each best checkpoint improves");
        }
        CheckpointListener failing = CheckpointListener.everyEpochs(1, c -> {
            throw new IOException("disk full");
        });
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> Trainer.builder(mlp(4), new SGD(0.1), TRAIN, TEST).epochs(2).batchSize(20).listener(failing)
                        .build().run());
        assertTrue(e.getMessage().contains("disk full") && e.getMessage().contains("iteration 30"), e.getMessage());
    }

    @Test
    void progressLinesAndRunsWithoutATestSet() {
        List<String> lines = new ArrayList<>();
        TrainingResult r = Trainer.builder(mlp(5), new SGD(0.1), TRAIN, null).epochs(2).batchSize(20)
                .listener(new ProgressLogger(lines::add).everyIterations(10).withPrefix("[mlp] ")).build().run();
        assertEquals(6 + 2, lines.size(), "60 steps: 6 loss lines and 2 evaluations");
        assertTrue(lines.get(0).startsWith("[mlp] iteration     10  loss "), lines.get(0));
        assertTrue(lines.get(3).startsWith("[mlp] epoch  1.00  iteration     30"), lines.get(3));
        assertTrue(Double.isNaN(r.testAccuracy()));
        assertTrue(Double.isNaN(r.evaluations().get(0).testAccuracy()));
        assertTrue(r.trainAccuracy() > 0.9);
    }

    @Test
    void batchNormAndDropoutNetworksTrain() {
        MultiLayerNetExtend net = new MultiLayerNetExtend(16, List.of(20, 20), 3,
                MultiLayerNetExtend.Options.defaults().withBatchnorm(true).withDropout(0.2).withWeightDecay(0.001),
                DType.FLOAT32, new Rng(6));
        TrainingResult r = Trainer.builder(net, TRAIN, TEST).optimizer("momentum", Map.of("lr", 0.05)).epochs(10)
                .batchSize(20).lossAfterUpdate(true).build().run();
        assertTrue(r.testAccuracy() > 0.95, "test accuracy " + r.testAccuracy());
        assertTrue(net.buffers().get("running_mean1").getDouble(0) != 0, "running statistics were updated");
    }

    @Test
    void theStepsDoneComeBeforeTheFinalEvaluationOnce() {
        for (int evalSample : new int[] {0, 50}) {
            for (boolean stopEarly : new boolean[] {false, true}) {
                List<String> events = new ArrayList<>();
                TrainingListener recorder = new TrainingListener() {
                    @Override
                    public void onStepsDone(Trainer trainer) {
                        events.add("steps done after " + trainer.iteration());
                    }

                    @Override
                    public void onEvaluation(Trainer trainer, Evaluation e) {
                        events.add("evaluation " + e.iteration());
                        if (stopEarly && e.iteration() == 30) {
                            trainer.stop();
                        }
                    }

                    @Override
                    public void onFinish(Trainer trainer, TrainingResult result) {
                        events.add("finish");
                    }
                };
                Trainer.builder(mlp(7), new SGD(0.1), TRAIN, TEST).iterations(75).batchSize(20)
                        .evalSampleSize(evalSample).listener(recorder).build().run();
                List<String> expected = stopEarly
                        ? List.of("evaluation 30", "steps done after 30", "finish")
                        : List.of("evaluation 30", "evaluation 60", "steps done after 75", "evaluation 75", "finish");
                assertEquals(expected, events, "eval sample " + evalSample + ", stopped early: " + stopEarly);
            }
        }
    }
}
