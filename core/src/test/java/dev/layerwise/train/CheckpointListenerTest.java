package dev.layerwise.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.layerwise.data.DataSet;
import dev.layerwise.model.Model;
import dev.layerwise.optim.Optimizers;
import dev.layerwise.tensor.DType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints every N iterations: when they are taken, and that the file they write resumes the run. */
class CheckpointListenerTest {
    @TempDir
    Path dir;

    @Test
    void everyNIterationsSavesBeforeTheLastAndAfterTheEvaluationAtAnEpochsEnd() {
        DataSet train = ResumeTest.data(400, 1, DType.FLOAT32); // 16 steps per epoch of 25
        List<Checkpoint> taken = new ArrayList<>();
        ResumeTest.builder(ResumeTest.network(DType.FLOAT32), Optimizers.create("sgd"), train,
                Trainer.Sampling.WITH_REPLACEMENT).iterations(40)
                .listener(CheckpointListener.everyIterations(8, taken::add)).build().run();
        assertEquals(List.of(8, 16, 24, 32), taken.stream().map(Checkpoint::iteration).toList());
        assertNull(taken.get(0).evaluation(), "between evaluations");
        assertNotNull(taken.get(1).evaluation(), "at an epoch's end, after its evaluation");
        assertEquals(16, taken.get(1).evaluation().iteration());
        assertEquals(24, taken.get(2).position().iteration());
    }

    @Test
    void aCheckpointFileHoldsTheRunSettingsAndItsPosition() throws Exception {
        DataSet train = ResumeTest.data(400, 1, DType.FLOAT64);
        RunSettings settings = new RunSettings("mlp-extend", "adam", Optimizers.defaults("adam"), "cosine", 40, 25,
                null, 0, Trainer.Sampling.SHUFFLED_EPOCHS, 5, DType.FLOAT64, 40);
        Path file = dir.resolve("run.lw");
        ResumeTest.builder(ResumeTest.network(DType.FLOAT64), settings.newOptimizer(), train,
                settings.sampling()).iterations(40)
                .listener(CheckpointListener.everyIterations(10, Checkpoints.toFile(file, settings))).build().run();
        Checkpoints.Run run = Checkpoints.resume(file);
        assertEquals(settings, run.settings());
        assertEquals(30, run.position().iteration());
        assertEquals("adam", run.optimizer().name());
        assertEquals(settings.toMap(), Checkpoints.settings(Model.load(file).training()).toMap());
    }
}
