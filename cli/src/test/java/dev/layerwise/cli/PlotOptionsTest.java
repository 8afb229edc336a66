package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.plot.ExperimentPlots;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * The figures the commands write: {@code --plot} as PNG or SVG by the file's extension, anything else refused before
 * any work; {@code experiment --out} with its figure; {@code visualize --out} as PNG only.
 */
class PlotOptionsTest {
    @TempDir
    Path tmp;
    private Path data;

    @BeforeEach
    void data() throws IOException {
        data = CliTesting.tinyMnist(Files.createDirectories(tmp.resolve("mnist")), 300, 60);
    }

    /** The SVG file parsed (without fetching the DTD its DOCTYPE names): its root must be {@code <svg>}. */
    private static Document svg(Path file) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = f.newDocumentBuilder().parse(file.toFile());
        assertEquals("svg", doc.getDocumentElement().getLocalName(), file + ": the root");
        assertEquals("http://www.w3.org/2000/svg", doc.getDocumentElement().getNamespaceURI());
        return doc;
    }

    private static List<String> texts(Document svg) {
        NodeList nodes = svg.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getTextContent());
        }
        return out;
    }

    @Test
    void trainWritesAnSvgWhoseTitlesSayWhatWasRun() throws Exception {
        Path file = tmp.resolve("curves.svg");
        CliTesting.Run r = CliTesting.run("train", "--data", data.toString(), "--epochs", "1", "--batch-size", "30",
                "--seed", "4", "--plot", file.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("wrote " + file + "\n"), r.out());
        List<String> texts = texts(svg(file));
        assertTrue(texts.contains("two-layer on MNIST"), texts.toString());
        assertTrue(texts.contains("two-layer 784-50-10 (float32), SGD lr 0.1, batch 30, 10 iterations (1.0 epochs of "
                + "300 images), seed 4"), texts.toString());
        for (String t : List.of("loss", "loss (smoothed)", "train acc", "test acc", "epochs", "iteration")) {
            assertTrue(texts.contains(t), t + " in " + texts);
        }
        assertFalse(texts.contains("1E0"), "the epoch axis of a one-epoch run: " + texts);
        assertTrue(texts.contains("0") && texts.contains("1"), "epochs 0 and 1 on the axis: " + texts);
    }

    @Test
    void trainWritesAPngOfAOneEpochRun() throws IOException {
        Path png = tmp.resolve("curves.PNG");
        CliTesting.Run r = CliTesting.run("train", "--data", data.toString(), "--epochs", "1", "--batch-size", "30",
                "--plot", png.toString());
        assertEquals(0, r.exit(), r.err());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1200, img.getWidth());
        assertEquals(540, img.getHeight(), "the title, the line saying what was run, the panels");
    }

    @Test
    void aPlotFileOfAnotherFormatIsRefusedBeforeTraining() {
        for (String name : List.of("curves.jpg", "curves.gif", "curves", "curves.png.bak")) {
            Path file = tmp.resolve(name);
            CliTesting.Run r = CliTesting.run("train", "--data", data.toString(), "--epochs", "1", "--plot",
                    file.toString());
            assertEquals(Main.USAGE, r.exit(), r.err());
            assertTrue(r.err().contains("train: --plot must name a .png or .svg file, got '" + file + "'"), r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
            assertEquals("", r.out(), "nothing trained, nothing printed");
            assertFalse(Files.exists(file), name);
        }
    }

    @Test
    void experimentPlotRefusesAnotherFormatAndWritesSvg() throws Exception {
        Path jpg = tmp.resolve("f.jpg");
        CliTesting.Run refused = CliTesting.run("experiment", "dropout", "--epochs", "2", "--data", data.toString(),
                "--plot", jpg.toString());
        assertEquals(Main.USAGE, refused.exit(), refused.err());
        assertTrue(refused.err().contains("--plot must name a .png or .svg file, got '" + jpg + "'"), refused.err());
        assertEquals("", refused.out());

        Path file = tmp.resolve("dropout.svg");
        CliTesting.Run r = CliTesting.run("experiment", "dropout", "--epochs", "2", "--seed", "5", "--data",
                data.toString(), "--plot", file.toString(), "-q");
        assertEquals(0, r.exit(), r.err());
        List<String> texts = texts(svg(file));
        assertTrue(texts.contains("Overfitting on 300 training images: accuracy per epoch, without and with dropout"),
                texts.toString());
        assertTrue(texts.stream().anyMatch(t -> t.startsWith("experiment dropout: ") && t.contains("2 epochs")
                && t.endsWith("; seed 5, float32")), texts.toString());
        for (String t : List.of("without dropout", "with dropout", "train")) {
            assertTrue(texts.contains(t), t + " in " + texts);
        }
    }

    @Test
    void experimentOutWritesTheFigureBesideTheCsv() throws IOException {
        Path out = tmp.resolve("results");
        CliTesting.Run r = CliTesting.run("experiment", "optimizers", "--iterations", "6", "--data", data.toString(),
                "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        Path png = out.resolve("optimizers.png");
        assertTrue(r.out().contains("wrote " + out.resolve("optimizers-loss.csv") + "\n"), r.out());
        assertTrue(r.out().contains("wrote " + png + "\n"), r.out());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(ExperimentPlots.WIDTH, img.getWidth());
        assertEquals(ExperimentPlots.height("optimizers", 0), img.getHeight());
        assertTrue(Files.exists(out.resolve("optimizers-loss.csv")));
    }

    @Test
    void visualizeWritesPngOnlyAndSaysSoBeforeReadingTheModel() {
        String missing = tmp.resolve("missing.lw").toString();
        for (String name : List.of("filters.svg", "filters.jpg", "filters")) {
            Path file = tmp.resolve(name);
            for (String sub : List.of("filters", "misclassified")) {
                CliTesting.Run r = sub.equals("filters")
                        ? CliTesting.run("visualize", sub, "--model", missing, "--out", file.toString())
                        : CliTesting.run("visualize", sub, "--model", missing, "--out", file.toString(), "--data",
                        data.toString());
                assertEquals(Main.USAGE, r.exit(), r.err());
                assertTrue(r.err().contains(sub + ": --out must name a .png file, got '" + file + "'"), r.err());
                assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
                assertFalse(Files.exists(file), name);
            }
        }
    }
}
