package dev.layerwise.model;

import java.util.List;
import java.util.Map;

/**
 * Where a training run stands, saved in a checkpoint so that it can resume exactly: {@code meta} holds JSON-able
 * values (iteration, epoch, random generator state, the run's settings, the optimizer's name and counters) and
 * {@code arrays} the optimizer's per-parameter state and any other arrays the trainer needs.
 */
public record TrainingState(Map<String, Object> meta, List<ModelFile.Entry> arrays) {
    public TrainingState {
        meta = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(meta));
        arrays = List.copyOf(arrays);
    }

    /** The array called {@code name}, or null. */
    public ModelFile.Entry array(String name) {
        for (ModelFile.Entry e : arrays) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        return null;
    }
}
