package dev.layerwise.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.data.DataContract;
import dev.layerwise.model.Model;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.tensor.DType;
import dev.layerwise.util.Rng;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests on one keep-alive connection written by hand, as no ordinary client writes them: pipelined, trickled in
 * pieces, abandoned half-way or before their answer. The JSON predictions are read as their bytes arrive and answered
 * by the inference workers, which also pick up the connection's next request; every one must be answered, in order,
 * and an abandoned one must leave the server as it was.
 */
class ConnectionTest {
    static Model mlp;
    static Server server;

    @BeforeAll
    static void start() {
        mlp = Model.of(new TwoLayerNet(784, 50, 10, 0.5, DType.FLOAT32, new Rng(3))).withContract(DataContract.mnist());
        server = Server.start(mlp, ServeOptions.defaults().withPort(0).withWorkers(2));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static byte[] post(String json) {
        byte[] body = json.getBytes(StandardCharsets.US_ASCII);
        String head = "POST /v1/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        byte[] head8 = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(head8, head8.length + body.length);
        System.arraycopy(body, 0, all, head8.length, body.length);
        return all;
    }

    static byte[] get(String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    static Socket connect(Server s) throws IOException {
        Socket socket = new Socket("127.0.0.1", s.port());
        socket.setSoTimeout(30_000);
        return socket;
    }

    /** A response read whole: its status and body. */
    record Answer(int status, String body) {
    }

    /** Reads one response of declared length from {@code in}. */
    static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("the connection closed before a whole response; read " + head);
            }
            head.write(c);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                break;
            }
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        int status = Integer.parseInt(text.substring(9, 12));
        int length = -1;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        assertTrue(length >= 0, "a response without Content-Length: " + text);
        return new Answer(status, new String(in.readNBytes(length), StandardCharsets.UTF_8));
    }

    static int firstClass(Answer a) {
        assertEquals(200, a.status(), a.body());
        String key = "\"class\":";
        int at = a.body().indexOf(key);
        assertTrue(at >= 0, a.body());
        int end = at + key.length();
        while (Character.isDigit(a.body().charAt(end))) {
            end++;
        }
        return Integer.parseInt(a.body().substring(at + key.length(), end));
    }

    static int[] classes(double[] x, int n) {
        return ServerTest.expected(mlp, x, n);
    }

    @Test
    void pipelinedRequestsAreAllAnsweredInOrder() throws Exception {
        double[] x = ServerTest.inputs(3, 41);
        int[] want = classes(x, 3);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < 3; i++) {
            all.write(post(ServerTest.body(Arrays.copyOfRange(x, i * 784, (i + 1) * 784), 1)));
            if (i == 1) {
                // A request for the servlet routes between two predictions: it is served on another thread.
                all.write(get("/healthz"));
            }
        }
        try (Socket s = connect(server)) {
            OutputStream out = s.getOutputStream();
            out.write(all.toByteArray());
            out.flush();
            InputStream in = s.getInputStream();
            assertEquals(want[0], firstClass(read(in)));
            assertEquals(want[1], firstClass(read(in)));
            Answer health = read(in);
            assertEquals(200, health.status(), health.body());
            assertTrue(health.body().contains("ok"), health.body());
            assertEquals(want[2], firstClass(read(in)));
        }
    }

    @Test
    void aRequestTrickledInPiecesIsAnsweredAndTheConnectionGoesOn() throws Exception {
        double[] x = ServerTest.inputs(2, 42);
        int[] want = classes(x, 2);
        try (Socket s = connect(server)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            byte[] first = post(ServerTest.body(Arrays.copyOfRange(x, 0, 784), 1));
            // Headers split, then the body in pieces, each sent alone.
            int[] cuts = {20, 90, 400, first.length / 2, first.length - 3, first.length};
            int from = 0;
            for (int cut : cuts) {
                out.write(first, from, cut - from);
                out.flush();
                from = cut;
                Thread.sleep(40);
            }
            assertEquals(want[0], firstClass(read(in)));
            out.write(post(ServerTest.body(Arrays.copyOfRange(x, 784, 2 * 784), 1)));
            out.flush();
            assertEquals(want[1], firstClass(read(in)));
            // A bad body on the same connection is refused by name, and the connection still serves.
            out.write(post("{\"inputs\": [[1, 2, 3]]}"));
            out.flush();
            Answer bad = read(in);
            assertEquals(400, bad.status(), bad.body());
            assertTrue(bad.body().contains("784"), bad.body());
            out.write(get("/healthz"));
            out.flush();
            assertEquals(200, read(in).status());
        }
    }

    @Test
    void requestsAbandonedHalfWayOrBeforeTheirAnswerLeaveTheServerServing() throws Exception {
        // A lone request waits for company, so that its client is gone before the answer is written.
        try (Server waiting = Server.start(mlp, ServeOptions.defaults().withPort(0).withWorkers(1)
                .withBatching(Duration.ofMillis(300), 64))) {
            double[] x = ServerTest.inputs(1, 43);
            byte[] request = post(ServerTest.body(x, 1));
            try (Socket s = connect(waiting)) {
                s.getOutputStream().write(request, 0, request.length / 2);
                s.getOutputStream().flush();
                Thread.sleep(50);
            }
            try (Socket s = connect(waiting)) {
                s.getOutputStream().write(request);
                s.getOutputStream().flush();
                Thread.sleep(50);
            }
            long until = System.nanoTime() + 30_000_000_000L;
            String metrics = Http.get(waiting.url() + "/metrics").body();
            while (!metrics.contains("layerwise_requests_in_flight 0") && System.nanoTime() < until) {
                Thread.sleep(20);
                metrics = Http.get(waiting.url() + "/metrics").body();
            }
            assertTrue(metrics.contains("layerwise_requests_in_flight 0"), metrics);
            try (Socket s = connect(waiting)) {
                s.getOutputStream().write(request);
                s.getOutputStream().flush();
                assertArrayEquals(classes(x, 1), new int[] {firstClass(read(s.getInputStream()))});
            }
        }
    }
}
