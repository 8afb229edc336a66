package dev.layerwise.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.train.Evaluation;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** A figure is written as PNG or SVG by its file's extension, and refuses any other. */
class FigureTest {
    @TempDir
    Path dir;

    /** Parses an SVG file as XML, without fetching the DTD its DOCTYPE names. */
    static Document svg(Path file) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(file.toFile());
    }

    /** The text of every {@code <text>} element, in document order. */
    static List<String> texts(Document svg) {
        NodeList nodes = svg.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getTextContent());
        }
        return out;
    }

    /** The number of points of the longest path stroked in {@code rgb}, e.g. {@code rgb(31,119,180)}. */
    static int longestPath(Document svg, String rgb) {
        NodeList paths = svg.getElementsByTagNameNS("http://www.w3.org/2000/svg", "path");
        int longest = 0;
        for (int i = 0; i < paths.getLength(); i++) {
            Element p = (Element) paths.item(i);
            String style = p.getAttribute("style") + ((Element) p.getParentNode()).getAttribute("style");
            if (style.contains("stroke:" + rgb) || style.contains("stroke: " + rgb)) {
                longest = Math.max(longest, p.getAttribute("d").split("[ML]").length - 1);
            }
        }
        return longest;
    }

    private static Figure curves() {
        double[] losses = new double[300];
        for (int i = 0; i < losses.length; i++) {
            losses[i] = 2.3 * Math.exp(-i / 100.0);
        }
        List<Evaluation> evals = List.of(new Evaluation(100, 1, 0.9, 0.7, 0.69, 1),
                new Evaluation(200, 2, 0.3, 0.85, 0.84, 2), new Evaluation(300, 3, 0.1, 0.9, 0.88, 3));
        return Charts.trainingCurves("TwoLayerNet on MNIST", "SGD lr 0.1 & batch <100>, 300 iterations", losses,
                evals);
    }

    @Test
    void anSvgIsXmlWithTheTitlesTheLegendAndTheSeries() throws Exception {
        Path file = dir.resolve("curves.SVG");
        curves().write(file);
        Document doc = svg(file);
        Element root = doc.getDocumentElement();
        assertEquals("svg", root.getLocalName());
        assertEquals("http://www.w3.org/2000/svg", root.getNamespaceURI());
        assertEquals("1200", root.getAttribute("width"));
        List<String> texts = texts(doc);
        for (String t : List.of("TwoLayerNet on MNIST", "SGD lr 0.1 & batch <100>, 300 iterations", "loss",
                "loss (smoothed)", "accuracy", "train acc", "test acc", "epochs")) {
            assertTrue(texts.contains(t), "no text '" + t + "' in " + texts);
        }
        assertTrue(longestPath(doc, "rgb(31,119,180)") >= 300, "the smoothed loss, one point per iteration");
        assertTrue(longestPath(doc, "rgb(255,127,14)") >= 3, "the test accuracy, one point per epoch");
    }

    @Test
    void theExtensionPicksTheFormatInAnyCase() throws Exception {
        assertEquals(Figure.Format.PNG, Figure.Format.of(Path.of("a/curves.png")));
        assertEquals(Figure.Format.PNG, Figure.Format.of(Path.of("curves.PNG")));
        assertEquals(Figure.Format.SVG, Figure.Format.of(Path.of("curves.Svg")));
        for (String name : List.of("curves.jpg", "curves.gif", "curves", "curves.png.txt", ".png", "svg")) {
            assertNull(Figure.Format.of(Path.of(name)), name);
        }
        Path png = dir.resolve("curves.Png");
        curves().write(png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1200, img.getWidth());
        assertEquals(540, img.getHeight());
        assertTrue(Files.readString(dir.resolve("curves.Png"), java.nio.charset.StandardCharsets.ISO_8859_1)
                .startsWith("\u0089PNG"));
    }

    @Test
    void aFormatItCannotWriteIsRefusedAndNoFileIsLeft() throws Exception {
        for (String name : List.of("curves.jpg", "curves.gif", "curves")) {
            Path file = dir.resolve(name);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> curves().write(file));
            assertEquals("cannot write a figure to " + file + ": name a .png or .svg file", e.getMessage());
            assertFalse(Files.exists(file), name);
        }
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "no temporary file either");
        }
    }

    @Test
    void thePngAndTheSvgComeFromTheSameDrawing() throws Exception {
        Figure f = new Figure(40, 30, g -> {
            g.setColor(java.awt.Color.RED);
            g.fillRect(10, 5, 20, 10);
        });
        BufferedImage img = f.toImage();
        assertEquals(0xffffffff, img.getRGB(2, 2), "a white background");
        assertEquals(0xffff0000, img.getRGB(15, 10), "the painter's rectangle");
        String svg = f.toSvg();
        assertTrue(svg.contains("<rect x='0' y='0' width='40' height='30' style='fill:rgb(255,255,255)'/>"), svg);
        assertTrue(svg.contains("<rect x='10' y='5' width='20' height='10' style='fill:rgb(255,0,0)'/>"), svg);
        assertEquals(svg, f.toSvg(), "the same figure gives the same file");
    }
}
