package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.model.Model;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What train prints and writes: progress, quiet and JSON output, plots, logs, saves, checkpoints and resume. */
class TrainOutputTest {
    @TempDir
    Path tmp;
    private Path data;

    @BeforeEach
    void data() throws IOException {
        data = CliTesting.tinyMnist(Files.createDirectories(tmp.resolve("mnist")), 300, 60);
    }

    private CliTesting.Run train(String... args) {
        return CliTesting.train(data, args);
    }

    @Test
    void aProgressBarOnATerminalAndPlainLinesOtherwise() {
        CliTesting.Run bar = train("--iterations", "12", "--batch-size", "50", "--progress", "always");
        assertEquals(0, bar.exit(), bar.err());
        assertTrue(bar.out().contains("\r") && bar.out().contains("it/s") && bar.out().contains("ETA"), bar.out());
        CliTesting.Run plain = train("--iterations", "12", "--batch-size", "50", "--progress", "never");
        assertFalse(plain.out().contains("\r"), plain.out());
        assertTrue(plain.out().contains("epoch  1.00  iteration      6"), plain.out());
        String before = System.getProperty(Terminal.PROPERTY);
        try {
            System.setProperty(Terminal.PROPERTY, "true");
            assertTrue(train("--iterations", "12", "--batch-size", "50").out().contains("\r"),
                    "auto draws the bar when the launcher says standard output is a terminal");
            System.setProperty(Terminal.PROPERTY, "false");
            assertFalse(train("--iterations", "12", "--batch-size", "50").out().contains("\r"),
                    "and not in a pipe");
        } finally {
            if (before == null) {
                System.clearProperty(Terminal.PROPERTY);
            } else {
                System.setProperty(Terminal.PROPERTY, before);
            }
        }
    }

    @Test
    void quietPrintsTheSummaryOnlyAndJsonEndsTheOutput() {
        CliTesting.Run quiet = train("--iterations", "12", "--batch-size", "50", "-q");
        assertEquals(0, quiet.exit(), quiet.err());
        List<String> lines = quiet.out().lines().toList();
        assertEquals(1, lines.size(), quiet.out());
        assertTrue(lines.get(0).matches("test accuracy 0\\.\\d{4}, train accuracy 0\\.\\d{4}, 12 iterations in "
                + "\\d+\\.\\d s \\([\\d,]+ samples/s\\)"), lines.get(0));
        CliTesting.Run both = train("--iterations", "12", "--batch-size", "50", "-q", "--json");
        assertEquals(0, both.exit(), both.err());
        Map<?, ?> summary = jsonObject(both.out());
        for (String key : List.of("test_accuracy", "train_accuracy", "iterations", "seconds", "samples_per_second")) {
            assertTrue(summary.get(key) instanceof Number, key + " in " + both.out());
        }
        assertEquals(12L, summary.get("iterations"));
        assertTrue(summary.containsKey("validation_accuracy") && summary.get("validation_accuracy") == null,
                "no validation split: " + both.out());
        assertTrue(both.err().lines().anyMatch(l -> l.startsWith("test accuracy 0.")),
                "the summary line for people goes to standard error: " + both.err());
        CliTesting.Run json = train("--iterations", "12", "--batch-size", "50", "--json", "--progress", "always");
        assertEquals(0, json.exit(), json.err());
        assertEquals(12L, jsonObject(json.out()).get("iterations"), "standard output is one JSON object only");
        assertTrue(json.err().contains("epoch  1.00  iteration      6") && json.err().contains("two-layer 784-50-10"),
                "the epoch lines and the header go to standard error: " + json.err());
        assertTrue(json.err().contains("it/s"), "as the progress bar, when asked for: " + json.err());
    }

    /** Standard output parsed whole, strictly, as one JSON object (what {@code json.load(sys.stdin)} does). */
    static Map<?, ?> jsonObject(String stdout) {
        try {
            Object value = dev.layerwise.io.Json.parse(stdout.strip(), "standard output");
            assertTrue(value instanceof Map, stdout);
            assertEquals(1, stdout.strip().lines().count(), "one line: " + stdout);
            return (Map<?, ?>) value;
        } catch (dev.layerwise.io.FileFormatException e) {
            throw new AssertionError("standard output is not JSON: " + e.getMessage() + "\n" + stdout, e);
        }
    }

