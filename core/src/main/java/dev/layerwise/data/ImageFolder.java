package dev.layerwise.data;

import dev.layerwise.io.AtomicFiles;
import dev.layerwise.io.FileFormatException;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * A folder of images, one sub-folder per class, as torchvision's {@code ImageFolder} and Keras'
 * {@code image_dataset_from_directory} read it: {@code DIR/<class>/…/*.png|jpg|jpeg|gif|bmp}, classes in the sorted
 * order of their folder names, images in the sorted order of their paths. When {@code DIR/train} exists the training
 * images are {@code DIR/train/<class>/…} and the test images {@code DIR/test/<class>/…} (when that exists).
 *
 * <p>Every image becomes {@code C × H × W} unsigned bytes (see {@link ImageDecoder}): {@code H × W} is the size asked
 * for, else the first image's, and then every image must have it (an image of another size is an error naming both
 * files); {@code C} is the channels asked for, else 1 when the first image is grey and 3 when it has colour. Decoding
 * runs on all cores, its results in file order so that a data set is the same however the work was shared. The
 * decoded bytes are cached in a directory (when given), keyed by every file's path, size and modification time and
 * the options: a second load of an unchanged folder reads one file. A damaged cache is ignored and rebuilt.
 *
 * <p>Memory is estimated before anything is decoded: {@code N·C·H·W} bytes against the heap the JVM may grow to,
 * with the heap to ask for ({@code JAVA_OPTS=-Xmx…}) when it is too small.
 *
 * <pre>{@code
 * ImageFolder.Loaded data = ImageFolder.load(Path.of("shapes"), ImageFolder.Options.defaults().withSize(32, 32));
 * data.classNames();                    // [circle, square, triangle]
 * DataSet train = data.train().toDataSet(DType.FLOAT32);  // x (N, 3, 32, 32) in [0, 1]
 * }</pre>
 */
public final class ImageFolder {
    /** The cache file format's version: a change of layout or of decoding gives new keys. */
    private static final int CACHE_VERSION = 1;
    private static final byte[] CACHE_MAGIC = "LWIMAGES".getBytes(StandardCharsets.US_ASCII);
    /** The largest array of bytes a JVM allocates. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private ImageFolder() {
    }

    /** Reports decoding progress: {@code done} of {@code total} images decoded. Called on the loading thread. */
    @FunctionalInterface
    public interface Progress {
        void decoded(int done, int total);
    }

    /**
     * How a folder is read.
     *
     * @param height       the height images are resized to, or 0 for the first image's
     * @param width        the width images are resized to, or 0 for the first image's
     * @param channels     1 (grey), 3 (RGB), or 0 for the first image's
     * @param skipBadFiles skip (and report) images that cannot be decoded instead of failing on the first
     * @param cacheDir     where decoded images are cached, or {@code null} for no cache
     * @param threads      decoding threads, or 0 for one per core
     * @param progress     told how decoding goes, or {@code null}
     * @param classNames   the classes the labels index, in order (a model's, to evaluate it on a folder that may
     *                     hold some of them), or {@code null} for the folder's own, sorted
     */
    public record Options(int height, int width, int channels, boolean skipBadFiles, Path cacheDir, int threads,
                          Progress progress, List<String> classNames) {
        public Options {
            if ((height == 0) != (width == 0) || height < 0 || width < 0 || height > ImageDecoder.MAX_SIDE
                    || width > ImageDecoder.MAX_SIDE) {
                throw new IllegalArgumentException("image size must be two sizes of 1 to " + ImageDecoder.MAX_SIDE
                        + " (or both 0 for the first image's), got " + height + "," + width);
            }
            if (channels != 0 && channels != 1 && channels != 3) {
                throw new IllegalArgumentException("channels must be 1 or 3 (or 0 for the first image's), got "
                        + channels);
            }
            if (threads < 0) {
                throw new IllegalArgumentException("threads must be positive (or 0 for one per core), got " + threads);
            }
            classNames = classNames == null ? null : List.copyOf(classNames);
        }

        /** The first image's size and colour, no skipping, no cache, one thread per core. */
        public static Options defaults() {
            return new Options(0, 0, 0, false, null, 0, null, null);
        }

        public Options withSize(int h, int w) {
            return new Options(h, w, channels, skipBadFiles, cacheDir, threads, progress, classNames);
        }

        public Options withChannels(int c) {
            return new Options(height, width, c, skipBadFiles, cacheDir, threads, progress, classNames);
        }

        public Options withSkipBadFiles(boolean skip) {
            return new Options(height, width, channels, skip, cacheDir, threads, progress, classNames);
        }

        public Options withCacheDir(Path dir) {
            return new Options(height, width, channels, skipBadFiles, dir, threads, progress, classNames);
        }

        public Options withThreads(int n) {
            return new Options(height, width, channels, skipBadFiles, cacheDir, n, progress, classNames);
        }

        public Options withProgress(Progress p) {
            return new Options(height, width, channels, skipBadFiles, cacheDir, threads, p, classNames);
        }

        /** Labels as indices into {@code names} (a model's classes) instead of the folder's own class list. */
        public Options withClassNames(List<String> names) {
            return new Options(height, width, channels, skipBadFiles, cacheDir, threads, progress, names);
        }
    }

    /** Images of one split: {@code labels.length} examples of {@code C·H·W} bytes each, one after the other. */
    public record Split(byte[] pixels, int[] labels) {
        public int size() {
            return labels.length;
        }
    }

    /**
     * A loaded folder.
     *
     * @param test      the test images, or {@code null} when the folder has no {@code test} part
     * @param skipped   one message per file that was skipped (with {@link Options#skipBadFiles()})
     * @param fromCache whether the images came from the cache
     */
    public record Loaded(Path dir, Split train, Split test, List<String> classNames, int channels, int height,
                         int width, List<String> skipped, boolean fromCache) {
        /** The shape of one example: {@code (C, H, W)}. */
        public int[] exampleShape() {
            return new int[] {channels, height, width};
        }

        /** What a model trained on these images expects: {@code (C, H, W)}, pixels / 255, these class names. */
        public DataContract contract() {
            return DataContract.images(exampleShape(), classNames, DataContract.ImageFit.RESIZE);
        }

        /** The examples of {@code split} as a data set of shape {@code (N, C, H, W)}, values / 255 in {@code dtype}. */
        public DataSet toDataSet(Split split, DType dtype) {
            return DataSet.ofUnsignedBytes(split.pixels(), new int[] {split.size(), channels, height, width}, 255.0,
                    dtype, Labels.of(split.labels()));
        }

        /** Where the images came from, for a run's header: the folder, classes, counts, size and skipped files. */
        public String description() {
            return String.format(Locale.ROOT, "image folder %s: %d classes, %,d training%s images of %d×%d×%d%s", dir,
                    classNames.size(), train.size(), test != null ? String.format(Locale.ROOT, " and %,d test",
                            test.size()) : "", channels, height, width,
                    skipped.isEmpty() ? "" : String.format(Locale.ROOT, " (%,d bad files skipped)", skipped.size()));
        }
    }

    /** The files of one split, in order, with their class indices, sizes and modification times. */
    private record Listing(List<Path> files, List<String> names, int[] labels, long[] sizes, long[] times) {
    }

    /**
     * Reads the folder {@code dir} as {@code options} say.
     *
     * @throws FileFormatException naming the folder or file: no class folders, a class without images, a single
     *                             class, a test class unknown to training, an image that cannot be decoded (unless
     *                             skipped), images of different sizes with no size given, too little memory
     */
    public static Loaded load(Path dir, Options options) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "no such image folder: " + dir);
        }
        Path trainDir = dir.resolve("train");
        Path testDir = dir.resolve("test");
        boolean split = Files.isDirectory(trainDir);
        Path top = split ? trainDir : dir;
        List<String> folders = classFolders(top);
        List<String> classes = options.classNames() != null ? options.classNames() : folders;
        if (folders.isEmpty()) {
            throw new FileFormatException(noClasses(top));
        }
        if (options.classNames() == null && classes.size() < 2) {
            throw new FileFormatException(top + ": only one class folder ('" + classes.get(0)
                    + "'); a classifier needs at least 2 classes, one folder each");
        }
        for (String f : folders) {
            if (!classes.contains(f)) {
                throw new FileFormatException(top.resolve(f) + ": class '" + f + "' is not one of the model's classes "
                        + classes);
            }
        }
        Listing train = list(dir, top, folders, classes);
        Listing test = null;
        if (split && Files.isDirectory(testDir)) {
            List<String> testClasses = classFolders(testDir);
            for (String c : testClasses) {
                if (!classes.contains(c)) {
                    throw new FileFormatException(testDir.resolve(c) + ": class '" + c + "' " + (options.classNames()
                            != null ? "is not one of the model's classes " + classes : "has no folder in " + trainDir
                            + " (test classes must be among the training classes " + classes + ")"));
                }
            }
            if (testClasses.isEmpty()) {
                throw new FileFormatException(noClasses(testDir));
            }
            test = list(dir, testDir, testClasses, classes);
        }
        byte[] key = cacheKey(dir, options, classes, train, test);
        Path cacheFile = options.cacheDir() == null ? null
                : options.cacheDir().resolve(HexFormat.of().formatHex(key, 0, 16) + ".images");
        if (cacheFile != null) {
            Loaded cached = readCache(cacheFile, key, dir, classes);
            if (cached != null) {
                if (!cached.skipped().isEmpty() && !options.skipBadFiles()) {
                    throw new FileFormatException(cached.skipped().get(0) + " (skip such files with --skip-bad-files)");
                }
                return cached;
            }
        }
        // The first image sets the size and colour; with skipping, the first that can be read.
        ImageDecoder.Header first = null;
        Path firstFile = null;
        for (int i = 0; first == null; i++) {
            try {
                firstFile = train.files().get(i);
                first = ImageDecoder.header(firstFile);
            } catch (FileFormatException e) {
                if (!options.skipBadFiles() || i == train.files().size() - 1) {
                    throw e;
                }
            }
        }
        int h = options.height() > 0 ? options.height() : first.height();
        int w = options.width() > 0 ? options.width() : first.width();
        int c = options.channels() > 0 ? options.channels() : first.grey() ? 1 : 3;
        int total = train.files().size() + (test == null ? 0 : test.files().size());
        checkMemory(dir, total, Math.max(train.files().size(), test == null ? 0 : test.files().size()), c, h, w,
                Runtime.getRuntime().maxMemory());
        Decoder decoder = new Decoder(options, c, h, w, total, firstFile, first);
        List<String> skipped = new ArrayList<>();
        Split trainSplit = decoder.decode(train, skipped, 0);
        Split testSplit = test == null ? null : decoder.decode(test, skipped, train.files().size());
        if (trainSplit.size() == 0) {
            throw new FileFormatException(dir + ": none of the " + train.files().size()
                    + " training images could be decoded; the first: " + skipped.get(0));
        }
        Loaded loaded = new Loaded(dir, trainSplit, testSplit, classes, c, h, w, List.copyOf(skipped), false);
        if (cacheFile != null) {
            writeCache(cacheFile, key, loaded);
        }
        return loaded;
    }

    private static String noClasses(Path dir) throws IOException {
        boolean loose;
        try (Stream<Path> s = Files.list(dir)) {
            loose = s.anyMatch(p -> Files.isRegularFile(p) && ImageDecoder.isImageName(p));
        }
        return dir + ": no class folders" + (loose ? " (it holds images itself; put each class's images in a folder"
                + " of its own)" : "") + "; expected " + dir + "/<class>/<image>.png (or .jpg, .jpeg, .gif, .bmp),"
                + " or train/<class>/… and test/<class>/…";
    }

    /** The names of the sub-folders of {@code dir} that are not hidden, sorted. */
    private static List<String> classFolders(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("."))
                    .forEach(names::add);
        }
        names.sort(null);
        return names;
    }

    /** An image file found by the walk: its path, its path below the class folder, its size and time. */
    private record Found(Path file, String name, long size, long time) {
    }

    /**
     * The images of each class folder of {@code dir} in order, labelled by their index in {@code classes}, named by
     * their paths below {@code root}: walked once, each file's size and time taken from the walk, sorted by name
     * strings, since a second start of a large folder is mostly this walk.
     */
    private static Listing list(Path root, Path dir, List<String> folders, List<String> classes) throws IOException {
        List<Path> files = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<long[]> stats = new ArrayList<>();
        int rootLength = root.toString().length() + 1;
        for (String folder : folders) {
            Path classDir = dir.resolve(folder);
            int classLength = classDir.toString().length() + 1;
            List<Found> images = new ArrayList<>();
            Files.walkFileTree(classDir, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                            return !d.equals(classDir) && d.getFileName().toString().startsWith(".")
                                    ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                            if (a.isRegularFile() && !f.getFileName().toString().startsWith(".")
                                    && ImageDecoder.isImageName(f)) {
                                // The walk's paths begin with the class folder's, as it resolves each from it.
                                images.add(new Found(f, f.toString().substring(classLength), a.size(),
                                        a.lastModifiedTime().toMillis()));
                            }
                            return FileVisitResult.CONTINUE;
                        }
                    });
            if (images.isEmpty()) {
                throw new FileFormatException(classDir + ": class folder holds no images (.png, .jpg, .jpeg, .gif,"
                        + " .bmp)");
            }
            images.sort(java.util.Comparator.comparing(Found::name));
            int label = classes.indexOf(folder);
            for (Found f : images) {
                files.add(f.file());
                names.add(f.file().toString().substring(rootLength));
                labels.add(label);
                stats.add(new long[] {f.size(), f.time()});
            }
        }
        int n = files.size();
        long[] sizes = new long[n];
        long[] times = new long[n];
        for (int i = 0; i < n; i++) {
            sizes[i] = stats.get(i)[0];
            times[i] = stats.get(i)[1];
        }
        return new Listing(files, names, labels.stream().mapToInt(Integer::intValue).toArray(), sizes, times);
    }

    /**
     * Refuses a folder whose decoded images ({@code n} in all, a split's in one array) would not fit in an array or in the heap with room to train, saying
     * how much heap to give.
     */
    static void checkMemory(Path dir, long n, long largestSplit, int c, int h, int w, long max)
            throws FileFormatException {
        long bytes = n * c * h * w;
        if ((long) c * h * w * largestSplit > MAX_ARRAY) {
            throw new FileFormatException(String.format(Locale.ROOT, "%s: %,d images of %d×%d×%d take %,d MB decoded,"
                    + " more than one array holds (2 GB); choose a smaller image size (--image-size)", dir, n, c, h, w,
                    bytes >> 20));
        }
        // Half the heap for the images leaves the other half for the network, its mini-batches and their gradients.
        if (bytes > max / 2) {
            long suggestGb = Math.max(1, (2 * bytes + (512L << 20) + (1L << 30) - 1) >> 30);
            throw new FileFormatException(String.format(Locale.ROOT, "%s: %,d images of %d×%d×%d take %,d MB decoded;"
                    + " the Java heap can grow to %,d MB. Give it more, e.g. JAVA_OPTS=-Xmx%dg, or choose a smaller"
                    + " image size (--image-size)", dir, n, c, h, w, bytes >> 20, max >> 20, suggestGb));
        }
    }

    /** Decodes lists of files on a pool of threads into one array per split, in file order. */
    private static final class Decoder {
        private final Options options;
        private final int c;
        private final int h;
        private final int w;
        private final int total;
        private final Path firstFile;
        private final ImageDecoder.Header first;
        private final AtomicInteger done = new AtomicInteger();

        Decoder(Options options, int c, int h, int w, int total, Path firstFile, ImageDecoder.Header first) {
            this.options = options;
            this.c = c;
            this.h = h;
            this.w = w;
            this.total = total;
            this.firstFile = firstFile;
            this.first = first;
        }

        /** Decodes {@code listing}, adding a message per skipped file to {@code skipped}. */
        Split decode(Listing listing, List<String> skipped, int doneBefore) throws IOException {
            List<Path> files = listing.files();
            int n = files.size();
            int size = c * h * w;
            byte[] pixels = new byte[n * size];
            IOException[] errors = new IOException[n];
            AtomicInteger next = new AtomicInteger();
            AtomicBoolean stop = new AtomicBoolean();
            int threads = Math.min(n, options.threads() > 0 ? options.threads()
                    : Runtime.getRuntime().availableProcessors());
            boolean exact = options.height() == 0;
            Runnable work = () -> {
                for (int i = next.getAndIncrement(); i < n && !stop.get(); i = next.getAndIncrement()) {
                    try {
                        ImageDecoder.Header got = ImageDecoder.read(files.get(i), c, h, w, pixels, i * size);
                        if (exact && (got.height() != h || got.width() != w)) {
                            throw new SizeMismatch(String.format(Locale.ROOT, "%s is %d×%d (height×width) but %s, the"
                                    + " first image, is %d×%d; give the size all images are resized to, e.g."
                                    + " --image-size %d,%d", files.get(i), got.height(), got.width(), firstFile,
                                    first.height(), first.width(), h, w));
                        }
                    } catch (IOException e) {
                        errors[i] = e;
                        if (!options.skipBadFiles() || e instanceof SizeMismatch || !(e instanceof FileFormatException)) {
                            stop.set(true);
                        }
                    } catch (RuntimeException e) {
                        errors[i] = new FileFormatException(files.get(i) + ": cannot be decoded", e);
                        if (!options.skipBadFiles()) {
                            stop.set(true);
                        }
                    }
                    done.incrementAndGet();
                }
            };
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "layerwise-image-decoder");
                t.setDaemon(true);
                return t;
            });
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    futures.add(pool.submit(work));
                }
                for (Future<?> f : futures) {
                    while (true) {
                        try {
                            f.get(100, TimeUnit.MILLISECONDS);
                            break;
                        } catch (TimeoutException e) {
                            report(doneBefore);
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while decoding images");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IOException("decoding images failed: " + cause.getMessage(), cause);
            } finally {
                pool.shutdownNow();
            }
            report(doneBefore);
            // Only the first error in file order is reported, so that a run fails the same way however it was shared.
            int kept = 0;
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                if (errors[i] == null) {
                    if (kept != i) {
                        System.arraycopy(pixels, i * size, pixels, kept * size, size);
                    }
                    labels[kept++] = listing.labels()[i];
                } else if (!options.skipBadFiles() || errors[i] instanceof SizeMismatch
                        || !(errors[i] instanceof FileFormatException)) {
                    throw errors[i];
                } else {
                    skipped.add(errors[i].getMessage());
                }
            }
            return kept == n ? new Split(pixels, labels)
                    : new Split(Arrays.copyOf(pixels, kept * size), Arrays.copyOf(labels, kept));
        }

        private void report(int doneBefore) {
            if (options.progress() != null) {
                options.progress().decoded(Math.min(total, done.get()), total);
            }
        }
    }

    /** Images of different sizes with no size given: never skipped, since no file is bad. */
    private static final class SizeMismatch extends FileFormatException {
        private static final long serialVersionUID = 1L;

        SizeMismatch(String message) {
            super(message);
        }
    }

    /** SHA-256 of the options and of every file's path (relative to {@code dir}), size, time and class. */
    private static byte[] cacheKey(Path dir, Options options, List<String> classes, Listing train, Listing test) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("layerwise image folder ").append(CACHE_VERSION).append('\n').append(options.height()).append(',')
                .append(options.width()).append(',').append(options.channels()).append('\n');
        for (String c : classes) {
            sb.append(c).append('\0');
        }
        sb.append('\n');
        for (Listing l : test == null ? List.of(train) : List.of(train, test)) {
            sb.append("split ").append(l.files().size()).append('\n');
            for (int i = 0; i < l.files().size(); i++) {
                sb.append(l.names().get(i)).append('\0').append(l.sizes()[i]).append('\0')
                        .append(l.times()[i]).append('\0').append(l.labels()[i]).append('\n');
                if (sb.length() > 1 << 16) {
                    md.update(sb.toString().getBytes(StandardCharsets.UTF_8));
                    sb.setLength(0);
                }
            }
        }
        md.update(sb.toString().getBytes(StandardCharsets.UTF_8));
        return md.digest();
    }

    /** Writes the decoded images atomically; a cache that cannot be written only costs the next run its speed. */
    private static void writeCache(Path file, byte[] key, Loaded d) {
        try {
            // The cache directory is the library's own, so it is made here; a file the user names is never given one.
            Files.createDirectories(file.toAbsolutePath().getParent());
            AtomicFiles.write(file, raw -> {
                CheckedOutputStream checked = new CheckedOutputStream(raw, new CRC32());
                DataOutputStream out = new DataOutputStream(checked);
                out.write(CACHE_MAGIC);
                out.write(key);
                out.writeInt(d.channels());
                out.writeInt(d.height());
                out.writeInt(d.width());
                out.writeInt(d.classNames().size());
                for (String name : d.classNames()) {
                    out.writeUTF(name);
                }
                out.writeInt(d.skipped().size());
                for (String s : d.skipped()) {
                    out.writeUTF(s.length() > 8192 ? s.substring(0, 8192) : s);
                }
                for (Split s : Arrays.asList(d.train(), d.test())) {
                    out.writeInt(s == null ? -1 : s.size());
                    if (s != null) {
                        for (int label : s.labels()) {
                            out.writeInt(label);
                        }
                        out.write(s.pixels());
                    }
                }
                out.flush();
                out.writeLong(checked.getChecksum().getValue());
                out.flush();
            });
        } catch (IOException | RuntimeException e) {
            // Not cached: the next run decodes again.
        }
    }

    /**
     * The cached images of {@code key}, or {@code null} when there are none or the file is damaged in any way: every
     * count is checked against the file's size before anything is allocated, and the checksum at the end.
     */
    static Loaded readCache(Path file, byte[] key, Path dir, List<String> classes) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            long length = Files.size(file);
            CheckedInputStream checked = new CheckedInputStream(raw, new CRC32());
            DataInputStream in = new DataInputStream(checked);
            byte[] magic = in.readNBytes(CACHE_MAGIC.length);
            byte[] stored = in.readNBytes(key.length);
            if (!Arrays.equals(magic, CACHE_MAGIC) || !Arrays.equals(stored, key)) {
                return null;
            }
            int c = in.readInt();
            int h = in.readInt();
            int w = in.readInt();
            if ((c != 1 && c != 3) || h < 1 || w < 1 || h > ImageDecoder.MAX_SIDE || w > ImageDecoder.MAX_SIDE) {
                return null;
            }
            int nClasses = in.readInt();
            if (nClasses != classes.size()) {
                return null;
            }
            List<String> names = new ArrayList<>();
            for (int i = 0; i < nClasses; i++) {
                names.add(in.readUTF());
            }
            if (!names.equals(classes)) {
                return null;
            }
            int nSkipped = in.readInt();
            if (nSkipped < 0 || nSkipped > length) {
                return null;
            }
            List<String> skipped = new ArrayList<>();
            for (int i = 0; i < nSkipped; i++) {
                skipped.add(in.readUTF());
            }
            Split[] splits = new Split[2];
            long size = (long) c * h * w;
            for (int s = 0; s < 2; s++) {
                int n = in.readInt();
                if (n == -1 && s == 1) {
                    continue;
                }
                if (n < 0 || n * (size + 4) > length) {
                    return null;
                }
                int[] labels = new int[n];
                for (int i = 0; i < n; i++) {
                    labels[i] = in.readInt();
                    if (labels[i] < 0 || labels[i] >= nClasses) {
                        return null;
                    }
                }
                byte[] pixels = new byte[(int) (n * size)];
                in.readFully(pixels);
                splits[s] = new Split(pixels, labels);
            }
            long sum = checked.getChecksum().getValue();
            if (in.readLong() != sum || in.read() != -1 || splits[0].size() == 0) {
                return null;
            }
            return new Loaded(dir, splits[0], splits[1], classes, c, h, w, List.copyOf(skipped), true);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
