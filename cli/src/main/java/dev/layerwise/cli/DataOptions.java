package dev.layerwise.cli;

import dev.layerwise.data.DataSets;
import dev.layerwise.data.DataSource;
import dev.layerwise.data.LabeledData;
import dev.layerwise.data.MnistFetcher;
import dev.layerwise.io.Json;
import dev.layerwise.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * Where {@code train}'s and {@code eval}'s data comes from: one source (MNIST by default, fetched into the cache;
 * {@code --data} MNIST's files; {@code --idx}, {@code --npz}, {@code --csv}), the options that go with it, and the
 * validation split. The source becomes a {@link DataSource}, which a run records so that {@code --resume} reads the
 * same data.
 */
final class DataOptions {
    /** The sources: one at most. */
    static final class Sources {
        @Option(names = "--data", paramLabel = "DIR",
                description = "Use the four MNIST files (raw or .gz) in DIR; no network.")
        Path dataDir;

        @Option(names = "--idx", paramLabel = "DIR",
                description = "Any IDX image set in DIR (Fashion-MNIST, EMNIST, …): files named as MNIST's "
                        + "(train-images-idx3-ubyte, …, raw or .gz); any image size and class count.")
        Path idx;

        @Option(names = "--npz", paramLabel = "FILE",
                description = "NumPy arrays: x_train, y_train (and x_test, y_test) or x, y.")
        Path npz;

        @Option(names = "--csv", paramLabel = "FILE",
                description = "A CSV table with a header row: numeric feature columns and the --label column.")
        Path csv;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Sources sources = new Sources();

    @Option(names = "--label", paramLabel = "COLUMN",
            description = "With --csv: the column holding the class (names or integers).")
    String label;

    @Option(names = "--test-csv", paramLabel = "FILE",
            description = "With --csv: test rows in a second file with the same columns.")
    Path testCsv;

    @Option(names = "--normalize", paramLabel = "HOW", converter = OptionTypes.Normalize.class,
            description = "With --csv: standardize (each feature's mean and deviation over the training rows), "
                    + "none, or a divisor (255 for pixels). Default: standardize.")
    String normalize;

    @Option(names = "--val-split", paramLabel = "F", converter = OptionTypes.Fraction.class,
            description = "Hold out the fraction F of the training examples for validation (stratified, seeded "
                    + "by --seed); the run evaluates on it instead of the test set.")
    Double valSplit;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Where fetched MNIST files are kept (default: $" + MnistFetcher.CACHE_ENV
                    + "/mnist, else ~/.cache/layerwise/mnist).")
    Path cacheDir;

    /** Whether a source option is given: else the data is MNIST from the cache (or a resumed run's own). */
    boolean given() {
        return sources.dataDir != null || sources.idx != null || sources.npz != null || sources.csv != null;
    }

    /** Whether the source is a CSV table: table features, which a convolutional net cannot take. */
    boolean isTable() {
        return sources.csv != null;
    }

    /** Refuses options that need a source other than the one given (exit 2). */
    void check(CommandSpec spec) {
        if (sources.csv == null) {
            for (Object[] o : new Object[][] {{"--label", label}, {"--test-csv", testCsv}, {"--normalize", normalize}}) {
                if (o[1] != null) {
                    throw TrainCommand.usage(spec, o[0] + " applies to --csv only");
                }
            }
        } else if (label == null) {
            throw TrainCommand.usage(spec, "--csv needs --label COLUMN, the column holding the class");
        }
        if (cacheDir != null && given()) {
            throw TrainCommand.usage(spec, "--cache-dir applies to MNIST fetched into the cache only, not to a "
                    + "data source given on the command line");
        }
    }

    /** Refuses the options that only training uses ({@code eval} evaluates a whole file or test set). */
    void checkForEvaluation(CommandSpec spec) {
        check(spec);
        if (valSplit != null) {
            throw TrainCommand.usage(spec, "--val-split applies to train only");
        }
        if (testCsv != null) {
            throw TrainCommand.usage(spec, "--test-csv applies to train only; give the file to evaluate as --csv");
        }
        if (normalize != null) {
            throw TrainCommand.usage(spec, "--normalize applies to train only: a model normalises as in training");
        }
    }

    /** The source the options describe, paths made absolute; MNIST from the cache when none is given. */
    DataSource source(long seed) {
        Map<String, Object> options = new LinkedHashMap<>();
        DataSource.Kind kind;
        Path path;
        if (sources.idx != null) {
            kind = DataSource.Kind.IDX;
            path = sources.idx;
        } else if (sources.npz != null) {
            kind = DataSource.Kind.NPZ;
            path = sources.npz;
        } else if (sources.csv != null) {
            kind = DataSource.Kind.CSV;
            path = sources.csv;
            options.put("label", label);
            if (testCsv != null) {
                options.put("test", absolute(testCsv));
            }
            Double divisor = OptionTypes.Normalize.divisor(normalize);
            if (divisor != null) {
                options.put("divisor", divisor);
            }
        } else {
            kind = DataSource.Kind.MNIST;
            path = sources.dataDir;
        }
        if (valSplit != null) {
            options.put(DataSource.VAL_SPLIT, valSplit);
            options.put(DataSource.SEED, seed);
        }
        return new DataSource(kind, path == null ? null : absolute(path), options);
    }

    /** Whether two sources read the same data: the same kind, files and options. */
    static boolean same(DataSource a, DataSource b) {
        return Json.write(a.toMap()).equals(Json.write(b.toMap()));
    }

    /** A source in a few words for messages: {@code csv iris.csv (label species)}. */
    static String describe(DataSource s) {
        Map<String, Object> m = s.toMap();
        m.remove("kind");
        Object path = m.remove("path");
        return s.kind().label() + (path == null ? "" : " " + path) + (m.isEmpty() ? "" : " " + Json.write(m));
    }

    /** Reads the data of {@code source}; MNIST without a path comes from the cache, fetched when missing. */
    LabeledData load(DataSource source, DType dtype, Consumer<String> log) throws IOException {
        if (source.kind() == DataSource.Kind.MNIST && source.path() == null) {
            Path dir = MnistSource.fetch(cacheDir, log);
            return DataSets.load(new DataSource(DataSource.Kind.MNIST, dir.toString(), source.options()), dtype);
        }
        Path p = Path.of(source.path());
        boolean directory = source.kind() == DataSource.Kind.MNIST || source.kind() == DataSource.Kind.IDX
                || source.kind() == DataSource.Kind.IMAGES;
        if (directory ? !Files.isDirectory(p) : !Files.isRegularFile(p)) {
            throw new NoSuchFileException(p.toString(), null, "--" + option(source.kind()) + " " + p + ": no such "
                    + (directory ? "directory" : "file"));
        }
        return DataSets.load(source, dtype);
    }

    private static String option(DataSource.Kind kind) {
        return kind == DataSource.Kind.MNIST ? "data" : kind.label();
    }

    private static String absolute(Path p) {
        return p.toAbsolutePath().normalize().toString();
    }
}
