package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.model.Model;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.tensor.DType;
import dev.layerwise.util.Rng;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code --json}, standard output carries JSON only, read here as a script reads it (strictly, all of it), and
 * what people read goes to standard error: eval and gradcheck write one object (experiment's object and bench's JSON
 * Lines are read so in their own tests).
 */
class JsonStdoutTest {
    @TempDir
    static Path tmp;

    static Path data;
    static Path model;

    @BeforeAll
    static void tinyDataAndAModel() throws IOException {
        data = CliTesting.tinyMnist(Files.createDirectories(tmp.resolve("mnist")), 30, 20);
        model = tmp.resolve("digits.lw");
        Model.of(new TwoLayerNet(784, 10, 10, 0.01, DType.FLOAT32, new Rng(1))).save(model);
    }

    @Test
    void evalWritesOneObjectAndItsReportToStandardError() throws IOException {
        CliTesting.Run r = CliTesting.run("eval", "--model", model.toString(), "--data", data.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        Map<?, ?> o = JsonOutput.object(r.out());
        assertEquals(20, ((Number) o.get("images")).intValue());
        assertEquals(10, ((List<?>) o.get("confusion")).size());
        double accuracy = ((Number) o.get("test_accuracy")).doubleValue();
        assertTrue(r.err().contains(String.format(java.util.Locale.ROOT, "accuracy %.4f", accuracy)), r.err());
        assertTrue(r.err().contains("confusion matrix"), r.err());
        // Without --json the report is standard output, as before.
        CliTesting.Run text = CliTesting.run("eval", "--model", model.toString(), "--data", data.toString());
        assertTrue(text.out().contains("confusion matrix"), text.out());
    }

    @Test
    void gradcheckWritesOneEntryPerParameterWithItsError() throws IOException {
        CliTesting.Run r = CliTesting.run("gradcheck", "--data", data.toString(), "--images", "2", "--hidden", "4",
                "--json");
        assertEquals(0, r.exit(), r.err());
        Map<?, ?> o = JsonOutput.object(r.out());
        List<?> params = (List<?>) o.get("parameters");
        assertEquals(List.of("W1", "b1", "W2", "b2"), params.stream().map(p -> ((Map<?, ?>) p).get("name")).toList());
        for (Object p : params) {
            Map<?, ?> e = (Map<?, ?>) p;
            double mean = ((Number) e.get("mean_abs_diff")).doubleValue();
            assertTrue(mean >= 0 && mean < 1e-6, e.toString());
            assertTrue(((Number) e.get("max_rel_error")).doubleValue() >= 0, e.toString());
            assertEquals(true, e.get("ok"));
            // The same figure as the line for people, now on standard error.
            assertTrue(r.err().contains(e.get("name") + ":"), r.err());
        }
        assertEquals(784 * 4, ((Number) ((Map<?, ?>) params.get(0)).get("size")).intValue());
        assertEquals(true, o.get("ok"));
    }

    @Test
    void gradcheckJsonSaysWhichParameterFailsAndExitsOne() throws IOException {
        CliTesting.Run r = CliTesting.run("gradcheck", "--data", data.toString(), "--images", "2", "--hidden", "4",
                "--tolerance", "0", "--json");
        assertEquals(Main.FAILURE, r.exit(), r.err());
        Map<?, ?> o = JsonOutput.object(r.out());
        assertEquals(false, o.get("ok"));
        assertTrue(((List<?>) o.get("parameters")).stream().anyMatch(p -> ((Map<?, ?>) p).get("ok").equals(false)),
                r.out());
        assertTrue(r.err().contains("FAILED"), r.err());
    }
}
