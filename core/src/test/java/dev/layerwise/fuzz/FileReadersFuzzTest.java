package dev.layerwise.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.layerwise.data.DataContract;
import dev.layerwise.data.Idx;
import dev.layerwise.data.ImageDecoder;
import dev.layerwise.data.ImageExamples;
import dev.layerwise.io.FileFormatException;
import dev.layerwise.io.Npy;
import dev.layerwise.io.Npz;
import dev.layerwise.model.Model;
import dev.layerwise.train.Checkpoints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzz tests of every reader of files a user may be handed: model files, checkpoints to resume,
 * {@code .npy}, {@code .npz}, IDX (raw and gzip) and images to classify. Each input is either read or refused with a
 * {@link FileFormatException} that names the file; anything else (another exception, an {@code OutOfMemoryError}, a
 * hang) is a finding.
 *
 * <p>In the build these replay the corpus under {@code src/test/resources/dev/layerwise/fuzz/FileReadersFuzzTestInputs}
 * (valid files of every kind and the hostile files found so far); {@code docs/fuzzing.md} tells how to fuzz one target
 * for a while and keep what it finds.
 */
class FileReadersFuzzTest {
    private static Path dir;

    @BeforeAll
    static void createDirectory() throws IOException {
        dir = Files.createTempDirectory("layerwise-fuzz");
    }

    @AfterAll
    static void removeDirectory() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    @FunctionalInterface
    interface Reader {
        void read(Path file) throws IOException;
    }

    /** Writes {@code bytes} to a file named {@code name} and reads it; a refusal must name the file. */
    private static void readFile(String name, byte[] bytes, Reader reader) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        try {
            reader.read(file);
        } catch (FileFormatException e) {
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        }
    }

    /** A model file, its checksum recomputed so that the mutations reach the parser and the checks behind it. */
    @FuzzTest
    void modelFile(byte[] data) throws IOException {
        readFile("model.lw", HostileFiles.reseal(data), Model::load);
    }

    /** A checkpoint to resume, its checksum recomputed: the training state's checks. */
    @FuzzTest
    void checkpoint(byte[] data) throws IOException {
        readFile("checkpoint.lw", HostileFiles.reseal(data), Checkpoints::resume);
    }

    @FuzzTest
    void npy(byte[] data) throws IOException {
        try {
            Npy.read(data, "fuzz.npy");
        } catch (FileFormatException e) {
            assertTrue(e.getMessage().startsWith("fuzz.npy"), e.getMessage());
        }
    }

    @FuzzTest
    void npz(byte[] data) throws IOException {
        readFile("arrays.npz", data, Npz::read);
    }

    @FuzzTest
    void idx(byte[] data) throws IOException {
        readFile("images-idx3-ubyte", data, Idx::read);
    }

    /** IDX through gzip: the input is compressed here, so that the mutations reach the IDX reader behind it. */
    @FuzzTest
    void idxGzip(byte[] data) throws IOException {
        readFile("images-idx3-ubyte.gz", gzip(data), Idx::read);
    }

    /** The contracts an image is prepared for: MNIST's digit framing, and resizing to grey and to RGB. */
    private static final List<DataContract> IMAGE_CONTRACTS = List.of(DataContract.mnist(),
            DataContract.images(new int[] {1, 16, 16}, List.of("a", "b"), DataContract.ImageFit.RESIZE),
            DataContract.images(new int[] {3, 32, 24}, List.of("a", "b"), DataContract.ImageFit.RESIZE));

    /**
     * An image as {@code predict} reads a file and {@code serve} a request's body: decoded and prepared by each
     * contract (digit framing, inverted when the input's length is odd; resizing). A prepared example holds only
     * finite values.
     */
    @FuzzTest
    void image(byte[] data) throws IOException {
        ImageDecoder.Source source = ImageDecoder.Source.of(data, "the fuzzed image");
        for (DataContract c : IMAGE_CONTRACTS) {
            double[] x;
            try {
                boolean digit = c.imageFit() == DataContract.ImageFit.MNIST_DIGIT;
                x = ImageExamples.example(source, c, digit && data.length % 2 == 1, digit && data.length % 3 == 0);
            } catch (FileFormatException e) {
                assertTrue(e.getMessage().startsWith("the fuzzed image: "), e.getMessage());
                // Every contract reads the same header first: one refusal says it for all.
                return;
            }
            assertEquals(c.features(), x.length);
            for (double v : x) {
                assertTrue(Double.isFinite(v) && v >= 0 && v <= 1, "a prepared value of " + v);
            }
        }
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
