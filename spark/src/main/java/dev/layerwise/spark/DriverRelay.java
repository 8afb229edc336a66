package dev.layerwise.spark;

import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * An all-reduce relayed by the driver: each worker sends its whole array through Spark's
 * {@code BarrierTaskContext.allGather} (a message to the driver, which hands every worker all the messages), and each
 * worker adds them up in rank order, so that all end with the same bits. Every worker sends S (as Base64, 4/3 of it)
 * and receives N·S per sum, all through the driver. And each sum lasts at least about a second: Spark's barrier call
 * checks for its answer once a second. So it suits tiny clusters whose executors cannot open connections to each
 * other, with {@code averageEvery(k)} for a k that makes a second small beside k steps; the
 * {@linkplain RingAllReduce ring} is the one that scales.
 */
final class DriverRelay implements AllReduce {
    /** Kept well below Spark's default RPC message limit (128 MB), which a larger message would break. */
    static final long MAX_MESSAGE_BYTES = 64L << 20;

    private final int size;
    private final Function<String, List<String>> gather;
    private long bytesSent;

    DriverRelay(int size, Function<String, List<String>> gather) {
        this.size = size;
        this.gather = gather;
    }

    @Override
    public void sum(Tensor x) {
        if (size == 1) {
            return;
        }
        boolean f32 = x.dtype() == DType.FLOAT32;
        int n = x.size();
        long encoded = 4 * (((long) n * (f32 ? 4 : 8) + 2) / 3);
        if (encoded > MAX_MESSAGE_BYTES) {
            throw new IllegalStateException("the driver relay sends " + n + " values as " + encoded
                    + " bytes, more than its limit of " + MAX_MESSAGE_BYTES + ": use the ring exchange");
        }
        ByteBuffer buf = ByteBuffer.allocate(n * (f32 ? 4 : 8));
        if (f32) {
            buf.asFloatBuffer().put(x.floats(), x.offset(), n);
        } else {
            buf.asDoubleBuffer().put(x.doubles(), x.offset(), n);
        }
        String message = Base64.getEncoder().encodeToString(buf.array());
        List<String> all = gather.apply(message);
        if (all.size() != size) {
            throw new IllegalStateException("expected the arrays of " + size + " workers, got " + all.size());
        }
        bytesSent += message.length();
        // Added in rank order, the same on every worker, whatever its own rank: the sums agree bit for bit.
        for (int r = 0; r < size; r++) {
            AllReduce.take(x, 0, n, ByteBuffer.wrap(Base64.getDecoder().decode(all.get(r))), r != 0);
        }
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public long bytesSent() {
        return bytesSent;
    }

    @Override
    public void close() {
        // nothing of its own to release: the messages travel on Spark's connections
    }
}
