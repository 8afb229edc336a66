package dev.layerwise.serve;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Server} listens, batches and limits requests.
 *
 * @param host           the address to bind; loopback by default, so that a model is not exposed by accident
 * @param port           the port, 0 for any free one
 * @param workers        inference threads, each with its own replica of the network
 * @param batchWindow    requests queued together run as one batch; a worker that finds a lone request, or a few while
 *                       another worker runs a batch, waits up to this long from the first one's arrival for more to
 *                       join; zero turns dynamic batching off (each request is run alone)
 * @param maxBatch       the most examples run in one batch (a larger request is run alone, whole)
 * @param maxBodyBytes   the largest request body accepted (413 above)
 * @param requestTimeout the longest a request may wait for its answer (503 after), and the idle time after which a
 *                       connection that sends nothing is closed
 */
public record ServeOptions(String host, int port, int workers, Duration batchWindow, int maxBatch, long maxBodyBytes,
                           Duration requestTimeout) {
    /** The default body limit, 16 MB. */
    public static final long DEFAULT_MAX_BODY = 16L << 20;

    public ServeOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(batchWindow, "batchWindow");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535, got " + port);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        if (batchWindow.isNegative()) {
            throw new IllegalArgumentException("the batch window must not be negative, got " + batchWindow);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("the maximum batch must be at least 1, got " + maxBatch);
        }
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("the body limit must be at least 1 byte, got " + maxBodyBytes);
        }
        if (requestTimeout.isZero() || requestTimeout.isNegative()) {
            throw new IllegalArgumentException("the request timeout must be positive, got " + requestTimeout);
        }
    }

    /**
     * Loopback, port 8080, one worker per core, a 2 ms batch window, batches of up to 64, 16 MB bodies, 30 s timeout.
     */
    public static ServeOptions defaults() {
        return new ServeOptions("127.0.0.1", 8080, Runtime.getRuntime().availableProcessors(), Duration.ofMillis(2),
                64, DEFAULT_MAX_BODY, Duration.ofSeconds(30));
    }

    public ServeOptions withHost(String h) {
        return new ServeOptions(h, port, workers, batchWindow, maxBatch, maxBodyBytes, requestTimeout);
    }

    public ServeOptions withPort(int p) {
        return new ServeOptions(host, p, workers, batchWindow, maxBatch, maxBodyBytes, requestTimeout);
    }

    public ServeOptions withWorkers(int w) {
        return new ServeOptions(host, port, w, batchWindow, maxBatch, maxBodyBytes, requestTimeout);
    }

    /** Dynamic batching: wait up to {@code window} for up to {@code max} examples ({@code Duration.ZERO}: off). */
    public ServeOptions withBatching(Duration window, int max) {
        return new ServeOptions(host, port, workers, window, max, maxBodyBytes, requestTimeout);
    }

    public ServeOptions withMaxBodyBytes(long bytes) {
        return new ServeOptions(host, port, workers, batchWindow, maxBatch, bytes, requestTimeout);
    }

    public ServeOptions withRequestTimeout(Duration t) {
        return new ServeOptions(host, port, workers, batchWindow, maxBatch, maxBodyBytes, t);
    }

    /** Whether concurrent requests are grouped into batches. */
    public boolean batching() {
        return !batchWindow.isZero() && maxBatch > 1;
    }
}
