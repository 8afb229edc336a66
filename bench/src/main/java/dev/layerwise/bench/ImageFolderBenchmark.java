package dev.layerwise.bench;

import dev.layerwise.data.ImageFolder;
import dev.layerwise.data.Mnist;
import dev.layerwise.data.MnistFetcher;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Loading a folder of 60,000 small PNGs (MNIST's training images exported as {@code DIR/<digit>/<index>.png}) with
 * {@link ImageFolder}: {@code decode} decodes them all (no cache) on {@code threads} threads; {@code cachedStart}
 * is a second run's start, which lists and stats the files, hashes their names, sizes and times, and reads the
 * cache. Images per second: 60,000 divided by the time of one operation.
 *
 * <p>The export is made once and kept between runs under {@code target/}; MNIST comes from the usual cache
 * (fetched when missing).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@State(Scope.Benchmark)
public class ImageFolderBenchmark {
    @Param({"2", "1"})
    public int threads;

    private Path folder;
    private Path cache;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        folder = export(Path.of("target", "mnist-png"));
        cache = Files.createTempDirectory("layerwise-image-cache");
        ImageFolder.load(folder, ImageFolder.Options.defaults().withCacheDir(cache).withThreads(threads));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (Stream<Path> s = Files.walk(cache)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public ImageFolder.Loaded decode() throws IOException {
        return ImageFolder.load(folder, ImageFolder.Options.defaults().withThreads(threads));
    }

    @Benchmark
    public ImageFolder.Loaded cachedStart() throws IOException {
        ImageFolder.Loaded d = ImageFolder.load(folder, ImageFolder.Options.defaults().withCacheDir(cache)
                .withThreads(threads));
        if (!d.fromCache()) {
            throw new IllegalStateException("the cache was not used");
        }
        return d;
    }

    /** MNIST's 60,000 training images as PNG files under {@code dir}/train, once (a marker file says it is done). */
    static Path export(Path dir) throws IOException {
        Path done = dir.resolve("complete");
        if (Files.exists(done)) {
            return dir;
        }
        Mnist.Split train = Mnist.readSplit(new MnistFetcher().fetch(), Mnist.TRAIN_IMAGES, Mnist.TRAIN_LABELS);
        java.util.stream.IntStream.range(0, train.count()).parallel().forEach(i -> {
            BufferedImage img = new BufferedImage(Mnist.COLS, Mnist.ROWS, BufferedImage.TYPE_BYTE_GRAY);
            img.getRaster().setDataElements(0, 0, Mnist.COLS, Mnist.ROWS,
                    java.util.Arrays.copyOfRange(train.pixels(), i * Mnist.PIXELS, (i + 1) * Mnist.PIXELS));
            Path f = dir.resolve("train").resolve(Integer.toString(train.labels()[i]))
                    .resolve(String.format("%05d.png", i));
            try {
                Files.createDirectories(f.getParent());
                ImageIO.write(img, "png", f.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        Files.writeString(done, "60,000 PNGs\n");
        return dir;
    }
}
