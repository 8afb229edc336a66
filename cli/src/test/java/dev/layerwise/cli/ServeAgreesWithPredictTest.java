package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.layerwise.data.DataContract;
import dev.layerwise.model.Model;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.serve.ServeOptions;
import dev.layerwise.serve.Server;
import dev.layerwise.tensor.DType;
import dev.layerwise.testing.TestImages;
import dev.layerwise.util.Rng;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve} answers an image in a request as {@code predict} answers the same image file. */
class ServeAgreesWithPredictTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * How far apart a batch of one and a batch of four may put an image's probabilities: each sums a row's 784
     * products in float32, a batch of four in one chain, a batch of one in two (its lone row's kernel sums even and
     * odd steps apart), and the rounding moves the probabilities by a few millionths; an input prepared otherwise
     * moves them by far more.
     */
    private static final double ROUNDING = 1e-5;

    @TempDir
    Path dir;

    /** A 7 drawn in strokes of {@code ink} on {@code paper}. */
    private static BufferedImage seven(int w, int h, int type, Color ink, Color paper) {
        BufferedImage img = new BufferedImage(w, h, type);
        Graphics2D g = img.createGraphics();
        g.setColor(paper);
        g.fillRect(0, 0, w, h);
        g.setColor(ink);
        g.setStroke(new BasicStroke(Math.max(2, Math.min(w, h) / 12f)));
        g.drawLine(w / 4, h / 5, w * 3 / 4, h / 5);
        g.drawLine(w * 3 / 4, h / 5, w * 2 / 5, h * 4 / 5);
        g.dispose();
        return img;
    }

    /** Each image's probabilities from {@code predict --json}, in the order given. */
    private static List<JsonNode> predict(Path model, boolean invert, Path... images) throws Exception {
        List<String> args = new ArrayList<>(List.of("predict", "--model", model.toString(), "--json"));
        if (invert) {
            args.add("--invert");
        }
        for (Path p : images) {
            args.add(p.toString());
        }
        CliTesting.Run r = CliTesting.run(args.toArray(new String[0]));
        assertEquals(0, r.exit(), r.err());
        List<JsonNode> out = new ArrayList<>();
        for (String line : r.out().strip().split("\n")) {
            out.add(JSON.readTree(line).get("probabilities"));
        }
        return out;
    }

    private static JsonNode serve(HttpClient http, Server s, Path image, String type, boolean invert)
            throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.url() + "/v1/predict"
                + (invert ? "?invert=true" : ""))).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(Files.readAllBytes(image))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body()).get("predictions").get(0).get("probabilities");
    }

    @Test
    void aModelOfDigitsAnswersTheSameImagesAlike() throws Exception {
        Model model = Model.of(new TwoLayerNet(784, 50, 10, 0.5, DType.FLOAT32, new Rng(3)))
                .withContract(DataContract.mnist());
        Path file = dir.resolve("digits.lw");
        model.save(file);
        Path png = TestImages.write(seven(160, 120, BufferedImage.TYPE_BYTE_GRAY, Color.WHITE, Color.BLACK), "png",
                dir.resolve("seven.png"));
        Path jpeg = TestImages.write(seven(1200, 1000, BufferedImage.TYPE_INT_RGB, new Color(250, 240, 90),
                new Color(10, 20, 60)), "jpg", dir.resolve("large-seven.jpg"));
        Path paper = TestImages.write(seven(90, 140, BufferedImage.TYPE_INT_RGB, Color.BLACK, Color.WHITE), "png",
                dir.resolve("pen-on-paper.png"));
        // Large enough to be decoded subsampled, and noise, so that any other way of preparing it shows.
        Path noise = TestImages.write(TestImages.grey(1000, 900, 4), "png", dir.resolve("large-noise.png"));
        // Without --invert, the pen-on-paper digit is inverted by both, for its light border.
        List<JsonNode> predicted = predict(file, false, png, jpeg, noise, paper);
        JsonNode inverted = predict(file, true, paper).get(0);
        // (In a batch of four, float32 sums differ from a batch of one by rounding: see ROUNDING.)
        inverted.fieldNames().forEachRemaining(c -> assertEquals(inverted.get(c).asDouble(),
                predicted.get(3).get(c).asDouble(), ROUNDING, "predict inverted the light image as with --invert: " + c));
        HttpClient http = HttpClient.newHttpClient();
        try (Server s = Server.start(Model.load(file), ServeOptions.defaults().withPort(0).withWorkers(1))) {
            assertSame(predicted.get(0), serve(http, s, png, "image/png", false), png);
            assertSame(predicted.get(1), serve(http, s, jpeg, "image/jpeg", false), jpeg);
            assertSame(predicted.get(2), serve(http, s, noise, "image/png", false), noise);
            assertSame(inverted, serve(http, s, paper, "image/png", true), paper);
            assertSame(predicted.get(3), serve(http, s, paper, "image/png", false), paper);
        }
    }

    @Test
    void aModelOfAnImageFolderAnswersTheSameImagesAlike() throws Exception {
        Model model = Model.of(new TwoLayerNet(3 * 12 * 12, 16, 3, 0.5, DType.FLOAT32, new Rng(6))).withContract(
                DataContract.images(new int[] {3, 12, 12}, List.of("circle", "square", "triangle"),
                        DataContract.ImageFit.RESIZE));
        Path file = dir.resolve("shapes.lw");
        model.save(file);
        Path jpeg = TestImages.write(TestImages.rgb(50, 40, 2), "jpg", dir.resolve("noise.jpg"));
        Path bmp = TestImages.write(TestImages.rgb(7, 9, 3), "bmp", dir.resolve("small.bmp"));
        List<JsonNode> predicted = predict(file, false, jpeg, bmp);
        HttpClient http = HttpClient.newHttpClient();
        try (Server s = Server.start(Model.load(file), ServeOptions.defaults().withPort(0).withWorkers(1))) {
            assertSame(predicted.get(0), serve(http, s, jpeg, "image/jpeg", false), jpeg);
            assertSame(predicted.get(1), serve(http, s, bmp, "image/bmp", false), bmp);
        }
    }

    /**
     * predict's probabilities by class name, the server's by class index: the same numbers, but for the rounding of
     * sums in batches of other sizes ({@link #ROUNDING}).
     */
    private static void assertSame(JsonNode predicted, JsonNode served, Path image) {
        assertEquals(predicted.size(), served.size(), image.toString());
        int c = 0;
        for (JsonNode p : (Iterable<JsonNode>) predicted::elements) {
            assertEquals(p.asDouble(), served.get(c).asDouble(), ROUNDING, image + ": class " + c);
            c++;
        }
    }
}
