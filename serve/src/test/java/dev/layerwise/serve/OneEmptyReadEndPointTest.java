package dev.layerwise.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/** The read straight after an empty one answers 0 without reading; fill interest or any other read reads again. */
class OneEmptyReadEndPointTest {
    @Test
    void theRetryOfAnEmptyReadAnswersNothingAndFillInterestReadsAgain() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel client = SocketChannel.open(server.getLocalAddress());
             SocketChannel accepted = server.accept()) {
            accepted.configureBlocking(false);
            // No selector: fill interest is only recorded, which is all this test needs of it.
            OneEmptyReadEndPoint endPoint = new OneEmptyReadEndPoint(accepted, null, null, null);
            ByteBuffer in = BufferUtil.allocate(64);
            assertEquals(0, endPoint.fill(in));
            send(client, "abc");
            Thread.sleep(100);
            assertEquals(0, endPoint.fill(in), "the retry straight after an empty read reads the socket");
            assertEquals(3, fillSome(endPoint, in));
            assertEquals(0, endPoint.fill(in));
            send(client, "de");
            Thread.sleep(100);
            endPoint.fillInterested(Callback.NOOP);
            assertEquals(2, endPoint.fill(in), "after fill interest the socket is read");
            assertEquals("abcde", BufferUtil.toString(in, StandardCharsets.US_ASCII));
        }
    }

    private static void send(SocketChannel client, String s) throws Exception {
        client.write(ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII)));
    }

    /** The bytes a fill reads once some have arrived (loopback may take a moment on a busy machine). */
    private static int fillSome(OneEmptyReadEndPoint endPoint, ByteBuffer in) throws Exception {
        for (int tries = 0; tries < 500; tries++) {
            int n = endPoint.fill(in);
            if (n != 0) {
                return n;
            }
            Thread.sleep(10);
        }
        return 0;
    }
}
