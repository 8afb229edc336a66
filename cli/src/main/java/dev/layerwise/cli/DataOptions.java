package dev.layerwise.cli;

import dev.layerwise.data.DataContract;
import dev.layerwise.data.DataSets;
import dev.layerwise.data.DataSource;
import dev.layerwise.data.ImageFolder;
import dev.layerwise.data.LabeledData;
import dev.layerwise.data.MnistFetcher;
import dev.layerwise.io.Json;
import dev.layerwise.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * Where {@code train}'s and {@code eval}'s data comes from: one source (MNIST by default, fetched into the cache;
 * {@code --data} MNIST's files; {@code --idx}, {@code --npz}, {@code --csv}, {@code --images}), the options that go
 * with it, and the
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

        @Option(names = "--images", paramLabel = "DIR",
                description = "A folder of images, one sub-folder per class: DIR/<class>/*.png|jpg|jpeg|gif|bmp "
                        + "(or DIR/train/<class>/… and DIR/test/<class>/…).")
        Path images;
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

    @Option(names = "--image-size", paramLabel = "H,W", converter = OptionTypes.ImageSize.class,
            description = "With --images: resize every image to H×W (bilinear). Default: the first image's size, "
                    + "which every image must then have.")
    OptionTypes.HeightWidth imageSize;

    @Option(names = "--channels", paramLabel = "1|3", converter = OptionTypes.Channels.class,
            description = "With --images: 1 (grey) or 3 (RGB). Default: grey if the first image is grey, else RGB.")
    Integer channels;

    @Option(names = "--skip-bad-files",
            description = "With --images: skip images that cannot be read (and say how many) instead of stopping.")
    boolean skipBadFiles;

    /** Told how decoding images goes (the command's progress line), or null. */
    ImageFolder.Progress progress;

    /** The contract of the model the data is read for ({@code eval}): images at its size and classes; or null. */
    DataContract readFor;

    @Option(names = "--val-split", paramLabel = "F", converter = OptionTypes.Fraction.class,
            description = "Hold out the fraction F of the training examples for validation (stratified, seeded "
                    + "by --seed); the run evaluates on it instead of the test set.")
    Double valSplit;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Where fetched MNIST files are kept (default: $" + MnistFetcher.CACHE_ENV
                    + "/mnist, else ~/.cache/layerwise/mnist); with --images, where decoded images are kept "
                    + "(default: images beside mnist).")
    Path cacheDir;

    /** Whether a source option is given: else the data is MNIST from the cache (or a resumed run's own). */
    boolean given() {
        return sources.dataDir != null || sources.idx != null || sources.npz != null || sources.csv != null
                || sources.images != null;
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
        if (sources.images == null) {
            for (Object[] o : new Object[][] {{"--image-size", imageSize}, {"--channels", channels},
                {"--skip-bad-files", skipBadFiles ? true : null}}) {
                if (o[1] != null) {
                    throw TrainCommand.usage(spec, o[0] + " applies to --images only");
                }
            }
        }
        if (cacheDir != null && given() && sources.images == null) {
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
        if (imageSize != null || channels != null) {
            throw TrainCommand.usage(spec, (imageSize != null ? "--image-size" : "--channels") + " applies to train "
                    + "only: a model reads images at the size and in the colour it was trained on");
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
        } else if (sources.images != null) {
            kind = DataSource.Kind.IMAGES;
            path = sources.images;
            if (imageSize != null) {
                options.put("image_size", List.of(imageSize.height(), imageSize.width()));
            }
            if (channels != null) {
                options.put("channels", channels);
            }
            if (skipBadFiles) {
                options.put("skip_bad_files", true);
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
        if (source.kind() == DataSource.Kind.IMAGES) {
            return images(p, source, dtype, log);
        }
        return DataSets.load(source, dtype);
    }

    /**
     * A folder of images, decoded with a progress line and cached (in {@code --cache-dir}, else beside the MNIST
     * cache); for a model ({@link #readFor}), at its image size and colour, labelled by its class names.
     */
    private LabeledData images(Path dir, DataSource source, DType dtype, Consumer<String> log) throws IOException {
        Path cache = cacheDir != null ? cacheDir : MnistFetcher.defaultCacheDir().resolveSibling("images");
        ImageFolder.Options o = DataSets.imageOptions(source, ImageFolder.Options.defaults().withCacheDir(cache)
                .withProgress(progress));
        if (readFor != null && readFor.kind() == DataContract.Kind.IMAGES) {
            int[] chw = readFor.exampleShape();
            o = o.withSize(chw[1], chw[2]).withChannels(chw[0]).withClassNames(readFor.classNames());
        }
        LabeledData d = DataSets.imageFolder(dir, o, new DataSets.Options(dtype, source.validationSplit()));
        if (d.description().contains("bad files skipped")) {
            log.accept("layerwise: " + d.description());
        }
        return d;
    }

    private static String option(DataSource.Kind kind) {
        return kind == DataSource.Kind.MNIST ? "data" : kind.label();
    }

    private static String absolute(Path p) {
        return p.toAbsolutePath().normalize().toString();
    }
}
