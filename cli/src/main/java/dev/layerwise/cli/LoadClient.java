package dev.layerwise.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A minimal HTTP/1.1 keep-alive load generator, built as wrk and h2load are: one thread drives every connection
 * through a selector, each connection's request is encoded once, and a response is read only as far as its status
 * line, its headers and a body of its Content-Length. The load runs on the same cores as the server it measures, so
 * its cost per request is taken from the server's: a client with a thread and a full HTTP stack per connection spends
 * more CPU on a request than the server does, and the figure would then measure the client.
 *
 * <p>Each connection checks its first answer with the {@link Check} it was given; a failed check ends the run with an
 * exception, so that a fast wrong server is never reported as a fast one. A response other than 200 is counted as an
 * error.
 */
final class LoadClient implements AutoCloseable {
    /** Checks the body of a connection's first 200 answer; throws {@link IllegalStateException} if it is wrong. */
    interface Check {
        void check(int connection, byte[] body);
    }

    /** A run's latencies in nanoseconds (sorted), its non-200 answers, and how long it took. */
    record Run(long[] latencies, long errors, double seconds) {
        double perSecond() {
            return latencies.length / seconds;
        }

        /** The latency at quantile {@code q} (nearest rank), in milliseconds. */
        double millis(double q) {
            int i = Math.max(0, Math.min(latencies.length - 1, (int) Math.ceil(q * latencies.length) - 1));
            return latencies[i] / 1e6;
        }
    }

    /** A whole response found at the start of a buffer: its status and where its body lies. */
    record Response(int status, int bodyStart, int end) {
    }

    /** Responses longer than this end the run: no answer of this server comes near it. */
    static final int MAX_RESPONSE = 1 << 20;
    private static final long STALL_NANOS = 30_000_000_000L;

    private final Selector selector;
    private final List<Connection> connections = new ArrayList<>();
    private final Check check;

    private static final class Connection {
        final int index;
        final SocketChannel channel;
        final ByteBuffer request;
        byte[] in = new byte[16 << 10];
        int filled;
        long sentAt;
        boolean busy;
        boolean checked;
        long[] latencies = new long[1024];
        int count;
        long errors;

        Connection(int index, SocketChannel channel, byte[] request) {
            this.index = index;
            this.channel = channel;
            this.request = ByteBuffer.wrap(request);
        }
    }

