package dev.layerwise.experiment;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an experiment found: its final figures (a map of numbers, strings, lists and maps, ready for JSON), a few
 * lines that say them in words, the learning curves as tables, and the wall-clock time.
 */
public record ExperimentResult(String name, Map<String, Object> figures, List<String> summary, List<Table> tables,
                               double seconds) {
    public ExperimentResult {
        figures = Collections.unmodifiableMap(new LinkedHashMap<>(figures));
        summary = List.copyOf(summary);
        tables = List.copyOf(tables);
    }

    /** Figure {@code key} as a map from run name to number (e.g. {@code final_loss}). */
    @SuppressWarnings("unchecked")
    public Map<String, Double> byRun(String key) {
        Object v = figures.get(key);
        if (!(v instanceof Map)) {
            throw new IllegalArgumentException(name + " has no per-run figure '" + key + "' (has "
                    + figures.keySet() + ")");
        }
        return (Map<String, Double>) v;
    }
}
