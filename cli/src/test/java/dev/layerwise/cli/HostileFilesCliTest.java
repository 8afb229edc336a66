package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.io.Json;
import dev.layerwise.model.ModelFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile file handed to a command is one line naming the file, exit code 1, in a 512 MB heap (a JVM of its own):
 * never a stack trace, and never the advice to give Java more memory.
 */
class HostileFilesCliTest {
    @TempDir
    Path tmp;

    private static void assertOneLineNaming(CliTesting.Run r, Path file, String part) {
        assertEquals(Main.FAILURE, r.exit(), r.out() + r.err());
        // The JVM's own notice of the incubating Vector API is not the command's.
        String err = r.err().lines().filter(l -> !l.startsWith("WARNING: Using incubator modules"))
                .collect(java.util.stream.Collectors.joining("\n")).strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains(file.toString() + ": ") || err.contains(file + "["), err);
        assertTrue(err.contains(part), "'" + err + "' lacks '" + part + "'");
        assertFalse(err.contains("out of memory") || err.contains("Xmx") || err.contains("Exception"), err);
    }

    @Test
    void aCheckpointWithoutItsBatchSizeIsRefusedBeforeTheDataIsRead() throws Exception {
        Path data = CliTesting.tinyMnist(tmp, 40, 10);
        Path good = tmp.resolve("good.lw");
        CliTesting.Run saved = CliTesting.run("train", "--data", data.toString(), "--arch", "mlp", "--iterations",
                "4", "--batch-size", "10", "--quiet", "--save", good.toString());
        assertEquals(0, saved.exit(), saved.err());
        ModelFile.Contents c = ModelFile.read(good);
        @SuppressWarnings("unchecked")
        Map<String, Object> header = (Map<String, Object>) Json.parse(Json.write(c.header()), "copy");
        @SuppressWarnings("unchecked")
        Map<String, Object> settings = (Map<String, Object>) ((Map<String, Object>) header.get("training"))
                .get("settings");
        settings.remove("batch_size");
        Path bad = tmp.resolve("bad.lw");
        ModelFile.write(bad, header, c.entries());
        CliTesting.Run r = CliTesting.runInNewJvm(List.of("-Xmx512m"), "train", "--resume", bad.toString(),
                "--data", tmp.resolve("no-data-here").toString(), "--iterations", "8");
        assertOneLineNaming(r, bad, "field 'batch_size' is missing");

        settings.put("batch_size", 10L);
        settings.put("optimizer_params", Map.of("lr", 0.0));
        Path still = tmp.resolve("lr-zero.lw");
        ModelFile.write(still, header, c.entries());
        r = CliTesting.run("train", "--resume", still.toString(), "--data", tmp.resolve("no-data-here").toString(),
                "--iterations", "8");
        assertOneLineNaming(r, still, "field 'optimizer_params.lr' must be a positive learning rate, not 0.0");
    }

    @Test
    void anEpochOrderThatDoesNotFitTheDataIsOneLineNamingTheFileAndTheField() throws Exception {
        Path trained = Files.createDirectory(tmp.resolve("forty"));
        CliTesting.tinyMnist(trained, 40, 10);
        Path saved = tmp.resolve("shuffled.lw");
        CliTesting.Run first = CliTesting.run("train", "--data", trained.toString(), "--arch", "mlp", "--iterations",
                "4", "--batch-size", "10", "--sampling", "shuffle", "--quiet", "--save", saved.toString());
        assertEquals(0, first.exit(), first.err());
        Path other = Files.createDirectory(tmp.resolve("thirty"));
        CliTesting.tinyMnist(other, 30, 10);
        CliTesting.Run r = CliTesting.run("train", "--resume", saved.toString(), "--data", other.toString(),
                "--iterations", "8", "--quiet");
        assertOneLineNaming(r, saved, "array 'state/order' holds the order of 40 training examples, but the data to "
                + "resume on has 30");
    }

    @Test
    void aModelFileWithAnOffsetNearTwoToTheSixtyThirdIsOneLine() throws Exception {
        String header = "{\"format\": \"layerwise-model\", \"dtype\": \"float32\", \"architecture\": {\"name\": "
                + "\"two-layer\", \"config\": {\"input_size\": 784, \"hidden_size\": 50, \"output_size\": 10, "
                + "\"weight_init_std\": 0.01}}, \"arrays\": [{\"name\": \"param/W1\", \"dtype\": \"float32\", "
                + "\"shape\": [784, 50], \"offset\": 9223372036854775744, \"bytes\": 156800}]}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'L', 'W', 'M', 0x0D, 0x0A, 0x1A, 0x0A});
        out.writeBytes(ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(json.length)
                .array());
        out.writeBytes(json);
        out.writeBytes(new byte[(16 + json.length + 63) / 64 * 64 - 16 - json.length + 160 * 1024]);
        byte[] body = out.toByteArray();
        out.writeBytes(java.security.MessageDigest.getInstance("SHA-256").digest(body));
        Path bad = tmp.resolve("offset.lw");
        Files.write(bad, out.toByteArray());
        CliTesting.Run r = CliTesting.runInNewJvm(List.of("-Xmx512m"), "eval", "--model", bad.toString(), "--data",
                CliTesting.tinyMnist(tmp, 10, 10).toString());
        assertOneLineNaming(r, bad, "outside the data section");
    }

    @Test
    void anNpzZipBombIsOneLine() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("W1.npy"));
            String dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (100000000,), }";
            String h = dict + " ".repeat(63 - (10 + dict.length()) % 64) + "\n";
            zip.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) h.length(), 0});
            zip.write(h.getBytes(StandardCharsets.ISO_8859_1));
            byte[] zeros = new byte[1 << 20];
            for (int done = 0; done < 100_000_000; done += zeros.length) {
                zip.write(zeros, 0, Math.min(zeros.length, 100_000_000 - done));
            }
            zip.closeEntry();
        }
        Path bomb = tmp.resolve("bomb.npz");
        Files.write(bomb, bytes.toByteArray());
        CliTesting.Run r = CliTesting.runInNewJvm(List.of("-Xmx512m"), "eval", "--arch", "two-layer", "--params",
                bomb.toString(), "--data", CliTesting.tinyMnist(tmp, 10, 10).toString());
        assertOneLineNaming(r, bomb, "bytes allowed");
    }

    @Test
    void aGzipLabelFileDeclaringBillionsOfLabelsIsOneLine() throws Exception {
        Path data = CliTesting.tinyMnist(tmp, 20, 10);
        Path labels = data.resolve("train-labels-idx1-ubyte");
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(labels))) {
            gz.write(ByteBuffer.allocate(48).putInt(0x00000801).putInt(Integer.MAX_VALUE - 9).array());
        }
        CliTesting.Run r = CliTesting.runInNewJvm(List.of("-Xmx512m"), "train", "--data", data.toString(),
                "--iterations", "1", "--quiet");
        assertOneLineNaming(r, labels, "more than a gzip file of");
    }
}
