package dev.layerwise.spark;

import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import java.io.Closeable;
import java.nio.ByteBuffer;

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

    /**
     * Sets {@code count} values of {@code x} from element {@code from} on to the values in {@code received} (in x's
     * dtype, big-endian as a {@link ByteBuffer} writes them), or adds those values to them when {@code add}: each
     * element one addition, so that workers adding the same arrays in the same order agree bit for bit.
     */
    static void take(Tensor x, int from, int count, ByteBuffer received, boolean add) {
        int off = x.offset() + from;
        if (x.dtype() == DType.FLOAT32) {
            float[] a = x.floats();
            java.nio.FloatBuffer in = received.asFloatBuffer();
            for (int i = 0; i < count; i++) {
                a[off + i] = add ? a[off + i] + in.get(i) : in.get(i);
            }
        } else {
            double[] a = x.doubles();
            java.nio.DoubleBuffer in = received.asDoubleBuffer();
            for (int i = 0; i < count; i++) {
                a[off + i] = add ? a[off + i] + in.get(i) : in.get(i);
            }
        }
    }
}
