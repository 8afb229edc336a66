package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.data.DataContract;
import dev.layerwise.model.Model;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.serve.ServeOptions;
import dev.layerwise.serve.Server;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The load generator of workload S1 reads HTTP/1.1 responses right and refuses what it cannot count. */
class LoadClientTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void aResponseIsWholeOnlyOnceItsBodyHasArrived() {
        byte[] b = bytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-LENGTH: 5\r\n\r\nhello");
        int headers = b.length - 5;
        for (int n = 0; n < b.length; n++) {
            assertNull(LoadClient.parse(b, n), "incomplete at " + n + " bytes");
        }
        assertEquals(new LoadClient.Response(200, headers, b.length), LoadClient.parse(b, b.length));
    }

    @Test
    void readsTheStatusOfAnError() {
        byte[] b = bytes("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
        assertEquals(new LoadClient.Response(503, b.length, b.length), LoadClient.parse(b, b.length));
    }

    @Test
    void readsAStatusLineWithoutReasonAndHeadersInAnyCase() {
        byte[] b = bytes("HTTP/1.0 404\r\nX-Length: 7\r\nCONTENT-length :3\r\n\r\nabc");
        assertEquals(new LoadClient.Response(404, b.length - 3, b.length), LoadClient.parse(b, b.length));
        for (String line : new String[] {"HTTP/2 200 OK", "HTTP/1.1 20 OK", "HTTP/1.1 200OK", "HTTP/1.2 200 OK"}) {
            byte[] bad = bytes(line + "\r\nContent-Length: 0\r\n\r\n");
            assertTrue(assertThrows(IllegalStateException.class, () -> LoadClient.parse(bad, bad.length))
                    .getMessage().contains("not an HTTP/1.1 status line: '" + line + "'"), line);
        }
    }

    @Test
    void findsTheEndOfTheFirstResponseWhenMoreFollows() {
        String first = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        byte[] b = bytes(first + "HTTP/1.1 200 OK\r\n");
        assertEquals(first.length(), LoadClient.parse(b, b.length).end());
    }

    @Test
    void refusesWhatItCannotCount() {
        byte[] chunked = bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        assertTrue(assertThrows(IllegalStateException.class, () -> LoadClient.parse(chunked, chunked.length))
                .getMessage().contains("without Content-Length"));
        byte[] notHttp = bytes("SSH-2.0-OpenSSH\r\n\r\n");
        assertTrue(assertThrows(IllegalStateException.class, () -> LoadClient.parse(notHttp, notHttp.length))
                .getMessage().contains("not an HTTP/1.1 status line"));
        byte[] badLength = bytes("HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\n");
        assertTrue(assertThrows(IllegalStateException.class, () -> LoadClient.parse(badLength, badLength.length))
                .getMessage().contains("bad Content-Length"));
        byte[] huge = bytes("HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n");
        assertTrue(assertThrows(IllegalStateException.class, () -> LoadClient.parse(huge, huge.length))
                .getMessage().contains("longer than"));
    }

    @Test
    void countsEveryAnswerAndChecksEachConnectionsFirst() throws Exception {
        Model model = Model.of(new TwoLayerNet(784, 50, 10)).withContract(DataContract.mnist());
        double[][] images = ServeLoad.images(3);
        List<byte[]> bodies = new ArrayList<>();
        for (double[] image : images) {
            StringBuilder sb = new StringBuilder("{\"inputs\":[[");
            for (int p = 0; p < image.length; p++) {
                sb.append(p > 0 ? "," : "").append(image[p]);
            }
            bodies.add(bytes(sb.append("]]}").toString()));
        }
        bodies.add(bytes("{\"inputs\":[[1,2]]}"));
        Set<Integer> checked = ConcurrentHashMap.newKeySet();
        try (Server server = Server.start(model, ServeOptions.defaults().withPort(0));
             LoadClient client = new LoadClient(new InetSocketAddress("127.0.0.1", server.port()), "/v1/predict",
                     "application/json", bodies, (c, body) -> {
                 assertTrue(new String(body, StandardCharsets.UTF_8).startsWith("{\"predictions\":[{\"class\":"));
                 assertTrue(checked.add(c), "connection " + c + " checked twice");
             })) {
            LoadClient.Run r = client.run(System.nanoTime() + 60_000_000_000L, 5);
            assertEquals(20, r.latencies().length);
            assertEquals(5, r.errors(), "the last connection's body is refused with 400 every time");
            assertEquals(Set.of(0, 1, 2), checked);
            assertTrue(r.millis(0.5) <= r.millis(0.99));
        }
    }

    @Test
    void aWrongAnswerEndsTheRun() throws Exception {
        Model model = Model.of(new TwoLayerNet(784, 50, 10)).withContract(DataContract.mnist());
        double[][] images = ServeLoad.images(1);
        StringBuilder sb = new StringBuilder("{\"inputs\":[[");
        for (int p = 0; p < images[0].length; p++) {
            sb.append(p > 0 ? "," : "").append(images[0][p]);
        }
        byte[] body = bytes(sb.append("]]}").toString());
        try (Server server = Server.start(model, ServeOptions.defaults().withPort(0));
             LoadClient client = new LoadClient(new InetSocketAddress("127.0.0.1", server.port()), "/v1/predict",
                     "application/json", List.of(body), (c, b) -> ServeLoad.check(b, 11, c))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> client.run(System.nanoTime() + 60_000_000_000L, 3));
            assertTrue(e.getMessage().contains("Model.classify 11"), e.getMessage());
        }
    }
}
