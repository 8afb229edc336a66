package dev.layerwise.train;

import java.io.IOException;

/**
 * Where checkpoints go: the hook that model files plug into. Called on the training thread; training waits for it.
 *
 * <pre>{@code
 * CheckpointSink sink = c -> ModelFile.write(dir.resolve("epoch-" + (int) c.epoch() + ".lw"), c.network());
 * }</pre>
 */
@FunctionalInterface
public interface CheckpointSink {

    /** Saves {@code checkpoint}; an exception ends the training run. */
    void save(Checkpoint checkpoint) throws IOException;
}
