package dev.layerwise.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.data.Idx;
import dev.layerwise.io.AtomicFiles;
import dev.layerwise.io.FileFormatException;
import dev.layerwise.io.Json;
import dev.layerwise.io.Npz;
import dev.layerwise.model.Model;
import dev.layerwise.model.ModelFile;
import dev.layerwise.tensor.DType;
import dev.layerwise.train.Checkpoints;
import dev.layerwise.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile files a mutation fuzzer found: each is refused with one {@link FileFormatException} naming the file and the
 * field, never a runtime exception, an {@code OutOfMemoryError} or a hang. The build runs these in a 512 MB heap; the
 * timeout guards against a hang, and is no measure of speed.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HostileFilesTest {
    @TempDir
    Path dir;

    private FileFormatException refused(byte[] bytes, String name, ThrowingReader reader, String... parts)
            throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return refused(f, reader, parts);
    }

    private static FileFormatException refused(Path f, ThrowingReader reader, String... parts) {
        FileFormatException e = assertThrows(FileFormatException.class, () -> reader.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' lacks '" + p + "'");
        }
        assertFalse(e.getMessage().contains("Exception"), e.getMessage());
        return e;
    }

    @FunctionalInterface
    interface ThrowingReader {
        void read(Path file) throws IOException;
    }

    private static String entry(String name, String dtype, String shape, long offset, long bytes) {
        return "{\"name\": \"" + name + "\", \"dtype\": \"" + dtype + "\", \"shape\": " + shape + ", \"offset\": "
                + offset + ", \"bytes\": " + bytes + "}";
    }

    // 1. An offset near 2^63 made the bounds check overflow.
    @Test
    void anOffsetNearTwoToTheSixtyThirdIsOutsideTheDataSection() throws IOException {
        for (long offset : new long[] {Long.MAX_VALUE - 63, Long.MAX_VALUE / 64 * 64, 1L << 62, 1L << 32}) {
            refused(HostileFiles.modelFile(HostileFiles.TWO_LAYER_HEAD + "[" + entry("param/W1", "float32", "[4, 3]",
                    offset, 48) + "]}", 160 * 1024), "offset.lw", Model::load, "array 'param/W1'", "offset " + offset,
                    "outside the data section");
        }
    }

    // 2. Thousands of entries pointing at the same bytes made the reader allocate far more than the file holds.
    @Test
    void overlappingArraysAreRefusedBeforeAnyIsRead() throws IOException {
        StringBuilder table = new StringBuilder("[");
        for (int i = 0; i < 3000; i++) {
            table.append(i == 0 ? "" : ", ").append(entry("state/a" + i, "float32", "[16384]", 0, 65536));
        }
        refused(HostileFiles.modelFile(HostileFiles.TWO_LAYER_HEAD + table + "]}", 65536), "overlap.lw", Model::load,
                "array 'state/a", "overlaps array 'state/a");
        // A partial overlap, out of order.
        refused(HostileFiles.modelFile(HostileFiles.TWO_LAYER_HEAD + "[" + entry("param/W1", "float32", "[4, 3]", 64,
                48) + ", " + entry("param/b1", "float32", "[32]", 0, 128) + "]}", 256), "partial.lw", Model::load,
                "overlaps");
    }

    // 3. The duplicate check was quadratic, and the number of entries unbounded.
    @Test
    void tooManyEntriesAreRefusedAndDuplicatesFoundQuickly() throws IOException {
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i <= ModelFile.MAX_ENTRIES; i++) {
            many.append(i == 0 ? "" : ",").append(entry("z" + i, "int32", "[0]", 0, 0));
        }
        refused(HostileFiles.modelFile(HostileFiles.TWO_LAYER_HEAD + many + "]}", 0), "many.lw", Model::load,
                "'arrays' lists " + (ModelFile.MAX_ENTRIES + 1) + " arrays", "at most " + ModelFile.MAX_ENTRIES);
        StringBuilder dup = new StringBuilder("[");
        for (int i = 0; i < 60_000; i++) {
            dup.append(i == 0 ? "" : ",").append(entry("z" + i, "int32", "[0]", 0, 0));
        }
        dup.append(",").append(entry("z59999", "int32", "[0]", 0, 0));
        refused(HostileFiles.modelFile(HostileFiles.TWO_LAYER_HEAD + dup + "]}", 0), "dup.lw", Model::load,
                "array 'z59999' appears twice");
    }

    /** A checkpoint altered by {@code meta} (its training header) and {@code arrays} (its arrays), resumed. */
    private FileFormatException resumeAltered(Consumer<Map<String, Object>> meta,
                                              UnaryOperator<List<ModelFile.Entry>> arrays, String... parts)
            throws IOException {
        Path good = dir.resolve("good.lw");
        if (!Files.exists(good)) {
            HostileFiles.checkpoint(good, "adam", Trainer.Sampling.SHUFFLED_EPOCHS, DType.FLOAT32);
        }
        Path bad = dir.resolve("resume.lw");
        HostileFiles.alter(good, meta, arrays, bad);
        return refused(bad, Checkpoints::resume, parts);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> settings(Map<String, Object> training) {
        return (Map<String, Object>) training.get("settings");
    }

    // 4. Mistyped training state gave ClassCastException, NullPointerException or a division by zero.
    @Test
    void mistypedTrainingStateIsRefusedAtLoadNamingTheField() throws IOException {
        UnaryOperator<List<ModelFile.Entry>> same = a -> a;
        resumeAltered(t -> t.put("evaluations", List.of(1L)), same, "'training.evaluations[0]' is not an object");
        resumeAltered(t -> t.put("evaluations", List.of(Map.of())), same,
                "'training.evaluations[0].iteration' must be a count");
        resumeAltered(t -> t.put("optimizer", "sgd"), same, "'training.optimizer' is not an object");
        resumeAltered(t -> settings(t).put("optimizer_params", Map.of("lr", Map.of())), same,
                "field 'optimizer_params.lr' must be a number, not an object");
        for (String key : new String[] {"batch_size", "eval_sample", "seed"}) {
            resumeAltered(t -> settings(t).remove(key), same, "field '" + key + "' is missing");
            resumeAltered(t -> settings(t).put(key, "ten"), same, "field '" + key + "' must be", "not \"ten\"");
        }
        resumeAltered(t -> settings(t).put("batch_size", 0L), same, "field 'batch_size' must be an integer from 1");
        resumeAltered(t -> settings(t).put("optimizer", "adamw"), same, "optimizer settings are missing or unknown");
        resumeAltered(t -> t.put("iteration", 2.5), same, "field 'training.iteration' must be a count, not 2.5");
    }

    private static UnaryOperator<List<ModelFile.Entry>> replacing(String name, ModelFile.Entry with) {
        return list -> {
            list.replaceAll(e -> e.name().equals(name) ? with : e);
            return list;
        };
    }

    // 5. A generator state of the wrong length, a broken order or reshaped optimizer state failed during training.
    @Test
    @SuppressWarnings("unchecked")
    void inconsistentTrainingStateIsRefusedAtLoad() throws IOException {
        UnaryOperator<List<ModelFile.Entry>> same = a -> a;
        resumeAltered(t -> t.put("rng", List.of("1", "2")), same, "'training.rng' is not a random generator state");
        resumeAltered(t -> t.put("rng", List.of("x", "2", "3", "4", "0", "0")), same,
                "'training.rng', a random generator state, is not a list of hexadecimal strings");
        resumeAltered(t -> ((Map<String, Object>) t.get("random")).replaceAll((k, v) -> List.of("0")), same,
                "'training.random.");
        int[] order = new int[40];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        order[7] = -3;
        resumeAltered(t -> { }, replacing("state/order", new ModelFile.Entry("state/order", "int32",
                new int[] {40}, order.clone())), "array 'state/order' is not a permutation", "element 7 is -3");
        order[7] = 40;
        resumeAltered(t -> { }, replacing("state/order", new ModelFile.Entry("state/order", "int32",
                new int[] {40}, order.clone())), "element 7 is 40");
        order[7] = 6;
        resumeAltered(t -> { }, replacing("state/order", new ModelFile.Entry("state/order", "int32",
                new int[] {40}, order.clone())), "element 7 is 6");
        resumeAltered(t -> { }, list -> {
            list.replaceAll(e -> e.name().equals("state/optimizer/m/W1")
                    ? new ModelFile.Entry(e.name(), "float32", new int[] {8, 20}, new float[160]) : e);
            return list;
        }, "array 'state/optimizer/m/W1' is float32 (8, 20), its parameter is float32 (20, 8)");
        resumeAltered(t -> { }, list -> {
            list.removeIf(e -> e.name().equals("state/order"));
            return list;
        }, "lacks its 'order'");
        resumeAltered(t -> settings(t).put("sampling", "replacement"), same, "holds an epoch 'order'");
    }

    // 6. A missing time or epoch of an evaluation was read as NaN, and every later save failed.
    @Test
    @SuppressWarnings("unchecked")
    void anEvaluationLackingItsTimeOrEpochIsRefusedAtLoad() throws IOException {
        for (String key : new String[] {"seconds", "epoch"}) {
            resumeAltered(t -> ((List<Map<String, Object>>) t.get("evaluations")).get(0).remove(key), a -> a,
                    "field 'training.evaluations[0]." + key + "' must be a number, not null");
        }
    }

    // A learning rate of zero or below loaded and trained nothing, or climbed the loss.
    @Test
    void aResumedLearningRateOfZeroOrBelowIsRefusedAtLoad() throws IOException {
        for (double lr : new double[] {0.0, -0.001, -1e300}) {
            resumeAltered(t -> settings(t).put("optimizer_params", Map.of("lr", lr)), a -> a,
                    "field 'optimizer_params.lr' must be a positive learning rate, not " + lr);
        }
        // JSON holds no NaN or infinity; settings handed over as a map may.
        for (double v : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
            Map<String, Object> s = new LinkedHashMap<>(new dev.layerwise.train.RunSettings("mlp-extend", "adam",
                    Map.of(), "constant", 6, 10, null, 0, Trainer.Sampling.SHUFFLED_EPOCHS, 5, DType.FLOAT32, 6)
                    .toMap());
            s.put("optimizer_params", Map.of("beta1", v));
            FileFormatException e = assertThrows(FileFormatException.class,
                    () -> dev.layerwise.train.RunSettings.fromMap(s));
            assertTrue(e.getMessage().contains("field 'optimizer_params.beta1' must be a finite number, not " + v),
                    e.getMessage());
        }
    }

    // An epoch order of 40 examples, resumed on data of another size, failed with no file and no field.
    @Test
    void anEpochOrderThatDoesNotFitTheDataNamesTheFileAndTheField() throws IOException {
        Path file = dir.resolve("order.lw");
        HostileFiles.checkpoint(file, "adam", Trainer.Sampling.SHUFFLED_EPOCHS, DType.FLOAT32);
        Checkpoints.Run r = Checkpoints.resume(file);
        Trainer.Builder builder = r.settings().trainer(r.network(), r.optimizer(),
                HostileFiles.data(30, 1, DType.FLOAT32), HostileFiles.data(20, 9, DType.FLOAT32), 12)
                .resumeFrom(r.position());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);
        assertTrue(e.getMessage().startsWith(file + ": array 'state/order' holds the order of 40 training examples, "
                + "but the data to resume on has 30"), e.getMessage());
        // On the data it trained on, it resumes.
        Checkpoints.Run again = Checkpoints.resume(file);
        assertEquals(12, again.settings().trainer(again.network(), again.optimizer(),
                HostileFiles.data(40, 1, DType.FLOAT32), HostileFiles.data(20, 9, DType.FLOAT32), 12)
                .resumeFrom(again.position()).build().run().losses().length);
    }

    /** An .npz of one deflated entry of {@code n} zero bytes as {@code |u1}. */
    static byte[] zeroBomb(int n) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.setLevel(9);
            zip.putNextEntry(new ZipEntry("x.npy"));
            String dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (" + n + ",), }";
            String header = dict + " ".repeat(63 - (10 + dict.length()) % 64) + "\n";
            zip.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(), 0});
            zip.write(header.getBytes(StandardCharsets.ISO_8859_1));
            byte[] zeros = new byte[1 << 20];
            for (int done = 0; done < n; done += zeros.length) {
                zip.write(zeros, 0, Math.min(zeros.length, n - done));
            }
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    // 7. A deflated entry of 10^8 zero bytes (97 KB) widened to 800 MB of longs.
    @Test
    void anNpzZipBombIsRefusedBeforeItIsExpanded() throws IOException {
        byte[] bomb = zeroBomb(100_000_000);
        assertTrue(bomb.length < 200_000, bomb.length + " bytes");
        refused(bomb, "bomb.npz", Npz::read, "[x.npy]", "shape (100000000,) of |u1", "bytes allowed");
    }

    // 8. An 85-byte gzip IDX file declaring 2^31 - 9 labels was allocated before any data was read.
    @Test
    void aGzipIdxFileDeclaringBillionsOfLabelsIsRefused() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(ByteBuffer.allocate(8).putInt(0x00000801).putInt(Integer.MAX_VALUE - 9).array());
            gz.write(new byte[40]);
        }
        refused(bytes.toByteArray(), "labels.gz", Idx::read, "IDX dimensions (2147483638,)",
                "more than a gzip file of");
        // A claim within the ratio but beyond what the stream holds: refused at the end of the data, having
        // allocated about what was there.
        ByteArrayOutputStream more = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(more)) {
            gz.write(ByteBuffer.allocate(8).putInt(0x00000801).putInt(4_000_000).array());
            byte[] noise = new byte[2_000_000];
            new java.util.Random(1).nextBytes(noise);
            gz.write(noise);
        }
        refused(more.toByteArray(), "short.gz", Idx::read, "truncated IDX file", "found 2000000");
    }

    // 11. A save killed midway left its temporary file; the next save of the same target removes it.
    @Test
    void theNextSaveRemovesTemporaryFilesAKilledSaveLeft() throws IOException {
        Path target = dir.resolve("F.lw");
        Path stale = dir.resolve(".F.lw4512334567.tmp");
        Path fresh = dir.resolve(".F.lw99.tmp");
        Path other = dir.resolve(".G.lw4512334567.tmp");
        for (Path p : List.of(stale, fresh, other)) {
            Files.write(p, new byte[100]);
        }
        FileTime old = FileTime.from(Instant.now().minusSeconds(3600));
        Files.setLastModifiedTime(stale, old);
        Files.setLastModifiedTime(other, old);
        AtomicFiles.write(target, out -> out.write(1));
        assertFalse(Files.exists(stale), "a stale temporary file of the target is removed");
        assertTrue(Files.exists(fresh), "one written to a moment ago may be another process's save under way");
        assertTrue(Files.exists(other), "another target's is left alone");
        assertEquals(1, Files.readAllBytes(target).length);
    }

    /** The files above are refused; these, untouched, load: the checks refuse only what is wrong. */
    @Test
    void theUnalteredFilesLoad() throws IOException {
        Path good = dir.resolve("good.lw");
        HostileFiles.checkpoint(good, "adam", Trainer.Sampling.SHUFFLED_EPOCHS, DType.FLOAT32);
        assertEquals(6, Checkpoints.resume(good).position().iteration());
        Path resaved = dir.resolve("resaved.lw");
        ModelFile.Contents c = ModelFile.read(good);
        ModelFile.write(resaved, new LinkedHashMap<>(c.header()), c.entries());
        assertEquals(6, Checkpoints.resume(resaved).position().iteration());
        Path small = dir.resolve("small.npz");
        Files.write(small, zeroBomb(1000));
        assertEquals(1000, Npz.read(small).get("x").size());
    }
}
