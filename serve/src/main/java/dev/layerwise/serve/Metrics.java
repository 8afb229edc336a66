package dev.layerwise.serve;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's counters in the Prometheus text exposition format: requests by endpoint and status, a latency histogram
 * per endpoint, and a histogram of the batch sizes inference ran at.
 */
final class Metrics {
    /** Upper bounds of the latency buckets, in seconds. */
    private static final double[] LATENCY = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5};
    /** Upper bounds of the batch-size buckets, in examples. */
    private static final double[] BATCH = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final Histogram batches = new Histogram(BATCH);
    private final LongAdder inflight = new LongAdder();

    /** One endpoint's requests by status and its latency histogram. */
    private static final class Endpoint {
        /** Statuses outside this table (HTTP's are 100 to 599) are counted in the map. */
        private static final int FIRST = 100;
        private static final int LAST = 599;

        /** Counters by status, found without a key: every request is counted here. */
        final AtomicReferenceArray<LongAdder> byStatus = new AtomicReferenceArray<>(LAST - FIRST + 1);
        final Map<Integer, LongAdder> otherStatuses = new ConcurrentHashMap<>();
        final Histogram latency = new Histogram(LATENCY);

        LongAdder status(int status) {
            if (status < FIRST || status > LAST) {
                return otherStatuses.computeIfAbsent(status, k -> new LongAdder());
            }
            LongAdder a = byStatus.get(status - FIRST);
            if (a == null) {
                byStatus.compareAndSet(status - FIRST, null, new LongAdder());
                a = byStatus.get(status - FIRST);
            }
            return a;
        }

        /** The counters of the statuses seen, ordered as their decimal text. */
        Map<String, LongAdder> statuses() {
            Map<String, LongAdder> m = new TreeMap<>();
            for (int i = 0; i < byStatus.length(); i++) {
                LongAdder a = byStatus.get(i);
                if (a != null) {
                    m.put(Integer.toString(FIRST + i), a);
                }
            }
            otherStatuses.forEach((status, a) -> m.put(Integer.toString(status), a));
            return m;
        }
    }

    /** Counts one answered request. */
    void request(String endpoint, int status, long nanos) {
        Endpoint e = endpoints.computeIfAbsent(endpoint, k -> new Endpoint());
        e.status(status).increment();
        e.latency.observe(nanos / 1e9);
    }

    void batch(int rows) {
        batches.observe(rows);
    }

    LongAdder inflight() {
        return inflight;
    }

    /** All metrics, as Prometheus reads them. */
    String text() {
        StringBuilder sb = new StringBuilder();
        sb.append("# HELP layerwise_requests_total Requests answered, by endpoint and HTTP status.\n");
        sb.append("# TYPE layerwise_requests_total counter\n");
        Map<String, Endpoint> sorted = new TreeMap<>(endpoints);
        sorted.forEach((endpoint, e) -> e.statuses().forEach((status, v) ->
                sb.append("layerwise_requests_total{endpoint=\"").append(endpoint).append("\",status=\"")
                        .append(status).append("\"} ").append(v.sum()).append('\n')));
        sb.append("# HELP layerwise_request_duration_seconds Time from a request's arrival to its answer.\n");
        sb.append("# TYPE layerwise_request_duration_seconds histogram\n");
        sorted.forEach((endpoint, e) ->
                e.latency.write(sb, "layerwise_request_duration_seconds", "endpoint=\"" + endpoint + "\","));
        sb.append("# HELP layerwise_batch_size Examples per inference batch (dynamic batching groups requests).\n");
        sb.append("# TYPE layerwise_batch_size histogram\n");
        batches.write(sb, "layerwise_batch_size", "");
        sb.append("# HELP layerwise_requests_in_flight Requests being answered now.\n");
        sb.append("# TYPE layerwise_requests_in_flight gauge\n");
        sb.append("layerwise_requests_in_flight ").append(inflight.sum()).append('\n');
        return sb.toString();
    }

    /** A cumulative histogram with fixed bucket bounds. */
    private static final class Histogram {
        private final double[] bounds;
        private final AtomicLongArray counts;
        private final DoubleAdder sum = new DoubleAdder();
        private final LongAdder count = new LongAdder();

        Histogram(double[] bounds) {
            this.bounds = bounds;
            this.counts = new AtomicLongArray(bounds.length);
        }

        void observe(double v) {
            for (int i = 0; i < bounds.length; i++) {
                if (v <= bounds[i]) {
                    counts.incrementAndGet(i);
                    break;
                }
            }
            sum.add(v);
            count.increment();
        }

        void write(StringBuilder sb, String name, String labels) {
            long cumulative = 0;
            for (int i = 0; i < bounds.length; i++) {
                cumulative += counts.get(i);
                sb.append(name).append("_bucket{").append(labels).append("le=\"").append(number(bounds[i]))
                        .append("\"} ").append(cumulative).append('\n');
            }
            long n = count.sum();
            sb.append(name).append("_bucket{").append(labels).append("le=\"+Inf\"} ").append(n).append('\n');
            String braces = labels.isEmpty() ? "" : "{" + labels.substring(0, labels.length() - 1) + "}";
            sb.append(name).append("_sum").append(braces).append(' ').append(number(sum.sum())).append('\n');
            sb.append(name).append("_count").append(braces).append(' ').append(n).append('\n');
        }

        private static String number(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT,
                    "%s", v);
        }
    }
}
