package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.data.DataContract;
import dev.layerwise.model.Model;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.tensor.DType;
import dev.layerwise.testing.TestImages;
import dev.layerwise.util.Rng;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code layerwise predict} as scripts use it: every input reported (one bad file does not cost the others; exit 1
 * at the end), light backgrounds inverted automatically, JSON Lines and CSV on standard output, standard input.
 */
class PredictCommandTest {
    @TempDir
    static Path tmp;

    static Path digits;
    static Path good;
    static Path corrupt;
    static Path missing;
    static Path light;

    @BeforeAll
    static void aModelAndImages() throws IOException {
        digits = tmp.resolve("digits.lw");
        Model.of(new TwoLayerNet(784, 10, 10, 0.1, DType.FLOAT32, new Rng(1))).save(digits);
        good = TestImages.write(chalkOnSlate(), "png", tmp.resolve("good.png"));
        corrupt = TestImages.truncate(TestImages.write(TestImages.rgb(40, 40, 3), "bmp", tmp.resolve("cut.bmp")),
                100);
        missing = tmp.resolve("missing.png");
        light = TestImages.write(penOnPaper(), "png", tmp.resolve("pen.png"));
    }

    /** A light stroke on black, 28×28: MNIST's own polarity. */
    static BufferedImage chalkOnSlate() {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 6; y < 22; y++) {
            for (int x = 12; x < 16; x++) {
                img.getRaster().setSample(x + (y - 6) / 4, y, 0, 250);
            }
        }
        return img;
    }

    /** A dark stroke on a white page, larger than MNIST's 28×28: the inverse of MNIST's polarity. */
    static BufferedImage penOnPaper() {
        BufferedImage img = new BufferedImage(60, 50, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 60, 50);
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(6));
        g.drawLine(20, 10, 40, 40);
        g.dispose();
        return img;
    }

    private static CliTesting.Run predict(String... args) {
        List<String> argv = new ArrayList<>(List.of("predict", "--model", digits.toString()));
        argv.addAll(List.of(args));
        return CliTesting.run(argv.toArray(new String[0]));
    }

    private static CliTesting.Run withInput(byte[] stdin, String... args) {
        InputStream before = System.in;
        System.setIn(new ByteArrayInputStream(stdin));
        try {
            return CliTesting.run(args);
        } finally {
            System.setIn(before);
        }
    }

    private static List<?> probabilities(Map<?, ?> line) {
        return List.copyOf(((Map<?, ?>) line.get("probabilities")).values());
    }

    @Test
    void oneBadFileDoesNotCostTheOthersAndTheExitCodeSaysSo() {
        CliTesting.Run r = predict(good.toString(), corrupt.toString(), missing.toString(), good.toString());
        assertEquals(Main.FAILURE, r.exit(), r.err());
        List<String> out = r.out().lines().toList();
        assertEquals(2, out.size(), r.out());
        assertTrue(out.get(0).startsWith(good + ": "), out.get(0));
        assertTrue(out.get(1).startsWith(good + ": "), out.get(1));
        List<String> err = r.err().lines().toList();
        assertEquals(3, err.size(), r.err());
        assertTrue(err.get(0).startsWith("layerwise predict: error: " + corrupt + ": truncated bmp image"), err.get(0));
        assertEquals("layerwise predict: error: no such image: " + missing, err.get(1));
        assertEquals("layerwise predict: 2 of 4 inputs could not be read", err.get(2));
        assertTrue(predict(good.toString()).exit() == 0);
    }

    @Test
    void jsonIsOneObjectPerInputInOrderWithTheClassOrTheError() throws IOException {
        CliTesting.Run r = predict("--json", good.toString(), corrupt.toString(), missing.toString());
        assertEquals(Main.FAILURE, r.exit(), r.err());
        List<Map<?, ?>> lines = JsonOutput.lines(r.out());
        assertEquals(3, lines.size(), r.out());
        Map<?, ?> first = lines.get(0);
        assertEquals(good.toString(), first.get("file"));
        int c = ((Number) first.get("class")).intValue();
        assertEquals(Integer.toString(c), first.get("class_name"));
        assertEquals(c, ((Number) first.get("prediction")).intValue());
        assertEquals(false, first.get("inverted"));
        double sum = 0;
        for (Object p : probabilities(first)) {
            sum += ((Number) p).doubleValue();
        }
        assertEquals(1.0, sum, 1e-5);
        assertEquals(10, probabilities(first).size());
        assertEquals(corrupt.toString(), lines.get(1).get("file"));
        assertTrue(((String) lines.get(1).get("error")).startsWith(corrupt + ": truncated bmp image"), r.out());
        assertFalse(lines.get(1).containsKey("class"), r.out());
        assertEquals("no such image: " + missing, lines.get(2).get("error"));
        // --format json is the same output.
        assertEquals(r.out(), predict("--format", "json", good.toString(), corrupt.toString(), missing.toString())
                .out());
    }

    @Test
    void csvIsAHeaderAndARowPerInput() {
        CliTesting.Run r = predict("--format", "csv", good.toString(), missing.toString());
        assertEquals(Main.FAILURE, r.exit(), r.err());
        List<String> rows = r.out().lines().toList();
        assertEquals(3, rows.size(), r.out());
        assertEquals("file,class,class_name,probability,p_0,p_1,p_2,p_3,p_4,p_5,p_6,p_7,p_8,p_9,error", rows.get(0));
        String[] ok = rows.get(1).split(",", -1);
        assertEquals(15, ok.length, rows.get(1));
        assertEquals(good.toString(), ok[0]);
        int c = Integer.parseInt(ok[1]);
        assertEquals(ok[2], ok[1]);
        assertEquals(Double.parseDouble(ok[3]), Double.parseDouble(ok[4 + c]));
        assertEquals("", ok[14]);
        String[] bad = rows.get(2).split(",", -1);
        assertEquals(15, bad.length, rows.get(2));
        assertEquals(missing.toString(), bad[0]);
        assertEquals("", bad[1]);
        assertEquals("no such image: " + missing, bad[14]);
        assertTrue(r.err().contains("layerwise predict: error: no such image: " + missing), r.err());
    }

    @Test
    void csvCellsWithCommasAndQuotesAreQuoted() {
        assertEquals("a,\"b,c\",\"say \"\"hi\"\"\",", PredictCommand.csvLine(List.of("a", "b,c", "say \"hi\"", "")));
    }

    @Test
    void aLightBackgroundIsInvertedWithANoteUnlessAskedNotTo() throws IOException {
        CliTesting.Run auto = predict("--json", light.toString());
        assertEquals(0, auto.exit(), auto.err());
        Map<?, ?> a = JsonOutput.lines(auto.out()).get(0);
        assertEquals(true, a.get("inverted"));
        assertEquals("layerwise predict: " + light + " has a light background: inverted it to read a dark digit on "
                + "light (--no-auto-invert reads it as it is)", auto.err().strip());
        // Exactly what --invert reads.
        CliTesting.Run asked = predict("--json", "--invert", light.toString());
        assertEquals(auto.out(), asked.out());
        assertEquals("", asked.err());

        CliTesting.Run off = predict("--json", "--no-auto-invert", light.toString());
        assertEquals(0, off.exit(), off.err());
        Map<?, ?> o = JsonOutput.lines(off.out()).get(0);
        assertEquals(false, o.get("inverted"));
        assertFalse(probabilities(o).equals(probabilities(a)), "read as it is, not inverted");
        assertTrue(off.err().contains(light + " has a light background: read as it is"), off.err());

        // MNIST's own polarity is left alone, without a note.
        CliTesting.Run dark = predict("--json", good.toString());
        assertEquals(false, JsonOutput.lines(dark.out()).get(0).get("inverted"));
        assertEquals("", dark.err());
    }

    @Test
    void anImageFromStandardInputIsReadAsItsFileIs() throws IOException {
        CliTesting.Run fromFile = predict("--json", good.toString());
        CliTesting.Run fromStdin = withInput(Files.readAllBytes(good), "predict", "--model", digits.toString(),
                "--json", "-", missing.toString());
        assertEquals(Main.FAILURE, fromStdin.exit(), fromStdin.err());
        List<Map<?, ?>> lines = JsonOutput.lines(fromStdin.out());
        assertEquals("-", lines.get(0).get("file"));
        assertEquals(probabilities(JsonOutput.lines(fromFile.out()).get(0)), probabilities(lines.get(0)));
        assertEquals(missing.toString(), lines.get(1).get("file"));

        CliTesting.Run garbage = withInput("not an image".getBytes(StandardCharsets.UTF_8), "predict", "--model",
                digits.toString(), "-");
        assertEquals(Main.FAILURE, garbage.exit(), garbage.err());
        assertTrue(garbage.err().startsWith("layerwise predict: error: standard input: "), garbage.err());
        assertFalse(garbage.err().contains(".tmp"), "the temporary copy is not named: " + garbage.err());
        assertEquals(1, garbage.err().strip().lines().count(), garbage.err());
    }

    @Test
    void tableRowsFromStandardInputAsCsvAndJsonLines() throws IOException {
        Path iris = tmp.resolve("iris.csv");
        try (InputStream in = PredictCommandTest.class.getResourceAsStream("/iris.csv")) {
            Files.copy(in, iris);
        }
        Path model = tmp.resolve("iris.lw");
        CliTesting.Run train = CliTesting.run("train", "--csv", iris.toString(), "--label", "species", "--arch",
                "mlp", "--epochs", "1", "--save", model.toString());
        assertEquals(0, train.exit(), train.err());
        byte[] rows = "petal_width,petal_length,sepal_width,sepal_length\n0.2,1.4,3.5,5.1\n2.3,5.4,3.1,6.9\n"
                .getBytes(StandardCharsets.UTF_8);
        CliTesting.Run json = withInput(rows, "predict", "--model", model.toString(), "--csv", "-", "--json");
        assertEquals(0, json.exit(), json.err());
        List<Map<?, ?>> lines = JsonOutput.lines(json.out());
        assertEquals(2, lines.size(), json.out());
        for (int i = 0; i < 2; i++) {
            assertEquals("-", lines.get(i).get("file"));
            assertEquals(i + 1, ((Number) lines.get(i).get("row")).intValue());
            assertTrue(List.of("setosa", "versicolor", "virginica").contains(lines.get(i).get("class_name")),
                    json.out());
        }
        CliTesting.Run csv = withInput(rows, "predict", "--model", model.toString(), "--csv", "-", "--format",
                "csv");
        assertEquals(0, csv.exit(), csv.err());
        List<String> table = csv.out().lines().toList();
        assertTrue(table.get(0).startsWith("file,row,class,class_name,probability,p_"), table.get(0));
        assertEquals(3, table.size(), csv.out());
        assertTrue(table.get(1).startsWith("-,1," + lines.get(0).get("class") + "," + lines.get(0).get("class_name")
                + ","), table.get(1));

        CliTesting.Run broken = withInput("sepal_length\nabc\n".getBytes(StandardCharsets.UTF_8), "predict",
                "--model", model.toString(), "--csv", "-", "--json");
        assertEquals(Main.FAILURE, broken.exit(), broken.err());
        Map<?, ?> error = JsonOutput.lines(broken.out()).get(0);
        assertEquals("-", error.get("file"));
        assertTrue(((String) error.get("error")).startsWith("standard input"), broken.out());
        assertFalse(broken.out().contains(".tmp") || broken.err().contains(".tmp"), broken.err());
    }

    @Test
    void conflictingOptionsAreUsageErrors() throws IOException {
        Path resize = tmp.resolve("resize.lw");
        Model.of(new TwoLayerNet(256, 10, 3, 0.01, DType.FLOAT32, new Rng(1)))
                .withContract(DataContract.images(new int[] {1, 16, 16}, List.of("x", "y", "z"),
                        DataContract.ImageFit.RESIZE)).save(resize);
        String[][] cases = {
            {"--json|--format|csv|IMG", "--json is --format json: give one of them"},
            {"--format|xml|IMG", "--format"},
            {"-|-", "standard input (-) can be given once"}};
        for (String[] c : cases) {
            CliTesting.Run r = predict(c[0].replace("IMG", good.toString()).split("\\|"));
            assertEquals(Main.USAGE, r.exit(), r.err());
            assertTrue(r.err().contains(c[1]), r.err());
            assertEquals("", r.out());
        }
        CliTesting.Run r = CliTesting.run("predict", "--model", resize.toString(), "--no-auto-invert",
                good.toString());
        assertEquals(Main.USAGE, r.exit(), r.err());
        assertTrue(r.err().contains("--no-auto-invert applies to models of MNIST's digits"), r.err());
    }
}
