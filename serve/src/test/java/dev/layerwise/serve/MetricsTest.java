package dev.layerwise.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Requests are counted by endpoint and status, listed in the order of their names and status texts. */
class MetricsTest {
    @Test
    void requestsAreCountedByEndpointAndStatusInOrder() {
        Metrics m = new Metrics();
        m.request("predictx", 200, 1);
        for (int status : new int[] {503, 200, 99, 1000, 200, 404, 200}) {
            m.request("predict", status, 1_000_000);
        }
        m.request("layers", 415, 2_000_000_000L);
        String counts = Arrays.stream(m.text().split("\n")).filter(l -> l.startsWith("layerwise_requests_total"))
                .collect(Collectors.joining("\n"));
        assertEquals(String.join("\n",
                "layerwise_requests_total{endpoint=\"layers\",status=\"415\"} 1",
                "layerwise_requests_total{endpoint=\"predict\",status=\"1000\"} 1",
                "layerwise_requests_total{endpoint=\"predict\",status=\"200\"} 3",
                "layerwise_requests_total{endpoint=\"predict\",status=\"404\"} 1",
                "layerwise_requests_total{endpoint=\"predict\",status=\"503\"} 1",
                "layerwise_requests_total{endpoint=\"predict\",status=\"99\"} 1",
                "layerwise_requests_total{endpoint=\"predictx\",status=\"200\"} 1"), counts);
        String text = m.text();
        assertEquals(true, text.contains("layerwise_request_duration_seconds_count{endpoint=\"predict\"} 7\n"), text);
        assertEquals(true, text.contains("layerwise_request_duration_seconds_bucket{endpoint=\"layers\",le=\"2\"} 1\n"),
                text);
    }
}
