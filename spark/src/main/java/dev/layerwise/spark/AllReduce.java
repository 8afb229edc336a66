package dev.layerwise.spark;

import dev.layerwise.tensor.Tensor;
import java.io.Closeable;

/**
 * The sum of one array across the workers, left bit-identical in every worker's copy: what keeps replicas that apply
 * the same update identical. {@link RingAllReduce} is the peer-to-peer one; {@link DriverRelay} sends through the
 * driver, for tiny clusters whose executors cannot reach each other.
 */
interface AllReduce extends Closeable {
    /** Replaces {@code x} (float32 or float64, contiguous) by its sum over all workers, in every worker. */
    void sum(Tensor x);

    /** The number of workers. */
    int size();

    /** Bytes this worker has sent so far. */
    long bytesSent();

    @Override
    void close();
}