    /**
     * Opens one keep-alive connection per body to {@code address}; connection {@code i} sends {@code POST path} with
     * {@code bodies.get(i)} as {@code contentType}.
     */
    LoadClient(InetSocketAddress address, String path, String contentType, List<byte[]> bodies, Check check)
            throws IOException {
        this.check = check;
        this.selector = Selector.open();
        try {
            for (int i = 0; i < bodies.size(); i++) {
                SocketChannel ch = SocketChannel.open(address);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.configureBlocking(false);
                Connection c = new Connection(i, ch, request(address, path, contentType, bodies.get(i)));
                ch.register(selector, 0, c);
                connections.add(c);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The bytes of one request, encoded once and sent as they are on every round. */
    static byte[] request(InetSocketAddress address, String path, String contentType, byte[] body) {
        String head = "POST " + path + " HTTP/1.1\r\nHost: " + address.getHostString() + ":" + address.getPort()
                + "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + body.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] r = Arrays.copyOf(h, h.length + body.length);
        System.arraycopy(body, 0, r, h.length, body.length);
        return r;
    }

    /**
     * Every connection sends a request, waits for its answer and sends the next, until {@code deadline}
     * ({@link System#nanoTime()}) or until it has had {@code each} answers; a request under way at the deadline is
     * answered and counted.
     *
     * @throws IllegalStateException if a response is not HTTP, an answer fails its check, or no answer comes for a
     *                               long time
     */
    Run run(long deadline, int each) throws IOException {
        long t0 = System.nanoTime();
        for (Connection c : connections) {
            c.count = 0;
            c.errors = 0;
            send(c);
        }
        int busy = connections.size();
        long lastProgress = System.nanoTime();
        while (busy > 0) {
            selector.select(100);
            long now = System.nanoTime();
            for (SelectionKey key : selector.selectedKeys()) {
                Connection c = (Connection) key.attachment();
                if (key.isWritable()) {
                    write(c);
                }
                if (key.isReadable() && read(c, now)) {
                    lastProgress = now;
                    if (c.count < each && now < deadline) {
                        send(c);
                    } else {
                        c.busy = false;
                        key.interestOps(0);
                        busy--;
                    }
                }
            }
            selector.selectedKeys().clear();
            if (now - lastProgress > STALL_NANOS) {
                throw new IllegalStateException("no answer from the server for " + STALL_NANOS / 1_000_000_000L
                        + " s");
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        int total = 0;
        long errors = 0;
        for (Connection c : connections) {
            total += c.count;
            errors += c.errors;
        }
        long[] all = new long[total];
        int at = 0;
        for (Connection c : connections) {
            System.arraycopy(c.latencies, 0, all, at, c.count);
            at += c.count;
        }
        Arrays.sort(all);
        return new Run(all, errors, seconds);
    }

    private void send(Connection c) throws IOException {
        c.request.rewind();
        c.sentAt = System.nanoTime();
        c.busy = true;
        write(c);
    }

    private void write(Connection c) throws IOException {
        c.channel.write(c.request);
        c.channel.keyFor(selector).interestOps(c.request.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    /** Reads what has arrived; returns whether a whole response has, and records it. */
    private boolean read(Connection c, long now) throws IOException {
        if (c.filled == c.in.length) {
            if (c.in.length >= MAX_RESPONSE) {
                throw new IllegalStateException("a response is longer than " + MAX_RESPONSE + " bytes");
            }
            c.in = Arrays.copyOf(c.in, 2 * c.in.length);
        }
        int n = c.channel.read(ByteBuffer.wrap(c.in, c.filled, c.in.length - c.filled));
        if (n < 0) {
            throw new IllegalStateException("the server closed connection " + c.index);
        }
        c.filled += n;
        Response r = parse(c.in, c.filled);
        if (r == null) {
            return false;
        }
        if (r.end() != c.filled) {
            throw new IllegalStateException("the server sent more than one response to one request");
        }
        if (c.count == c.latencies.length) {
            c.latencies = Arrays.copyOf(c.latencies, 2 * c.count);
        }
        c.latencies[c.count++] = now - c.sentAt;
        if (r.status() != 200) {
            c.errors++;
        } else if (!c.checked) {
            check.check(c.index, Arrays.copyOfRange(c.in, r.bodyStart(), r.end()));
            c.checked = true;
        }
        c.filled = 0;
        return true;
    }

    /**
     * The response at the start of {@code b[0, n)}, or null while its headers or body have not all arrived.
     *
     * @throws IllegalStateException if it is not an HTTP/1.x response with a Content-Length
     */
    static Response parse(byte[] b, int n) {
        int headersEnd = -1;
        for (int i = 3; i < n; i++) {
            if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
                headersEnd = i + 1;
                break;
            }
        }
        if (headersEnd < 0) {
            return null;
        }
        // Read from the bytes themselves: the client shares the cores with the server it measures, and making
        // strings of every response's headers cost it more than the rest of its work on a response.
        int lineEnd = lineEnd(b, 0, headersEnd);
        if (!isStatusLine(b, lineEnd)) {
            throw new IllegalStateException("not an HTTP/1.1 status line: '"
                    + new String(b, 0, lineEnd, StandardCharsets.ISO_8859_1) + "'");
        }
        int status = 100 * (b[9] - '0') + 10 * (b[10] - '0') + (b[11] - '0');
        long length = -1;
        for (int at = lineEnd + 2; at < headersEnd - 2; ) {
            int end = lineEnd(b, at, headersEnd);
            int colon = at;
            while (colon < end && b[colon] != ':') {
                colon++;
            }
            if (colon < end && isName(b, at, colon, CONTENT_LENGTH)) {
                String line = new String(b, at, end - at, StandardCharsets.ISO_8859_1);
                try {
                    length = Long.parseLong(line.substring(colon + 1 - at).trim());
                } catch (NumberFormatException e) {
                    length = -1;
                }
                if (length < 0) {
                    throw new IllegalStateException("bad Content-Length: '" + line + "'");
                }
            }
            at = end + 2;
        }
        if (length < 0) {
            throw new IllegalStateException("a response without Content-Length (status " + status + ")");
        }
        if (headersEnd + length > MAX_RESPONSE) {
            throw new IllegalStateException("a response is longer than " + MAX_RESPONSE + " bytes");
        }
        int end = headersEnd + (int) length;
        return end <= n ? new Response(status, headersEnd, end) : null;
    }

    private static final byte[] CONTENT_LENGTH = "content-length".getBytes(StandardCharsets.US_ASCII);

    /** Where the line that starts at {@code from} ends: its CR LF, or {@code limit}. */
    private static int lineEnd(byte[] b, int from, int limit) {
        for (int i = from; i + 1 < limit; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return limit;
    }

    /** {@code HTTP/1.0} or {@code 1.1}, a space, three digits, and nothing or a space and a reason to the line's end. */
    private static boolean isStatusLine(byte[] b, int end) {
        if (end < 12 || (end > 12 && b[12] != ' ')) {
            return false;
        }
        for (int i = 0; i < 7; i++) {
            if (b[i] != "HTTP/1.".charAt(i)) {
                return false;
            }
        }
        if ((b[7] != '0' && b[7] != '1') || b[8] != ' ') {
            return false;
        }
        for (int i = 9; i < 12; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return false;
            }
        }
        for (int i = 12; i < end; i++) {
            if (b[i] == '\r' || b[i] == '\n') {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code b[from, to)}, without surrounding white space, is {@code name} in any case (ASCII). */
    private static boolean isName(byte[] b, int from, int to, byte[] name) {
        while (from < to && (b[from] & 0xff) <= ' ') {
            from++;
        }
        while (to > from && (b[to - 1] & 0xff) <= ' ') {
            to--;
        }
        if (to - from != name.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            int c = b[from + i];
            if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != name[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        for (Connection c : connections) {
            c.channel.close();
        }
        selector.close();
    }
}
