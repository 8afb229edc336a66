package dev.layerwise.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.layerwise.io.AtomicFiles;
import dev.layerwise.io.FileFormatException;
import dev.layerwise.io.Json;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ModelFileTest {
    @TempDir
    Path dir;

    static Tensor images(DType dtype, int n, long seed) {
        Rng rng = new Rng(seed);
        Tensor x = Tensor.zeros(dtype, n, 784);
        for (int i = 0; i < x.size(); i++) {
            x.setDouble(i, rng.nextDouble());
        }
        return x;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void saveAndLoadGiveIdenticalPredictions(DType dtype) throws IOException {
        TwoLayerNet net = new TwoLayerNet(784, 50, 10, 0.5, dtype, new Rng(3));
        Path file = dir.resolve("m.lw");
        Model.of(net).save(file);
        Model back = Model.load(file);
        assertEquals(dtype, back.network().dtype());
        assertEquals(net.architecture(), back.network().architecture());
        Tensor x = images(dtype, 20, 1);
        assertArrayEquals(net.predict(x).toDoubleArray(), back.predict(x).toDoubleArray(), 0.0);
        assertArrayEquals(net.parameters().flatValues().toDoubleArray(),
                back.network().parameters().flatValues().toDoubleArray(), 0.0);
        assertEquals(20, back.classify(x).length);
    }

    @Test
    void savedFilesAreReadableByOthersLikeAnyNewFile() throws IOException {
        Path file = dir.resolve("m.lw");
        Model.of(new TwoLayerNet(784, 50, 10)).save(file);
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(file)));
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw----"));
        Model.of(new TwoLayerNet(784, 50, 10)).save(file);
        assertEquals("rw-rw----", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(file)), "a replaced file keeps its permissions");
    }

    @Test
    void trainingStateRoundTrips() throws IOException {
        TwoLayerNet net = new TwoLayerNet(784, 50, 10);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("iteration", 1200L);
        meta.put("rng", List.of("1f", "-2a"));
        TrainingState state = new TrainingState(meta, List.of(
                new ModelFile.Entry("order", "int32", new int[] {3}, new int[] {2, 0, 1}),
                new ModelFile.Entry("v/W1", "float32", new int[] {2}, new float[] {0.5f, -1f})));
        Path file = dir.resolve("c.lw");
        Model.of(net, state).save(file);
        TrainingState back = Model.load(file).training();
        assertNotNull(back);
        assertEquals(1200L, back.meta().get("iteration"));
        assertEquals(List.of("1f", "-2a"), back.meta().get("rng"));
        assertArrayEquals(new int[] {2, 0, 1}, (int[]) back.array("order").data());
        assertArrayEquals(new float[] {0.5f, -1f}, (float[]) back.array("v/W1").data());
    }

    @Test
    void aSaveThatDiesMidwayLeavesThePreviousFileLoadable() throws IOException {
        Path file = dir.resolve("m.lw");
        TwoLayerNet net = new TwoLayerNet(784, 50, 10, 0.5, DType.FLOAT32, new Rng(3));
        Model.of(net).save(file);
        byte[] before = Files.readAllBytes(file);
        IOException crash = assertThrows(IOException.class, () -> AtomicFiles.write(file, out -> {
            ModelFile.write(new java.io.OutputStream() {
                private int written;

                @Override
                public void write(int b) throws IOException {
                    if (++written > 5000) {
                        throw new IOException("disk full (simulated)");
                    }
                    out.write(b);
                }
            }, Map.of("format", Model.FORMAT), List.of(ModelFile.Entry.of("param/W1", net.parameters()
                    .get("W1").value())));
        }));
        assertTrue(crash.getMessage().contains("simulated"));
        assertArrayEquals(before, Files.readAllBytes(file), "the previous file is untouched");
        Model.load(file);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("m.lw"), files.map(p -> p.getFileName().toString()).toList(),
                    "no temporary file is left behind");
        }
    }

    @Test
    void truncatedFlippedAndForeignFilesAreRejected() throws IOException {
        Path file = dir.resolve("m.lw");
        Model.of(new TwoLayerNet(784, 50, 10)).save(file);
        byte[] good = Files.readAllBytes(file);
        assertRejected(Arrays.copyOf(good, good.length - 1), "checksum");
        assertRejected(Arrays.copyOf(good, 40), "too short");
        assertRejected(Arrays.copyOf(good, 100), "header length");
        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x10;
        assertRejected(flipped, "checksum");
        byte[] version = good.clone();
        version[8] = 9;
        assertRejected(version, "version 9");
        assertRejected("{\"format\": \"layerwise-model\"}\n".repeat(4).getBytes(StandardCharsets.UTF_8), "magic");
    }

    /** Files whose checksum is right but whose header lies: validation goes beyond the checksum. */
    @Test
    void lyingHeadersAreRejectedBeforeAnythingLargeIsAllocated() throws IOException {
        String arch = "\"architecture\": {\"name\": \"two-layer\", \"config\": {\"input_size\": 784, "
                + "\"hidden_size\": 50, \"output_size\": 10, \"weight_init_std\": 0.01}}";
        String head = "{\"format\": \"layerwise-model\", \"dtype\": \"float32\", " + arch + ", \"arrays\": ";
        assertRejected(withChecksum(head + "[{\"name\": \"param/W1\", \"dtype\": \"float32\", "
                + "\"shape\": [2000000000, 2000000000], \"offset\": 0, \"bytes\": 0}]}", 64), "too large");
        assertRejected(withChecksum(head + "[{\"name\": \"param/W1\", \"dtype\": \"float32\", "
                + "\"shape\": [784, 50], \"offset\": 0, \"bytes\": 156800}]}", 64), "outside the data section");
        assertRejected(withChecksum(head + "[{\"name\": \"param/W1\", \"dtype\": \"float32\", "
                + "\"shape\": [4], \"offset\": 0, \"bytes\": 15}]}", 64), "needs 16 bytes");
        assertRejected(withChecksum(head + "[{\"name\": \"param/W1\", \"dtype\": \"float16\", "
                + "\"shape\": [4], \"offset\": 0, \"bytes\": 8}]}", 64), "unsupported dtype");
        assertRejected(withChecksum(head + "[{\"name\": \"param/W1\", \"dtype\": \"float32\", "
                + "\"shape\": [4], \"offset\": 0, \"bytes\": 16}]}", 64), "has shape (4,)");
        String bigArch = head.replace("\"hidden_size\": 50", "\"hidden_size\": 1000000");
        assertRejected(withChecksum(bigArch + "[]}", 0), "needs parameter 'W1'");
        assertRejected(withChecksum(head.replace("two-layer", "resnet-152") + "[]}", 0), "unknown architecture");
        assertRejected(withChecksum(head.replace("layerwise-model", "pickle") + "[]}", 0), "'format'");
        assertRejected(withChecksum("[1, 2, 3]", 0), "not a JSON object");
        assertRejected(withChecksum("{\"a\": " + "[".repeat(5000) + "]", 0), "nested deeper");
    }

    /** Thousands of random corruptions and truncations: each is a FileFormatException, nothing else. */
    @Test
    void fuzzedModelFilesAreAllRejectedWithTheDocumentedError() throws IOException {
        Path file = dir.resolve("m.lw");
        Model.of(new TwoLayerNet(30, 8, 4, 0.1, DType.FLOAT32, new Rng(1))).save(file);
        byte[] good = Files.readAllBytes(file);
        Rng rng = new Rng(42);
        Path bad = dir.resolve("bad.lw");
        for (int trial = 0; trial < 3000; trial++) {
            byte[] b;
            switch (trial % 3) {
                case 0:
                    b = good.clone();
                    for (int flips = 1 + rng.nextInt(4); flips > 0; flips--) {
                        b[rng.nextInt(b.length)] ^= (byte) (1 + rng.nextInt(255));
                    }
                    break;
                case 1:
                    b = Arrays.copyOf(good, rng.nextInt(good.length));
                    break;
                default:
                    // Corrupt the header but fix the checksum, so that the header parser and checks are exercised.
                    byte[] h = good.clone();
                    int headerLength = ByteBuffer.wrap(h, 12, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
                    h[16 + rng.nextInt(headerLength)] = (byte) " {}[]:,\"0123456789-e.x".charAt(rng.nextInt(22));
                    b = reseal(h);
                    break;
            }
            Files.write(bad, b);
            try {
                Model.load(bad);
                if (!Arrays.equals(b, good) && trial % 3 != 2) {
                    fail("trial " + trial + ": a corrupted file loaded");
                }
            } catch (FileFormatException expected) {
                assertTrue(expected.getMessage().startsWith(bad.toString()), expected.getMessage());
            } catch (RuntimeException | IOException e) {
                throw new AssertionError("trial " + trial + " threw " + e, e);
            }
        }
    }

    private void assertRejected(byte[] bytes, String part) throws IOException {
        Path f = dir.resolve("bad.lw");
        Files.write(f, bytes);
        FileFormatException e = assertThrows(FileFormatException.class, () -> Model.load(f));
        assertTrue(e.getMessage().contains(part), "'" + e.getMessage() + "' lacks '" + part + "'");
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    }

    /** A file with the given header text, {@code dataBytes} zero bytes of data, and a correct checksum. */
    static byte[] withChecksum(String header, int dataBytes) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ModelFile.MAGIC);
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(json.length).array());
        out.writeBytes(json);
        int padded = (16 + json.length + 63) / 64 * 64;
        out.writeBytes(new byte[padded - 16 - json.length + dataBytes]);
        out.writeBytes(new byte[32]);
        return reseal(out.toByteArray());
    }

    /** Recomputes the trailing SHA-256. */
    static byte[] reseal(byte[] b) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Arrays.copyOf(b, b.length - 32));
            byte[] out = b.clone();
            System.arraycopy(digest, 0, out, b.length - 32, 32);
            return out;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void jsonRoundTripsAndRejectsGarbage() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", 1L);
        m.put("b", List.of(1.5, "x\"y", true));
        m.put("c", null);
        assertEquals(m, Json.parse(Json.write(m), "t"));
        assertThrows(FileFormatException.class, () -> Json.parse("{\"a\": 1,}", "t"));
        assertThrows(FileFormatException.class, () -> Json.parse("{\"a\": 1, \"a\": 2}", "t"));
        assertThrows(FileFormatException.class, () -> Json.parse("\"unterminated", "t"));
        assertThrows(FileFormatException.class, () -> Json.parse("1e999", "t"));
    }
}
