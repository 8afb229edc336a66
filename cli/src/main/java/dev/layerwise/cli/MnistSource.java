package dev.layerwise.cli;

import dev.layerwise.data.Mnist;
import dev.layerwise.data.MnistFetcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/** Where MNIST comes from: {@code --data DIR} (files on disk, no network) or the cache, fetched when missing. */
final class MnistSource {
    @Option(names = "--data", paramLabel = "DIR",
            description = "Use the four MNIST files (raw or .gz) in DIR; no network.")
    Path dataDir;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            // The default path is not spelled out: picocli would break it across lines after "~/.".
            description = "Where fetched MNIST files are kept. Default: $" + MnistFetcher.CACHE_ENV + "/mnist, else "
                    + "mnist in .cache/layerwise in the home directory.")
    Path cacheDir;

    /** The directory holding the four files, fetching them into the cache first if needed. */
    Path directory(Consumer<String> log) throws IOException {
        if (dataDir != null) {
            if (!Files.isDirectory(dataDir)) {
                throw new IOException("--data " + dataDir + ": no such directory");
            }
            return dataDir;
        }
        return fetch(cacheDir, log);
    }

    /** MNIST's directory in {@code cacheDir} (null: the default cache), fetched first when missing. */
    static Path fetch(Path cacheDir, Consumer<String> log) throws IOException {
        MnistFetcher fetcher = new MnistFetcher(cacheDir != null ? cacheDir : MnistFetcher.defaultCacheDir(),
                line -> log.accept("layerwise: " + line));
        if (!fetcher.isCached()) {
            log.accept("layerwise: fetching MNIST into " + fetcher.cacheDir());
        }
        return fetcher.fetch();
    }

    /** Loads MNIST as {@code options} say. */
    Mnist.Data load(Mnist.Options options, Consumer<String> log) throws IOException {
        return Mnist.load(directory(log), options);
    }
}
