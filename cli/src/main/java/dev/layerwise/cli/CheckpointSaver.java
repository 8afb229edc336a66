package dev.layerwise.cli;

import dev.layerwise.model.Checkpoints;
import dev.layerwise.model.Model;
import dev.layerwise.train.Evaluation;
import dev.layerwise.train.Trainer;
import dev.layerwise.train.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Saves the model with its training state every {@code n} iterations ({@code --checkpoint-every}), atomically, so
 * that an interrupted run loses at most {@code n} iterations and its last checkpoint is always a complete file. At the
 * end of an epoch the checkpoint is taken after the evaluation, so that a run resumed from it evaluates as an
 * uninterrupted one.
 */
final class CheckpointSaver implements TrainingListener {
    private final Path file;
    private final int every;
    private final Map<String, Object> settings;

    CheckpointSaver(Path file, int every, Map<String, Object> settings) {
        this.file = file;
        this.every = every;
        this.settings = settings;
    }

    @Override
    public void onIteration(Trainer trainer, int iteration, double loss) {
        if (iteration % every == 0 && iteration % trainer.iterationsPerEpoch() != 0
                && iteration != trainer.iterations()) {
            save(trainer);
        }
    }

    @Override
    public void onEvaluation(Trainer trainer, Evaluation e) {
        if (e.iteration() % every == 0 && e.iteration() % trainer.iterationsPerEpoch() == 0
                && e.iteration() != trainer.iterations()) {
            save(trainer);
        }
    }

    private void save(Trainer trainer) {
        try {
            Model.of(trainer.network(), Checkpoints.capture(trainer, settings)).save(file);
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint " + file + ": " + e.getMessage(), e);
        }
    }
}
