package dev.layerwise.serve;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.layerwise.data.DataContract;
import dev.layerwise.model.Model;
import dev.layerwise.net.ConvParam;
import dev.layerwise.net.SimpleConvNet;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.testing.TestImages;
import dev.layerwise.util.Rng;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The server through a real HTTP client on a free loopback port: every endpoint, every bad input, load. */
class ServerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static Model mlp;
    static Model convnet;
    static Server server;
    static Server convServer;
    static String url;

    @BeforeAll
    static void start() {
        // Random weights with a wide spread, so that the classes differ from input to input.
        mlp = Model.of(new TwoLayerNet(784, 50, 10, 0.5, DType.FLOAT32, new Rng(3))).withContract(DataContract.mnist());
        convnet = Model.of(new SimpleConvNet(new int[] {1, 28, 28}, ConvParam.of(4, 5, 0, 1), 20, 10, 0.3,
                DType.FLOAT32, new Rng(4))).withContract(DataContract.mnist());
        server = Server.start(mlp, ServeOptions.defaults().withPort(0).withWorkers(2));
        convServer = Server.start(convnet, ServeOptions.defaults().withPort(0).withWorkers(1));
        url = server.url();
    }

    @AfterAll
    static void stop() {
        server.close();
        convServer.close();
    }

    /** {@code n} random inputs in [0, 1], row-major. */
    static double[] inputs(int n, long seed) {
        Rng rng = new Rng(seed);
        double[] x = new double[n * 784];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextDouble();
        }
        return x;
    }

    static String body(double[] x, int n) {
        StringBuilder sb = new StringBuilder("{\"inputs\": [");
        for (int i = 0; i < n; i++) {
            sb.append(i > 0 ? "," : "").append('[');
            for (int j = 0; j < 784; j++) {
                sb.append(j > 0 ? "," : "").append((float) x[i * 784 + j]);
            }
            sb.append(']');
        }
        return sb.append("]}").toString();
    }

    /** The classes {@link Model#classify} gives, with inputs rounded to float as the JSON carries them. */
    static int[] expected(Model m, double[] x, int n) {
        double[] f = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return m.classify(Tensor.of(DType.FLOAT32, f, n, 784));
    }

    static int[] classes(JsonNode answer) {
        JsonNode p = answer.get("predictions");
        int[] c = new int[p.size()];
        for (int i = 0; i < c.length; i++) {
            c[i] = p.get(i).get("class").asInt();
        }
        return c;
    }

    static JsonNode ok(HttpResponse<String> r) throws IOException {
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    @Test
    void predictAnswersAsModelClassify() throws Exception {
        double[] x = inputs(8, 1);
        JsonNode a = ok(Http.postJson(url + "/v1/predict", body(x, 8)));
        int[] want = expected(mlp, x, 8);
        assertArrayEquals(want, classes(a));
        assertTrue(Arrays.stream(want).distinct().count() > 1, "the inputs should not all give one class");
        Tensor probs = mlp.probabilities(Tensor.of(DType.FLOAT32, Arrays.stream(x).map(v -> (float) v).toArray(),
                8, 784));
        for (int i = 0; i < 8; i++) {
            JsonNode p = a.get("predictions").get(i);
            assertEquals(Integer.toString(want[i]), p.get("name").asText());
            double sum = 0;
            for (int c = 0; c < 10; c++) {
                double v = p.get("probabilities").get(c).asDouble();
                assertEquals(probs.getDouble(i * 10 + c), v, 1e-6);
                sum += v;
            }
            assertEquals(1.0, sum, 1e-5);
        }
    }

    @Test
    void predictTakesNestedImagesOfTheExampleShape() throws Exception {
        double[] x = inputs(2, 2);
        StringBuilder sb = new StringBuilder("{\"inputs\": [");
        for (int i = 0; i < 2; i++) {
            sb.append(i > 0 ? "," : "").append("[[");
            for (int r = 0; r < 28; r++) {
                sb.append(r > 0 ? "," : "").append('[');
                for (int c = 0; c < 28; c++) {
                    sb.append(c > 0 ? "," : "").append((float) x[i * 784 + r * 28 + c]);
                }
                sb.append(']');
            }
            sb.append("]]");
        }
        JsonNode a = ok(Http.postJson(url + "/v1/predict", sb.append("]}").toString()));
        assertArrayEquals(expected(mlp, x, 2), classes(a));
    }

    static byte[] png(int[] grey, int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < w * h; i++) {
            img.getRaster().setSample(i % w, i / w, 0, grey[i]);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    @Test
    void predictTakesAPngPreparedAsTheContractSays() throws Exception {
        Rng rng = new Rng(5);
        int[] grey = new int[784];
        double[] x = new double[784];
        for (int i = 0; i < 784; i++) {
            grey[i] = (int) (rng.nextDouble() * 256);
            x[i] = grey[i] / 255.0;
        }
        JsonNode a = ok(Http.post(url + "/v1/predict", "image/png", png(grey, 28, 28)));
        assertEquals(mlp.classify(Tensor.of(DType.FLOAT32, x, 1, 784))[0], classes(a)[0]);
    }

    /** A digit drawn in strokes of {@code ink} on {@code paper}: a 7, or a 4 when {@code four}. */
    static BufferedImage digit(int w, int h, int type, java.awt.Color ink, java.awt.Color paper, boolean four) {
        BufferedImage img = new BufferedImage(w, h, type);
        java.awt.Graphics2D g = img.createGraphics();
        g.setColor(paper);
        g.fillRect(0, 0, w, h);
        g.setColor(ink);
        g.setStroke(new java.awt.BasicStroke(Math.max(2, Math.min(w, h) / 12f)));
        if (four) {
            g.drawLine(w * 5 / 8, h / 6, w / 4, h * 5 / 8);
            g.drawLine(w / 4, h * 5 / 8, w * 3 / 4, h * 5 / 8);
            g.drawLine(w * 5 / 8, h / 6, w * 5 / 8, h * 5 / 6);
        } else {
            g.drawLine(w / 4, h / 5, w * 3 / 4, h / 5);
            g.drawLine(w * 3 / 4, h / 5, w * 2 / 5, h * 4 / 5);
        }
        g.dispose();
        return img;
    }

    /**
     * The server's answer for {@code file} sent as {@code type}: the same class and probabilities as {@link
     * Model#classify} on the example the model's contract makes of the file, by the code {@code predict} uses.
     */
    static void answersAsPredict(Server s, Model m, Path file, String type, boolean invert) throws Exception {
        double[] x = dev.layerwise.data.ImageExamples.example(dev.layerwise.data.ImageDecoder.Source.of(file),
                m.contract(), invert, true);
        assertTrue(Arrays.stream(x).distinct().count() > 1, file + " should not prepare to a blank input");
        int[] shape = m.contract().exampleShape();
        Tensor in = Tensor.of(DType.FLOAT32, x, 1, shape[0], shape[1], shape[2]);
        Tensor probs = m.probabilities(in);
        JsonNode a = ok(Http.post(s.url() + "/v1/predict" + (invert ? "?invert=true" : ""), type,
                java.nio.file.Files.readAllBytes(file)));
        assertEquals(m.classify(in)[0], classes(a)[0], file.toString());
        JsonNode p = a.get("predictions").get(0).get("probabilities");
        for (int c = 0; c < probs.dim(1); c++) {
            assertEquals(probs.getDouble(c), p.get(c).asDouble(), 1e-6, file + ": probability of class " + c);
        }
    }

    @Test
    void imagesAreAnsweredAsPredictAnswersTheSameFiles(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        java.awt.Color white = java.awt.Color.WHITE;
        java.awt.Color black = java.awt.Color.BLACK;
        Path png = TestImages.write(digit(160, 120, BufferedImage.TYPE_BYTE_GRAY, white, black, false), "png",
                dir.resolve("seven.png"));
        Path jpeg = TestImages.write(digit(200, 200, BufferedImage.TYPE_INT_RGB, new java.awt.Color(250, 240, 90),
                new java.awt.Color(10, 20, 60), true), "jpg", dir.resolve("four.jpg"));
        Path large = TestImages.write(digit(1500, 1100, BufferedImage.TYPE_BYTE_GRAY, white, black, true), "png",
                dir.resolve("large.png"));
        Path inverted = TestImages.write(digit(90, 140, BufferedImage.TYPE_INT_RGB, black, white, false), "bmp",
                dir.resolve("pen-on-paper.bmp"));
        Path noise = TestImages.write(TestImages.rgb(28, 28, 7), "gif", dir.resolve("noise.gif"));
        for (Server s : List.of(server, convServer)) {
            Model m = s == server ? mlp : convnet;
            answersAsPredict(s, m, png, "image/png", false);
            answersAsPredict(s, m, jpeg, "image/jpeg", false);
            answersAsPredict(s, m, large, "image/png", false);
            answersAsPredict(s, m, inverted, "image/bmp", true);
            answersAsPredict(s, m, noise, "image/gif", false);
        }
        // A model that reads images as they are: resized to its (3, 12, 12), RGB.
        Model rgb = Model.of(new TwoLayerNet(3 * 12 * 12, 16, 3, 0.5, DType.FLOAT32, new Rng(6))).withContract(
                DataContract.images(new int[] {3, 12, 12}, List.of("circle", "square", "triangle"),
                        DataContract.ImageFit.RESIZE));
        try (Server s = Server.start(rgb, ServeOptions.defaults().withPort(0).withWorkers(1))) {
            answersAsPredict(s, rgb, jpeg, "image/jpeg", false);
            answersAsPredict(s, rgb, png, "image/png", false);
            answersAsPredict(s, rgb, large, "image/png", false);
            HttpResponse<String> r = Http.post(s.url() + "/v1/predict?invert=true", "image/png",
                    java.nio.file.Files.readAllBytes(png));
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().contains("invert=true applies to models of MNIST's digits"), r.body());
        }
    }

    @Test
    void hostileImagesGet400NamingWhatWasWrongAndTheServerGoesOn(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path jpeg = TestImages.truncate(TestImages.write(TestImages.rgb(64, 64, 3), "jpg", dir.resolve("t.jpg")),
                400);
        Path bmp = TestImages.truncate(TestImages.write(TestImages.rgb(64, 64, 4), "bmp", dir.resolve("t.bmp")),
                1000);
        Path wide = dir.resolve("wide.png");
        TestImages.blackPng(wide, 20000, 2);
        assertAll(
                () -> refused("/v1/predict", "image/png", TestImages.pngHeader(30000, 30000), 400,
                        "the request body: png image of 30000×30000 pixels is larger than images are read",
                        "at most 16384 a side"),
                () -> refused("/v1/predict", "image/png", java.nio.file.Files.readAllBytes(wide), 400,
                        "20000×2 pixels is larger than images are read"),
                () -> refused("/v1/predict", "image/jpeg", java.nio.file.Files.readAllBytes(jpeg), 400,
                        "the request body: ", "jpeg image"),
                () -> refused("/v1/predict", "image/bmp", java.nio.file.Files.readAllBytes(bmp), 400,
                        "the request body: truncated bmp image (its 64×64 pixels need 12,342 bytes, it has 1,000)"),
                () -> refused("/v1/layers", "image/png", TestImages.pngHeader(30000, 30000), 400,
                        "larger than images are read"));
    }

    @Test
    void layersShowsEveryLayerAndEndsInThePrediction() throws Exception {
        double[] x = inputs(1, 6);
        JsonNode a = ok(Http.postJson(convServer.url() + "/v1/layers", body(x, 1)));
        JsonNode layers = a.get("layers");
        List<String> names = new ArrayList<>();
        layers.forEach(l -> names.add(l.get("name").asText()));
        assertEquals(List.of("Conv1", "Relu1", "Pool1", "Affine1", "Relu2", "Affine2"), names);
        assertEquals("[4,24,24]", layers.get(0).get("shape").toString(), "the first convolution's feature maps");
        assertEquals(4 * 24 * 24, layers.get(0).get("values").size());
        Tensor in = Tensor.of(DType.FLOAT32, Arrays.stream(x).map(v -> (float) v).toArray(), 1, 1, 28, 28);
        Tensor scores = convnet.predict(in);
        JsonNode last = layers.get(layers.size() - 1).get("values");
        for (int c = 0; c < 10; c++) {
            assertEquals(scores.getDouble(c), last.get(c).asDouble(), 1e-5, "score " + c);
        }
        assertEquals(convnet.classify(in)[0], classes(a)[0]);
        assertEquals(784, a.get("input").size());
    }

    @Test
    void modelHealthMetricsAndPage() throws Exception {
        JsonNode m = ok(Http.get(url + "/v1/model"));
        assertEquals("two-layer", m.get("architecture").get("name").asText());
        assertEquals("[1,28,28]", m.get("input_shape").toString());
        assertEquals("float32", m.get("dtype").asText());
        assertEquals(10, m.get("class_names").size());
        assertEquals("ok", ok(Http.get(url + "/healthz")).get("status").asText());

        ok(Http.postJson(url + "/v1/predict", body(inputs(1, 9), 1)));
        HttpResponse<String> metrics = Http.get(url + "/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        String text = metrics.body();
        assertTrue(text.contains("layerwise_requests_total{endpoint=\"predict\",status=\"200\"}"), text);
        assertTrue(text.contains("layerwise_request_duration_seconds_bucket{endpoint=\"predict\",le=\"+Inf\"}"), text);
        assertTrue(text.contains("# TYPE layerwise_batch_size histogram"), text);
        assertTrue(text.matches("(?s).*layerwise_batch_size_count [1-9].*"), text);

        HttpResponse<String> page = Http.get(url + "/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<canvas id=\"pad\""), page.body());
        for (String file : List.of("/static/app.js", "/static/style.css")) {
            HttpResponse<String> r = Http.get(url + file);
            assertEquals(200, r.statusCode(), file);
            // Served from the jar, nothing from another host.
            assertFalse(r.body().contains("http://") || r.body().contains("https://"), file);
        }
        assertFalse(page.body().contains("http://") || page.body().contains("https://"));
    }

    /** Sends a bad request; checks its status and message, and that the server still answers a good one. */
    static void refused(String path, String type, byte[] body, int status, String... words) throws Exception {
        HttpResponse<String> r = Http.post(url + path, type, body);
        assertEquals(status, r.statusCode(), r.body());
        String message = JSON.readTree(r.body()).get("error").asText();
        for (String w : words) {
            assertTrue(message.contains(w), "'" + message + "' should name " + w);
        }
        assertFalse(r.body().contains("Exception") || r.body().contains("\tat ") || r.body().contains(".java"),
                r.body());
        ok(Http.postJson(url + "/v1/predict", body(inputs(1, 11), 1)));
    }

    static void refusedJson(String json, String... words) throws Exception {
        refused("/v1/predict", "application/json", json.getBytes(StandardCharsets.UTF_8), 400, words);
    }

    @Test
    void badInputsAreRefusedNamingWhatWasWrong() throws Exception {
        String row = body(inputs(1, 12), 1);
        String values = row.substring(row.indexOf("[[") + 2, row.lastIndexOf("]]"));
        assertAll(
                () -> refused("/v1/predict", "text/plain", "hello".getBytes(StandardCharsets.UTF_8), 415,
                        "text/plain", "application/json"),
                () -> refused("/v1/predict", null, new byte[] {1}, 415, "Content-Type"),
                () -> refusedJson("{\"inputs\": [[0.1, 0.2", "malformed JSON", "line 1"),
                () -> refusedJson("[1, 2]", "JSON object"),
                () -> refusedJson("{\"input\": []}", "unknown field 'input'"),
                () -> refusedJson("{}", "\"inputs\" is missing"),
                () -> refusedJson("{\"inputs\": []}", "empty"),
                () -> refusedJson("{\"inputs\": [[0.5, 0.5]]}", "inputs[0] has 2 values", "784"),
                () -> refusedJson("{\"inputs\": [[" + values + ", 1]]}", "inputs[0] has more than 784"),
                () -> refusedJson("{\"inputs\": [[" + values.replaceFirst("[^,]+", "NaN") + "]]}",
                        "inputs[0][0] is NaN"),
                () -> refusedJson("{\"inputs\": [[" + values.replaceFirst("[^,]+", "1e999") + "]]}",
                        "inputs[0][0] is infinite"),
                () -> refusedJson("{\"inputs\": [[" + values.replaceFirst("[^,]+", "-Infinity") + "]]}",
                        "inputs[0][0] is -infinite"),
                () -> refusedJson("{\"inputs\": [[" + values.replaceFirst("[^,]+", "\"x\"") + "]]}",
                        "inputs[0][0] must be a number, got a string"),
                () -> refusedJson("{\"inputs\": [[[[0.5]]]]}", "inputs[0][0][0] has 1 entries along axis 2",
                        "(1, 28, 28)"),
                () -> refusedJson("{\"inputs\": [5]}", "inputs[0] must be a list"),
                () -> refused("/v1/predict", "image/png", "not a picture".getBytes(StandardCharsets.UTF_8), 400,
                        "not an image"),
                () -> refused("/v1/predict", "image/png", truncated(), 400,
                        "the request body: truncated png image"),
                () -> refused("/v1/predict", "image/png", new byte[0], 400, "empty"),
                () -> refused("/v1/layers", "application/json", (body(inputs(2, 3), 2))
                        .getBytes(StandardCharsets.UTF_8), 400, "one example, got 2"));
    }

    @Test
    void aBodyOfUndeclaredLengthIsAnsweredAndRefusedAsOneOfDeclaredLength() throws Exception {
        // Without a length the body comes in chunks and goes the servlet route, not the one of plain JSON bodies.
        double[] x = inputs(4, 2);
        assertArrayEquals(expected(mlp, x, 4), classes(ok(chunked(body(x, 4)))));
        HttpResponse<String> refused = chunked("{\"inputs\": [[0.5, 0.5]]}");
        assertEquals(400, refused.statusCode(), refused.body());
        assertEquals(Http.postJson(url + "/v1/predict", "{\"inputs\": [[0.5, 0.5]]}").body(), refused.body());
        assertTrue(refused.body().contains("inputs[0] has 2 values"), refused.body());
    }

    static HttpResponse<String> chunked(String json) throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(URI.create(url + "/v1/predict")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofByteArray(json.getBytes(StandardCharsets.UTF_8))))
                .build();
        return Http.CLIENT.send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** A PNG of noise cut in half. */
    static byte[] truncated() throws IOException {
        Rng rng = new Rng(8);
        int[] grey = new int[784];
        for (int i = 0; i < grey.length; i++) {
            grey[i] = (int) (rng.nextDouble() * 256);
        }
        byte[] full = png(grey, 28, 28);
        return Arrays.copyOf(full, full.length / 2);
    }

    @Test
    void wrongPathsAndMethods() throws Exception {
        HttpResponse<String> r = Http.get(url + "/v2/nothing");
        assertEquals(404, r.statusCode());
        assertTrue(r.body().contains("no such endpoint"), r.body());
        r = Http.get(url + "/v1/predict");
        assertEquals(405, r.statusCode(), r.body());
        assertEquals(404, Http.get(url + "/static/secret.txt").statusCode());
    }

    @Test
    void bodiesBeyondTheLimitGet413() throws Exception {
        try (Server small = Server.start(mlp, ServeOptions.defaults().withPort(0).withWorkers(1)
                .withMaxBodyBytes(1000))) {
            HttpResponse<String> r = Http.postJson(small.url() + "/v1/predict", body(inputs(1, 4), 1));
            assertEquals(413, r.statusCode(), r.body());
            assertTrue(r.body().contains("limit of 1000 bytes"), r.body());
            assertEquals(200, Http.get(small.url() + "/healthz").statusCode());
        }
    }

    @Test
    void aRequestThatWaitsTooLongGets503AndTheServerGoesOn() throws Exception {
        // The worker waits a long batch window for company; the request's timeout is shorter.
        try (Server slow = Server.start(mlp, ServeOptions.defaults().withPort(0).withWorkers(1)
                .withBatching(Duration.ofMillis(1500), 64).withRequestTimeout(Duration.ofMillis(300)))) {
            HttpResponse<String> r = Http.postJson(slow.url() + "/v1/predict", body(inputs(1, 4), 1));
            assertEquals(503, r.statusCode(), r.body());
            assertTrue(r.body().contains("request timeout of 300 ms"), r.body());
            assertEquals(200, Http.get(slow.url() + "/healthz").statusCode());
        }
    }

    @Test
    void shutdownLetsRequestsInFlightFinish() throws Exception {
        Server s = Server.start(mlp, ServeOptions.defaults().withPort(0).withWorkers(1)
                .withBatching(Duration.ofMillis(400), 64));
        double[] x = inputs(1, 21);
        CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> {
            try {
                return Http.postJson(s.url() + "/v1/predict", body(x, 1));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // Wait until the request is inside the server (held by the batch window), then shut down.
        long until = System.nanoTime() + 30_000_000_000L;
        while (!Http.get(s.url() + "/metrics").body().contains("layerwise_requests_in_flight 1")
                && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        String address = s.url();
        s.close();
        HttpResponse<String> r = inFlight.get();
        assertEquals(200, r.statusCode(), r.body());
        assertArrayEquals(expected(mlp, x, 1), classes(JSON.readTree(r.body())));
        assertThrowsConnect(address);
    }

    static void assertThrowsConnect(String u) {
        try {
            Http.get(u + "/healthz");
            throw new AssertionError("the server still answers after close");
        } catch (IOException | InterruptedException expectedRefusal) {
            // refused: the listener is closed
        }
    }

    @Test
    void thirtyTwoClientsTimesAHundredRequestsAllAnsweredAsClassify() throws Exception {
        int clients = 32;
        int each = 100;
        double[] x = inputs(64, 31);
        int[] want = expected(mlp, x, 64);
        String[] bodies = new String[64];
        for (int i = 0; i < 64; i++) {
            bodies[i] = body(Arrays.copyOfRange(x, i * 784, (i + 1) * 784), 1);
        }
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                results.add(pool.submit(() -> {
                    int errors = 0;
                    StringBuilder first = new StringBuilder();
                    for (int k = 0; k < each; k++) {
                        int i = (client * each + k) % 64;
                        HttpResponse<String> r = Http.postJson(url + "/v1/predict", bodies[i]);
                        int got = r.statusCode() == 200 ? classes(JSON.readTree(r.body()))[0] : -1;
                        if (got != want[i]) {
                            errors++;
                            if (first.length() == 0) {
                                first.append(String.format(Locale.ROOT, "input %d: status %d, class %d, want %d: %s",
                                        i, r.statusCode(), got, want[i], r.body()));
                            }
                        }
                    }
                    return errors == 0 ? "" : errors + " errors, first " + first;
                }));
            }
            for (Future<String> f : results) {
                assertEquals("", f.get());
            }
        } finally {
            pool.shutdown();
        }
        String metrics = Http.get(url + "/metrics").body();
        assertFalse(metrics.contains("endpoint=\"predict\",status=\"5"), metrics);
    }
}