    @Test
    void plotAndLogRecordTheRun() throws IOException {
        Path png = tmp.resolve("curves.png");
        Path csv = tmp.resolve("run.csv");
        CliTesting.Run r = train("--iterations", "30", "--batch-size", "30", "--plot", png.toString(), "--log",
                csv.toString());
        assertEquals(0, r.exit(), r.err());
        BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(img.getWidth() > 600 && img.getHeight() > 300);
        assertTrue(inked(img, 0, 60, img.getWidth() / 2) > 0.02, "the loss panel");
        assertTrue(inked(img, img.getWidth() / 2, 60, img.getWidth()) > 0.02, "the accuracy panel");
        List<String> rows = Files.readAllLines(csv);
        assertEquals(TrainingLog.CSV_HEADER, rows.get(0));
        assertEquals(4, rows.size(), "three epochs of 10 steps, one row each: " + rows);
        assertTrue(rows.get(1).startsWith("10,1.0,"), rows.get(1));
        Path jsonl = tmp.resolve("run.jsonl");
        train("--iterations", "20", "--batch-size", "30", "--log", jsonl.toString());
        List<String> lines = Files.readAllLines(jsonl);
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).startsWith("{\"iteration\": 10, \"epoch\": 1.0, \"loss\": "), lines.get(0));
    }

    static double inked(BufferedImage img, int x0, int y0, int x1) {
        int bg = img.getRGB(x0 + 2, y0 + 2);
        long n = 0;
        long inked = 0;
        for (int y = y0; y < img.getHeight(); y++) {
            for (int x = x0; x < x1; x++) {
                n++;
                inked += img.getRGB(x, y) != bg ? 1 : 0;
            }
        }
        return (double) inked / n;
    }

    @Test
    void aResumedRunEndsBitForBitWhereAnUninterruptedOneEnds() throws IOException {
        String[] run = {"--arch", "mlp", "--hidden", "30,20", "--batchnorm", "--dropout", "0.2", "--optimizer",
            "adam", "--sampling", "shuffle", "--batch-size", "40", "--seed", "5"};
        Path straight = tmp.resolve("straight.lw");
        Path halves = tmp.resolve("halves.lw");
        CliTesting.Run one = train(concat(run, "--iterations", "30", "--save", straight.toString(), "--json"));
        assertEquals(0, one.exit(), one.err());
        CliTesting.Run first = train(concat(run, "--iterations", "13", "--save", halves.toString()));
        assertEquals(0, first.exit(), first.err());
        CliTesting.Run second = train("--resume", halves.toString(), "--iterations", "30", "--json");
        assertEquals(0, second.exit(), second.err());
        assertTrue(second.err().startsWith("resuming " + halves + " at iteration 13"), second.err());
        double[] a = Model.load(straight).network().parameters().flatValues().toDoubleArray();
        double[] b = Model.load(halves).network().parameters().flatValues().toDoubleArray();
        assertArrayEquals(a, b, "the resumed run's parameters, saved back into the resumed file");
        assertEquals(field(one.lastLine(), "final_loss"), field(second.lastLine(), "final_loss"));
        assertEquals(field(one.lastLine(), "test_accuracy"), field(second.lastLine(), "test_accuracy"));
    }

    @Test
    void checkpointsSurviveAFailedRunAndResumeRefusesNewSettings() throws IOException {
        Path file = tmp.resolve("ckpt.lw");
        // A learning rate so large that the run diverges, but only after a few steps, so that checkpoints were
        // written before the failure: the first rate of these that does so is used.
        int divergedAt = -1;
        for (String lr : List.of("1e4", "1e6", "1e8", "1e10", "1e12", "1e14", "1e16", "1e18", "1e20")) {
            Files.deleteIfExists(file);
            CliTesting.Run diverging = train("--iterations", "300", "--batch-size", "30", "--lr", lr,
                    "--weight-init-std", "0.5", "--save", file.toString(), "--checkpoint-every", "2");
            if (diverging.exit() == Main.FAILURE) {
                assertTrue(diverging.err().contains("diverged"), diverging.err());
                assertEquals(1, diverging.err().strip().lines().count(), diverging.err());
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("at iteration (\\d+)")
                        .matcher(diverging.err());
                assertTrue(m.find(), diverging.err());
                divergedAt = Integer.parseInt(m.group(1));
                if (divergedAt >= 3) {
                    break;
                }
            }
        }
        assertTrue(divergedAt >= 3, "no rate diverged after a checkpoint: " + divergedAt);
        Model saved = Model.load(file);
        assertEquals((divergedAt - 1) / 2 * 2, ((Number) saved.training().meta().get("iteration")).intValue(),
                "the last checkpoint before the failure at iteration " + divergedAt);
        byte[] before = Files.readAllBytes(file);
        CliTesting.Run again = train("--iterations", "300", "--batch-size", "30", "--lr", "1e30", "--save",
                file.toString());
        assertEquals(Main.FAILURE, again.exit());
        assertArrayEquals(before, Files.readAllBytes(file), "a failed run leaves the saved model intact");

        Path ok = tmp.resolve("ok.lw");
        train("--iterations", "10", "--batch-size", "30", "--save", ok.toString());
        CliTesting.Run changed = train("--resume", ok.toString(), "--iterations", "20", "--lr", "0.5");
        assertEquals(Main.USAGE, changed.exit());
        assertTrue(changed.err().contains("--lr cannot be changed when resuming"), changed.err());
        CliTesting.Run done = train("--resume", ok.toString(), "--iterations", "10");
        assertEquals(Main.USAGE, done.exit());
        assertTrue(done.err().contains("has done 10 iterations"), done.err());
        CliTesting.Run noSave = train("--iterations", "10", "--checkpoint-every", "2");
        assertEquals(Main.USAGE, noSave.exit());
        assertTrue(noSave.err().contains("--checkpoint-every needs --save"), noSave.err());
        Path bare = tmp.resolve("bare.lw");
        Model.of(Model.load(ok).network()).save(bare);
        CliTesting.Run noState = train("--resume", bare.toString());
        assertEquals(Main.FAILURE, noState.exit());
        assertTrue(noState.err().contains("holds no training state"), noState.err());
        assertEquals(1, noState.err().strip().lines().count(), noState.err());
    }

    private static String field(String json, String key) {
        int at = json.indexOf("\"" + key + "\": ") + key.length() + 4;
        int end = json.indexOf(',', at);
        return json.substring(at, end);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
