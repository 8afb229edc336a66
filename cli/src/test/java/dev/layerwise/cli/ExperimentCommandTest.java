package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.plot.ExperimentPlots;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code layerwise experiment}: validation, and each experiment end to end on tiny data, shortened. */
class ExperimentCommandTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "foo | unknown experiment 'foo' (expected one of optimizers, weight-init, batchnorm, weight-decay, dropout)",
        "optimizers --epochs 2 | --epochs applies to batchnorm, weight-decay and dropout",
        "dropout --iterations 2 | --iterations applies to optimizers and weight-init",
        "batchnorm --scales 1 | --scales must be at least 2",
        "dropout --scales 4 | --scales applies to batchnorm only",
        "optimizers --eval-sample 10 | --eval-sample applies to weight-decay and dropout only",
        "weight-decay --eval-sample -1 | --eval-sample must be at least 0",
        "weight-init --iterations 0 | --iterations must be at least 1"})
    void badArgumentsAreUsageErrors(String args, String message) {
        String[] argv = ("experiment " + args + " --data " + tmp.resolve("missing")).split(" ");
        CliTesting.Run r = CliTesting.run(argv);
        assertEquals(Main.USAGE, r.exit(), r.err());
        assertTrue(r.err().contains(message), r.err());
    }

    @Test
    void optimizersWritesItsCurvesAndOneJsonObject() throws IOException {
        Path data = CliTesting.tinyMnist(Files.createDirectories(tmp.resolve("mnist")), 200, 50);
        Path out = tmp.resolve("out");
        CliTesting.Run r = CliTesting.run("experiment", "optimizers", "--iterations", "6", "--data", data.toString(),
                "--out", out.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        // Standard output is the one JSON object and nothing else.
        assertEquals("optimizers", JsonOutput.object(r.out()).get("experiment"));
        String json = r.lastLine();
        assertTrue(json.startsWith("{\"experiment\": \"optimizers\", \"final_loss\": {\"sgd\": "), json);
        for (String s : List.of("\"momentum\": ", "\"adagrad\": ", "\"adam\": ", "\"test_accuracy\": {",
                "\"iterations\": 6", "\"total_seconds\": ")) {
            assertTrue(json.contains(s), json + " lacks " + s);
        }
        List<String> csv = Files.readAllLines(out.resolve("optimizers-loss.csv"));
        assertEquals("iteration,sgd,momentum,adagrad,adam", csv.get(0));
        assertEquals(7, csv.size());
        assertTrue(csv.get(6).startsWith("6,"), csv.get(6));
        // With --json, what people read is on standard error.
        assertTrue(r.err().contains("wrote " + out.resolve("optimizers-loss.csv")), r.err());
    }

    @Test
    void everyExperimentRunsShortened() throws IOException {
        Path data = CliTesting.tinyMnist(tmp, 200, 40);
        String[][] runs = {
            {"weight-init", "--iterations", "3"},
            {"batchnorm", "--epochs", "1", "--scales", "2"},
            {"weight-decay", "--epochs", "2", "--eval-sample", "0"},
            {"dropout", "--epochs", "2"}};
        String[] expectedKeys = {"\"final_loss\": {\"std=0.01\": ", "\"batchnorm_faster\": ",
            "\"gap\": {\"none\": ", "\"gap\": {\"none\": "};
        for (int i = 0; i < runs.length; i++) {
            String[] args = new String[runs[i].length + 5];
            args[0] = "experiment";
            System.arraycopy(runs[i], 0, args, 1, runs[i].length);
            args[runs[i].length + 1] = "--data";
            args[runs[i].length + 2] = data.toString();
            args[runs[i].length + 3] = "--json";
            args[runs[i].length + 4] = "-q";
            CliTesting.Run r = CliTesting.run(args);
            assertEquals(0, r.exit(), r.err());
            String json = r.lastLine();
            assertTrue(json.startsWith("{\"experiment\": \"" + runs[i][0] + "\""), json);
            assertTrue(json.contains(expectedKeys[i]), json);
        }
    }

    @Test
    void aBadPlotPathIsAUsageErrorBeforeAnyDataIsRead() throws IOException {
        Path existingDir = Files.createDirectories(tmp.resolve("plots"));
        Path aFile = Files.writeString(tmp.resolve("file.txt"), "x");
        String[][] cases = {
            {tmp.resolve("curves.txt").toString(), "--plot must name a .png or .svg file, got '" + tmp.resolve("curves.txt")},
            {tmp.resolve("no-such-dir").resolve("curves.png").toString(),
                "no such directory " + tmp.resolve("no-such-dir") + " (--plot)"},
            {existingDir.toString(), "--plot " + existingDir + " is a directory"},
            {aFile.resolve("curves.png").toString(), aFile + " is not a directory (--plot)"}};
        for (String[] c : cases) {
            CliTesting.Run r = CliTesting.run("experiment", "optimizers", "--plot", c[0], "--data",
                    tmp.resolve("missing").toString());
            assertEquals(Main.USAGE, r.exit(), r.err());
            assertTrue(r.err().contains(c[1]), r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        }
    }

    @Test
    void plotWritesTheFigureAndLeavesTheJsonAsItWas() throws IOException {
        Path data = CliTesting.tinyMnist(Files.createDirectories(tmp.resolve("mnist")), 200, 40);
        Path png = tmp.resolve("weight-decay.PNG");
        String[] base = {"experiment", "weight-decay", "--epochs", "2", "--data", data.toString(), "--json"};
        CliTesting.Run without = CliTesting.run(base);
        String[] withPlot = java.util.Arrays.copyOf(base, base.length + 2);
        withPlot[base.length] = "--plot";
        withPlot[base.length + 1] = png.toString();
        CliTesting.Run with = CliTesting.run(withPlot);
        assertEquals(0, with.exit(), with.err());
        assertTrue(with.err().contains("wrote " + png + "\n"), with.err());
        String timeless = "\"total_seconds\": [0-9.eE-]+";
        assertEquals(without.lastLine().replaceAll(timeless, ""), with.lastLine().replaceAll(timeless, ""),
                "the same JSON object, with or without --plot");
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(ExperimentPlots.WIDTH, img.getWidth());
        assertEquals(ExperimentPlots.height("weight-decay", 0), img.getHeight());
    }

    /** --out DIR is made when missing, but never its parent: a missing parent is most often a mistyped path. */
    @Test
    void aBadOutDirectoryIsAUsageErrorBeforeAnyDataIsReadAndNothingIsCreated() throws IOException {
        Path aFile = Files.writeString(tmp.resolve("file.txt"), "x");
        Path missing = tmp.resolve("no-such-dir");
        String[][] cases = {
            {missing.resolve("out").toString(), "cannot create " + missing.resolve("out") + ": no such directory "
                    + missing + " (--out)"},
            {aFile.toString(), "cannot write into " + aFile + ": it is a file, not a directory (--out)"}};
        for (String[] c : cases) {
            CliTesting.Run r = CliTesting.run("experiment", "optimizers", "--out", c[0], "--data",
                    tmp.resolve("missing").toString());
            assertEquals(Main.USAGE, r.exit(), r.err());
            assertTrue(r.err().contains(c[1]), r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        }
        assertTrue(!Files.exists(missing), "the missing parent was created");
    }
}
