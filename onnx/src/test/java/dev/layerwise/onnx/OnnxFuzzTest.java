package dev.layerwise.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.layerwise.data.DataContract;
import dev.layerwise.io.FileFormatException;
import dev.layerwise.layer.Dropout;
import dev.layerwise.model.Model;
import dev.layerwise.net.ConvParam;
import dev.layerwise.net.DeepConvNet;
import dev.layerwise.net.MultiLayerNetExtend;
import dev.layerwise.net.SimpleConvNet;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.tensor.DType;
import dev.layerwise.util.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of mutated ONNX files (bits flipped, bytes overwritten, inserted or cut, lengths made huge) give either a
 * model or the documented error: a {@link FileFormatException} of one line naming the file. Never another exception,
 * an {@link OutOfMemoryError} or a hang.
 */
class OnnxFuzzTest {
    private static final int MUTANTS_PER_MODEL = 600;

    @TempDir
    Path dir;

    private static List<Model> models() {
        List<Model> models = List.of(
                Model.of(new TwoLayerNet(12, 6, 3, 0.3, DType.FLOAT32, new Rng(1))),
                Model.of(new MultiLayerNetExtend(10, List.of(8, 6), 4, MultiLayerNetExtend.Options.defaults()
                        .withBatchnorm(true).withDropout(0.2), DType.FLOAT64, new Rng(2))),
                Model.of(new MultiLayerNetExtend(10, List.of(8), 3, MultiLayerNetExtend.Options.defaults()
                        .withDropout(0.4).withDropoutMode(Dropout.Mode.INVERTED), DType.FLOAT32, new Rng(5))),
                Model.of(new SimpleConvNet(new int[] {1, 8, 8}, ConvParam.of(3, 3, 1, 1), 5, 3, 0.3, DType.FLOAT32,
                        new Rng(3))).withContract(DataContract.images(new int[] {1, 8, 8}, List.of("a", "b", "c"),
                        DataContract.ImageFit.RESIZE)),
                Model.of(new DeepConvNet(new int[] {1, 16, 16}, List.of(ConvParam.of(2, 3, 1, 1),
                        ConvParam.of(2, 3, 1, 1), ConvParam.of(2, 3, 1, 1), ConvParam.of(2, 3, 2, 1),
                        ConvParam.of(2, 3, 1, 1), ConvParam.of(2, 3, 1, 1)), 4, 3, DType.FLOAT32, new Rng(4))));
        models.forEach(m -> OnnxTesting.randomize(m.network(), new Rng(6)));
        return models;
    }

    @Test
    @Timeout(300)
    void mutatedFilesGiveAModelOrTheDocumentedError() throws Exception {
        Rng rng = new Rng(2024);
        int rejected = 0;
        int read = 0;
        int index = 0;
        for (Model model : models()) {
            Path original = dir.resolve("original.onnx");
            model.exportOnnx(original);
            byte[] bytes = Files.readAllBytes(original);
            for (int k = 0; k < MUTANTS_PER_MODEL; k++, index++) {
                String how = "";
                byte[] mutant;
                switch (rng.nextInt(6)) {
                    case 0 -> {
                        mutant = bytes.clone();
                        int flips = 1 + rng.nextInt(8);
                        for (int f = 0; f < flips; f++) {
                            int at = rng.nextInt(mutant.length);
                            mutant[at] ^= (byte) (1 << rng.nextInt(8));
                        }
                        how = flips + " bits flipped";
                    }
                    case 1 -> {
                        mutant = bytes.clone();
                        int at = rng.nextInt(mutant.length);
                        int n = 1 + rng.nextInt(16);
                        for (int i = at; i < Math.min(mutant.length, at + n); i++) {
                            mutant[i] = (byte) rng.nextInt(256);
                        }
                        how = n + " bytes overwritten at " + at;
                    }
                    case 2 -> {
                        int at = rng.nextInt(bytes.length);
                        mutant = Arrays.copyOf(bytes, at);
                        how = "cut at " + at;
                    }
                    case 3 -> {
                        int at = rng.nextInt(bytes.length);
                        int n = 1 + rng.nextInt(16);
                        mutant = new byte[bytes.length + n];
                        System.arraycopy(bytes, 0, mutant, 0, at);
                        for (int i = 0; i < n; i++) {
                            mutant[at + i] = (byte) rng.nextInt(256);
                        }
                        System.arraycopy(bytes, at, mutant, at + n, bytes.length - at);
                        how = n + " bytes inserted at " + at;
                    }
                    case 4 -> {
                        // A run of 0xff: varints that declare lengths and sizes far beyond the file.
                        mutant = bytes.clone();
                        int at = rng.nextInt(mutant.length);
                        int n = 1 + rng.nextInt(9);
                        for (int i = at; i < Math.min(mutant.length, at + n); i++) {
                            mutant[i] = (byte) 0xff;
                        }
                        how = n + " bytes of 0xff at " + at;
                    }
                    default -> {
                        // One byte changed by a small amount: a dimension, an attribute or a tag off by a little.
                        mutant = bytes.clone();
                        int at = rng.nextInt(mutant.length);
                        mutant[at] += (byte) (rng.nextInt(5) - 2);
                        how = "byte " + at + " nudged";
                    }
                }
                Path file = dir.resolve("mutant" + index + ".onnx");
                Files.write(file, mutant);
                try {
                    Model m = Model.importOnnx(file);
                    assertTrue(m.network().parameters().totalSize() > 0);
                    read++;
                } catch (FileFormatException e) {
                    String msg = e.getMessage();
                    assertTrue(msg.startsWith(file + ": "), how + ": " + msg);
                    assertFalse(msg.contains("\n"), how + ": " + msg);
                    assertFalse(msg.matches(".*\\b[a-z]+\\.[a-z.]+\\.[A-Z]\\w*(Exception|Error)\\b.*"), how + ": "
                            + msg);
                    rejected++;
                } catch (Throwable t) {
                    Files.copy(file, dir.resolve("failing.onnx"));
                    fail("model " + index / MUTANTS_PER_MODEL + ", " + how + ": " + t, t);
                }
                Files.delete(file);
            }
        }
        assertEquals(5 * MUTANTS_PER_MODEL, read + rejected);
        assertTrue(rejected > MUTANTS_PER_MODEL, "rejected " + rejected);
    }
}
