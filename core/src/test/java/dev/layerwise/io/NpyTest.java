package dev.layerwise.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path dir;

    /** A .npy file with a hand-written header, as another writer might produce it. */
    static byte[] npy(String header, byte[] data, int major) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        out.write(h.length & 0xFF);
        out.write(h.length >>> 8);
        if (major > 1) {
            out.write(0);
            out.write(0);
        }
        out.writeBytes(h);
        out.writeBytes(data);
        return out.toByteArray();
    }

    @Test
    void roundTripsBothFloatTypesAndIntegers() throws IOException {
        Tensor t = Tensor.of(DType.FLOAT32, new double[] {1.5, -2, 3, 4, 5, 6}, 2, 3);
        NpyArray back = Npy.read(Npy.toBytes(NpyArray.of(t)), "t");
        assertEquals(NpyArray.Kind.FLOAT32, back.kind());
        assertArrayEquals(new int[] {2, 3}, back.shape());
        assertArrayEquals(t.toFloatArray(), back.toTensor(DType.FLOAT32).toFloatArray());
        NpyArray longs = Npy.read(Npy.toBytes(NpyArray.ofInts(new int[] {7, -1, 3}, 3)), "l");
        assertArrayEquals(new int[] {7, -1, 3}, longs.toIntArray());
        NpyArray scalar = Npy.read(Npy.toBytes(NpyArray.ofDoubles(new double[] {0.25})), "s");
        assertEquals(0, scalar.shape().length);
        assertEquals(0.25, scalar.scalar());
        byte[] bytes = Npy.toBytes(NpyArray.of(t));
        assertEquals(0, (bytes.length - 6 * 4) % 64, "header padded to 64 bytes as NumPy does");
    }

    @Test
    void readsBigEndianAndVersion2() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN).putDouble(1.25).putDouble(-3);
        NpyArray a = Npy.read(npy("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }\n", data.array(), 2),
                "be");
        assertArrayEquals(new double[] {1.25, -3}, a.toDoubleArray());
        ByteBuffer ints = ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putShort((short) -2).putShort((short) 9);
        NpyArray i = Npy.read(npy("{'shape': (1, 2), 'fortran_order': False, 'descr': '>i2'}", ints.array(), 1), "i2");
        assertArrayEquals(new int[] {-2, 9}, i.toIntArray());
        NpyArray u = Npy.read(npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }",
                new byte[] {(byte) 255, 1}, 1), "u1");
        assertArrayEquals(new int[] {255, 1}, u.toIntArray());
    }

    @Test
    void rejectsWhatItCannotRepresentWithAClearMessage() {
        assertRejected(npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", new byte[32], 1),
                "Fortran-order");
        assertRejected(npy("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", new byte[16], 1),
                "object arrays");
        assertRejected(npy("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", new byte[4], 1),
                "unsupported dtype '<f2'");
        assertRejected(npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", new byte[8], 1),
                "structured");
        assertRejected(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", new byte[16], 1),
                "truncated .npy data", "needs 24 bytes");
        assertRejected(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000), }", new byte[8], 1),
                "too large");
        assertRejected(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,)", new byte[16], 1),
                "malformed .npy header");
        byte[] good = Npy.toBytes(NpyArray.ofDoubles(new double[] {1, 2}, 2));
        byte[] wrongVersion = good.clone();
        wrongVersion[6] = 7;
        assertRejected(wrongVersion, "unsupported .npy version 7.0");
        byte[] notNpy = good.clone();
        notNpy[1] = 'X';
        assertRejected(notNpy, "not a .npy file");
        assertRejected(Arrays.copyOf(good, 9), "truncated");
    }

    private static void assertRejected(byte[] bytes, String... parts) {
        FileFormatException e = assertThrows(FileFormatException.class, () -> Npy.read(bytes, "the-file.npy"));
        assertTrue(e.getMessage().startsWith("the-file.npy"), e.getMessage());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' lacks '" + p + "'");
        }
    }

    @Test
    void npzRoundTripKeepsNamesAndOrder() throws IOException {
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        arrays.put("W1", NpyArray.of(Tensor.of(DType.FLOAT64, new double[] {1, 2, 3, 4}, 2, 2)));
        arrays.put("b1", NpyArray.of(Tensor.of(DType.FLOAT32, new double[] {5, 6}, 2)));
        Path file = dir.resolve("p.npz");
        Npz.write(file, arrays);
        Map<String, NpyArray> back = Npz.read(file);
        assertEquals(java.util.List.of("W1", "b1"), java.util.List.copyOf(back.keySet()));
        assertArrayEquals(new double[] {1, 2, 3, 4}, back.get("W1").toDoubleArray());
        assertEquals(NpyArray.Kind.FLOAT32, back.get("b1").kind());
        FileFormatException e = assertThrows(FileFormatException.class,
                () -> Npz.read(writeBytes("junk.npz", "not a zip".getBytes())));
        assertTrue(e.getMessage().contains("junk.npz"), e.getMessage());
    }

    private Path writeBytes(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        java.nio.file.Files.write(p, bytes);
        return p;
    }

    /**
     * Thousands of corrupted and truncated .npy and .npz files: each is read or rejected with a FileFormatException,
     * never another exception, a hang or a large allocation.
     */
    @Test
    void fuzzedFilesAreRejectedWithTheDocumentedError() throws IOException {
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        arrays.put("W1", NpyArray.of(Tensor.of(DType.FLOAT64, new double[] {1, 2, 3, 4, 5, 6}, 2, 3)));
        arrays.put("t", NpyArray.ofInts(new int[] {1, 2, 3}, 3));
        Path npz = dir.resolve("good.npz");
        Npz.write(npz, arrays);
        byte[] goodNpz = java.nio.file.Files.readAllBytes(npz);
        byte[] goodNpy = Npy.toBytes(arrays.get("W1"));
        dev.layerwise.util.Rng rng = new dev.layerwise.util.Rng(7);
        Path bad = dir.resolve("bad.npz");
        int rejected = 0;
        for (int trial = 0; trial < 4000; trial++) {
            boolean zip = trial % 2 == 0;
            byte[] b = (zip ? goodNpz : goodNpy).clone();
            if (trial % 4 < 2) {
                for (int flips = 1 + rng.nextInt(3); flips > 0; flips--) {
                    b[rng.nextInt(b.length)] = (byte) rng.nextInt(256);
                }
            } else {
                b = Arrays.copyOf(b, rng.nextInt(b.length));
            }
            try {
                if (zip) {
                    java.nio.file.Files.write(bad, b);
                    Npz.read(bad);
                } else {
                    Npy.read(b, "fuzz.npy");
                }
            } catch (FileFormatException expected) {
                rejected++;
            } catch (IOException | RuntimeException e) {
                throw new AssertionError("trial " + trial + " threw " + e, e);
            }
        }
        assertTrue(rejected > 2000, "most corruptions are detected: " + rejected);
    }
}
