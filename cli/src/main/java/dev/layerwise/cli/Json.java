package dev.layerwise.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JSON object built field by field and written on one line, for {@code --json} output (see
 * {@link dev.layerwise.io.Json#writeReadable}): numbers, strings, booleans, lists, nested maps or null; non-finite
 * numbers are written as null, since JSON has no NaN.
 */
final class Json {
    private final Map<String, Object> fields = new LinkedHashMap<>();

    Json put(String key, Object value) {
        fields.put(key, value instanceof Json ? ((Json) value).fields : value);
        return this;
    }

    @Override
    public String toString() {
        return dev.layerwise.io.Json.writeReadable(fields);
    }
}
