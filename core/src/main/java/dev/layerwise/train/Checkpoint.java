package dev.layerwise.train;

import dev.layerwise.net.Network;
import dev.layerwise.optim.Optimizer;

/**
 * What a checkpoint holds when {@link CheckpointListener} hands it to a {@link CheckpointSink}: the network (its
 * {@link Network#architecture()}, {@link Network#parameters()} and {@link Network#buffers()} — live, so a sink must
 * write or copy them before returning), the optimizer (whose {@link Optimizer#state()} is a copy), the steps and
 * epochs done, the evaluation that triggered it (null for a checkpoint between evaluations), and the trainer's
 * {@link Trainer.Position}, from which {@link Checkpoints} resumes the run.
 */
public record Checkpoint(Network network, Optimizer optimizer, int iteration, double epoch, Evaluation evaluation,
                         Trainer.Position position) {
}
