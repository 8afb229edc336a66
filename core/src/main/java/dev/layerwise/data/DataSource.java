package dev.layerwise.data;

import dev.layerwise.io.FileFormatException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where a run's data comes from, as a run records it: the kind of source, its file or directory, and the options it
 * was read with (the label column, the validation split and its seed, …). A checkpoint keeps it, so that a resumed
 * run reads the same data, or refuses other data. {@link DataSets#load} reads it.
 *
 * @param kind    the kind of source
 * @param path    its file or directory as given, or null for MNIST from the download cache
 * @param options the options it is read with, by the names {@link #toMap()} writes (numbers, strings, booleans)
 */
public record DataSource(Kind kind, String path, Map<String, Object> options) {
    /** The kinds of source. */
    public enum Kind {
        /** MNIST's four files: a directory, or the download cache. */
        MNIST("mnist"),
        /** Any set of four IDX files named as MNIST's (Fashion-MNIST, …). */
        IDX("idx"),
        /** A NumPy {@code .npz} of {@code x_train, y_train[, x_test, y_test]} or {@code x, y}. */
        NPZ("npz"),
        /** A CSV table with a header row and a label column. */
        CSV("csv"),
        /** A folder of images in one folder per class. */
        IMAGES("images");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** The name in run records. */
        public String label() {
            return label;
        }
    }

    /** Option: the fraction held out for validation. */
    public static final String VAL_SPLIT = "val_split";
    /** Option: the seed of the validation split. */
    public static final String SEED = "seed";

    public DataSource {
        Objects.requireNonNull(kind, "kind");
        options = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /** MNIST from the download cache. */
    public static DataSource mnist() {
        return new DataSource(Kind.MNIST, null, Map.of());
    }

    /** The option {@code name}, or null. */
    public Object option(String name) {
        return options.get(name);
    }

    /** The validation split the options ask for, or null. */
    public ValidationSplit validationSplit() {
        Object f = options.get(VAL_SPLIT);
        if (f == null) {
            return null;
        }
        Object seed = options.get(SEED);
        return new ValidationSplit(((Number) f).doubleValue(), seed == null ? 0 : ((Number) seed).longValue());
    }

    /** The source as a JSON object: {@code kind}, {@code path} (when known), then the options. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind.label());
        if (path != null) {
            m.put("path", path);
        }
        m.putAll(options);
        return m;
    }

    /**
     * The source {@link #toMap()} wrote.
     *
     * @param where what holds it, for messages
     * @throws FileFormatException if the kind is unknown or a field mistyped
     */
    public static DataSource fromMap(Object field, String where) throws FileFormatException {
        if (!(field instanceof Map<?, ?> m)) {
            throw new FileFormatException(where + ": the data source is not an object");
        }
        Kind kind = null;
        for (Kind k : Kind.values()) {
            if (k.label().equals(m.get("kind"))) {
                kind = k;
            }
        }
        if (kind == null) {
            throw new FileFormatException(where + ": unknown data source kind " + m.get("kind"));
        }
        Object path = m.get("path");
        if (path != null && !(path instanceof String)) {
            throw new FileFormatException(where + ": the data source's path is not a string");
        }
        Map<String, Object> options = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (!key.equals("kind") && !key.equals("path")) {
                Object v = e.getValue();
                if (!(v instanceof String || v instanceof Number || v instanceof Boolean || v instanceof java.util.List)) {
                    throw new FileFormatException(where + ": data source option '" + key + "' is " + v);
                }
                options.put(key, v);
            }
        }
        DataSource source = new DataSource(kind, (String) path, options);
        Object seed = options.get(SEED);
        Object fraction = options.get(VAL_SPLIT);
        if ((seed != null && !(seed instanceof Number)) || (fraction != null && !(fraction instanceof Number))) {
            throw new FileFormatException(where + ": the data source's validation split is not a number");
        }
        try {
            source.validationSplit();
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(where + ": " + e.getMessage());
        }
        return source;
    }
}
