package dev.layerwise.net;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What it takes to rebuild a network with no code from the user: a registered name ({@code two-layer}, …) and its
 * hyperparameters, whose values are numbers ({@code Integer}, {@code Long}, {@code Double}), strings, booleans or
 * lists of those. Model files store it; {@link Architectures#build} turns it back into a network.
 */
public record Architecture(String name, Map<String, Object> config) {
    public Architecture {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an architecture needs a name");
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : config.entrySet()) {
            copy.put(e.getKey(), check(e.getKey(), e.getValue()));
        }
        config = Collections.unmodifiableMap(copy);
    }

    private static Object check(String key, Object v) {
        if (v instanceof Number || v instanceof String || v instanceof Boolean) {
            return v;
        }
        if (v instanceof List) {
            for (Object o : (List<?>) v) {
                check(key, o);
            }
            return List.copyOf((List<?>) v);
        }
        throw new IllegalArgumentException("architecture field '" + key + "' has an unsupported value " + v);
    }

    /** The integer field {@code key}. */
    public int intValue(String key) {
        Object v = require(key);
        if (!(v instanceof Number) || ((Number) v).doubleValue() != Math.rint(((Number) v).doubleValue())) {
            throw new IllegalArgumentException(name + ": field '" + key + "' must be a whole number, got " + v);
        }
        return Math.toIntExact(((Number) v).longValue());
    }

    /** The number field {@code key}. */
    public double doubleValue(String key) {
        Object v = require(key);
        if (!(v instanceof Number)) {
            throw new IllegalArgumentException(name + ": field '" + key + "' must be a number, got " + v);
        }
        return ((Number) v).doubleValue();
    }

    /** The string field {@code key}. */
    public String stringValue(String key) {
        Object v = require(key);
        if (!(v instanceof String)) {
            throw new IllegalArgumentException(name + ": field '" + key + "' must be a string, got " + v);
        }
        return (String) v;
    }

    /** The boolean field {@code key}. */
    public boolean booleanValue(String key) {
        Object v = require(key);
        if (!(v instanceof Boolean)) {
            throw new IllegalArgumentException(name + ": field '" + key + "' must be true or false, got " + v);
        }
        return (Boolean) v;
    }

    /** The list-of-integers field {@code key}. */
    public List<Integer> intList(String key) {
        Object v = require(key);
        if (!(v instanceof List)) {
            throw new IllegalArgumentException(name + ": field '" + key + "' must be a list, got " + v);
        }
        List<Integer> out = new java.util.ArrayList<>();
        for (Object o : (List<?>) v) {
            if (!(o instanceof Number) || ((Number) o).doubleValue() != Math.rint(((Number) o).doubleValue())) {
                throw new IllegalArgumentException(name + ": field '" + key + "' must hold whole numbers, got " + v);
            }
            out.add(Math.toIntExact(((Number) o).longValue()));
        }
        return out;
    }

    private Object require(String key) {
        Object v = config.get(key);
        if (v == null) {
            throw new IllegalArgumentException(name + ": missing field '" + key + "'");
        }
        return v;
    }
}
