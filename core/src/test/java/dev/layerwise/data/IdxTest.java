package dev.layerwise.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.io.FileFormatException;
import dev.layerwise.tensor.DType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path dir;

    /** An IDX file of unsigned bytes with the given dimensions and data. */
    static byte[] idx(int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) 8).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    /** Writes a small but well-formed MNIST directory: n training and m test images of 28×28. */
    static void writeTinyMnist(Path dir, int n, int m, boolean gz) throws IOException {
        for (String split : new String[] {"train", "t10k"}) {
            int count = split.equals("train") ? n : m;
            byte[] pixels = new byte[count * 784];
            byte[] labels = new byte[count];
            for (int i = 0; i < count; i++) {
                labels[i] = (byte) (i % 10);
                pixels[i * 784 + i % 784] = (byte) 255;
            }
            byte[] images = idx(new int[] {count, 28, 28}, pixels);
            byte[] lab = idx(new int[] {count}, labels);
            String suffix = gz ? ".gz" : "";
            Files.write(dir.resolve(split + "-images-idx3-ubyte" + suffix), gz ? gzip(images) : images);
            Files.write(dir.resolve(split + "-labels-idx1-ubyte" + suffix), gz ? gzip(lab) : lab);
        }
    }

    @Test
    void readsRawAndGzippedFiles() throws IOException {
        byte[] data = {1, 2, 3, (byte) 200, 5, 6};
        Files.write(dir.resolve("a"), idx(new int[] {2, 3}, data));
        Files.write(dir.resolve("b.gz"), gzip(idx(new int[] {2, 3}, data)));
        for (String name : new String[] {"a", "b.gz"}) {
            Idx.Array a = Idx.read(dir.resolve(name));
            assertArrayEquals(new int[] {2, 3}, a.dims());
            assertArrayEquals(data, a.data());
            assertEquals(200, a.get(3));
        }
    }

    @Test
    void rejectsForeignTruncatedAndPaddedFiles() throws IOException {
        byte[] good = idx(new int[] {2, 3}, new byte[6]);
        assertFails(Arrays.copyOf(good, good.length - 1), "truncated IDX file", "need 6 bytes of data, found 5");
        assertFails(Arrays.copyOf(good, good.length + 2), "2 bytes after the data");
        assertFails(Arrays.copyOf(good, 7), "truncated IDX header");
        assertFails("PK\u0003\u0004not an idx file".getBytes(), "not an IDX file");
        assertFails(new byte[] {0, 0}, "too short");
        byte[] floats = good.clone();
        floats[2] = 0x0D;
        assertFails(floats, "element type 0x0D");
        byte[] huge = idx(new int[] {1 << 20, 1 << 20}, new byte[0]);
        assertFails(huge, "too large");
        byte[] gz = gzip(good);
        Path truncatedGz = dir.resolve("t.gz");
        Files.write(truncatedGz, Arrays.copyOf(gz, gz.length - 10));
        FileFormatException e = assertThrows(FileFormatException.class, () -> Idx.read(truncatedGz));
        assertTrue(e.getMessage().contains("t.gz"), e.getMessage());
    }

    /** The same message whether the file is raw (its size known at once) or compressed (found out as it is read). */
    private void assertFails(byte[] bytes, String... parts) throws IOException {
        Path raw = dir.resolve("bad");
        Path gz = dir.resolve("bad.gz");
        Files.write(raw, bytes);
        Files.write(gz, gzip(bytes));
        for (Path f : new Path[] {raw, gz}) {
            FileFormatException e = assertThrows(FileFormatException.class, () -> Idx.read(f));
            assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
            for (String p : parts) {
                assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' lacks '" + p + "'");
            }
        }
    }

    @Test
    void loadsAnMnistDirectoryAsTheBookDoes() throws IOException {
        writeTinyMnist(dir, 30, 20, true);
        Mnist.Data data = Mnist.load(dir, Mnist.Options.defaults());
        assertArrayEquals(new int[] {30, 784}, data.train().x().shape());
        assertEquals(20, data.test().size());
        assertEquals(1.0f, data.train().x().floats()[784 + 1]);
        assertEquals(7, data.train().t().indices()[7]);
        Mnist.Data images = Mnist.load(dir, new Mnist.Options(false, false, true, DType.FLOAT64));
        assertArrayEquals(new int[] {30, 1, 28, 28}, images.train().x().shape());
        assertEquals(255.0, images.train().x().getDouble(784 + 1));
        assertTrue(images.train().t().isOneHot());
    }

    @Test
    void mismatchedOrMissingMnistFilesAreNamed() throws IOException {
        writeTinyMnist(dir, 30, 20, false);
        Files.write(dir.resolve(Mnist.TRAIN_LABELS), idx(new int[] {29}, new byte[29]));
        FileFormatException e = assertThrows(FileFormatException.class,
                () -> Mnist.load(dir, Mnist.Options.defaults()));
        assertTrue(e.getMessage().contains("29 labels") && e.getMessage().contains("30 images"), e.getMessage());
        byte[] bad = new byte[30];
        bad[4] = 12;
        Files.write(dir.resolve(Mnist.TRAIN_LABELS), idx(new int[] {30}, bad));
        e = assertThrows(FileFormatException.class, () -> Mnist.load(dir, Mnist.Options.defaults()));
        assertTrue(e.getMessage().contains("label 12 at index 4"), e.getMessage());
        Files.write(dir.resolve(Mnist.TRAIN_LABELS), idx(new int[] {30}, new byte[30]));
        Files.delete(dir.resolve(Mnist.TEST_IMAGES));
        IOException missing = assertThrows(IOException.class, () -> Mnist.load(dir, Mnist.Options.defaults()));
        assertTrue(missing.getMessage().contains(Mnist.TEST_IMAGES), missing.getMessage());
    }
}
