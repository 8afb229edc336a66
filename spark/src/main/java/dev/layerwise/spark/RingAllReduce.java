package dev.layerwise.spark;

import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * The sum of one array across N workers, left in every worker's copy: a ring all-reduce over TCP (Baidu's, as Horovod
 * runs it). The array is cut into N chunks; in N−1 steps each worker sends one chunk to the next worker in the ring
 * and adds the chunk it receives from the previous one (reduce-scatter), after which each worker holds one chunk
 * summed over all; in N−1 more steps those sums travel round the ring and overwrite the partial ones (all-gather).
 * Each worker sends 2(N−1)/N of the array's bytes, whatever N.
 *
 * <p>Every sum is computed once, by one worker, and then copied: all workers end with bit-identical arrays, the
 * condition for replicas that apply the same update to stay identical.
 *
 * <p>Workers find each other through an exchange of addresses ({@code gather}: Spark's
 * {@code BarrierTaskContext.allGather}); each connection opens with a token that the job chose, so a stray connection
 * to the port is refused. Not thread-safe: one training loop uses it.
 */
final class RingAllReduce implements AllReduce {
    private static final int HANDSHAKE_LIMIT = 1024;

    private final int rank;
    private final int size;
    private final Socket toNext;
    private final Socket fromPrev;
    private final DataOutputStream out;
    private final DataInputStream in;
    private final ExecutorService sender;
    private byte[] sendBuf = new byte[0];
    private byte[] recvBuf = new byte[0];
    private long bytesSent;

    private RingAllReduce(int rank, int size, Socket toNext, Socket fromPrev) throws IOException {
        this.rank = rank;
        this.size = size;
        this.toNext = toNext;
        this.fromPrev = fromPrev;
        this.out = toNext == null ? null : new DataOutputStream(new BufferedOutputStream(toNext.getOutputStream(),
                1 << 16));
        this.in = fromPrev == null ? null : new DataInputStream(new BufferedInputStream(fromPrev.getInputStream(),
                1 << 16));
        // Sending and receiving overlap: with both in one thread, two workers each writing a chunk larger than the
        // socket buffers would wait for each other for ever.
        this.sender = size == 1 ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "layerwise-ring-send-" + rank);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Joins the ring as worker {@code rank} of {@code size}: listens on a free port of {@code host}, publishes
     * {@code host port} through {@code gather} (which returns every worker's message in rank order), connects to the
     * next worker and accepts the previous one.
     *
     * @param timeoutMillis how long to wait for a peer to connect or to send, before failing
     */
    static RingAllReduce join(int rank, int size, String host, String token, Function<String, List<String>> gather,
                              int timeoutMillis) {
        if (size == 1) {
            try {
                return new RingAllReduce(0, 1, null, null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            server.setSoTimeout(timeoutMillis);
            List<String> addresses = gather.apply(host + " " + server.getLocalPort());
            if (addresses.size() != size) {
                throw new IllegalStateException("expected the addresses of " + size + " workers, got "
                        + addresses.size());
            }
            String[] next = addresses.get((rank + 1) % size).split(" ");
            Socket toNext = new Socket();
            toNext.connect(new InetSocketAddress(next[0], Integer.parseInt(next[1])), timeoutMillis);
            toNext.setTcpNoDelay(true);
            toNext.setSoTimeout(timeoutMillis);
            DataOutputStream hello = new DataOutputStream(toNext.getOutputStream());
            hello.writeUTF(token);
            hello.writeInt(rank);
            hello.flush();
            int prev = (rank + size - 1) % size;
            Socket fromPrev = acceptPeer(server, token, prev, timeoutMillis);
            return new RingAllReduce(rank, size, toNext, fromPrev);
        } catch (SocketTimeoutException e) {
            throw new IllegalStateException("worker " + rank + ": no peer connected within " + timeoutMillis
                    + " ms", e);
        } catch (IOException e) {
            throw new UncheckedIOException("worker " + rank + " could not join the ring: " + e.getMessage(), e);
        }
    }

    /** The connection of worker {@code prev} with the right token; others are closed and ignored. */
    private static Socket acceptPeer(ServerSocket server, String token, int prev, int timeoutMillis)
            throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                throw new SocketTimeoutException("worker " + prev + " did not connect");
            }
            server.setSoTimeout((int) left);
            Socket s = server.accept();
            try {
                s.setSoTimeout(timeoutMillis);
                DataInputStream hello = new DataInputStream(s.getInputStream());
                byte[] head = hello.readNBytes(2);
                int len = head.length < 2 ? -1 : ((head[0] & 0xFF) << 8) | (head[1] & 0xFF);
                if (len >= 0 && len <= HANDSHAKE_LIMIT) {
                    byte[] given = hello.readNBytes(len);
                    if (token.equals(new String(given, StandardCharsets.UTF_8)) && hello.readInt() == prev) {
                        s.setTcpNoDelay(true);
                        return s;
                    }
                }
            } catch (IOException ignored) {
                // not a worker of this job: drop it and keep waiting for the right one
            }
            s.close();
        }
    }

    /** This worker's place in the ring. */
    int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    /** Bytes this worker has sent so far. */
    @Override
    public long bytesSent() {
        return bytesSent;
    }

    /** Replaces {@code x} (float32 or float64) by its sum over all workers, in every worker. */
    @Override
    public void sum(Tensor x) {
        if (size == 1) {
            return;
        }
        int n = x.size();
        int item = x.dtype() == DType.FLOAT32 ? Float.BYTES : Double.BYTES;
        int maxChunk = (n + size - 1) / size;
        if (sendBuf.length < maxChunk * item) {
            sendBuf = new byte[maxChunk * item];
            recvBuf = new byte[maxChunk * item];
        }
        try {
            for (int k = 0; k < size - 1; k++) {
                exchange(x, mod(rank - k), mod(rank - k - 1), true);
            }
            for (int k = 0; k < size - 1; k++) {
                exchange(x, mod(rank + 1 - k), mod(rank - k), false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("worker " + rank + ": the exchange with a peer failed: " + e.getMessage()
                    + " (a worker may have died; Spark retries the stage)", e);
        }
    }

    private int mod(int i) {
        return ((i % size) + size) % size;
    }

    private int chunkStart(int n, int c) {
        return (int) ((long) n * c / size);
    }

    /** Sends chunk {@code send} to the next worker while receiving chunk {@code recv}, added or copied into x. */
    private void exchange(Tensor x, int send, int recv, boolean add) throws IOException {
        int n = x.size();
        int s0 = chunkStart(n, send);
        int sLen = chunkStart(n, send + 1) - s0;
        int r0 = chunkStart(n, recv);
        int rLen = chunkStart(n, recv + 1) - r0;
        boolean f32 = x.dtype() == DType.FLOAT32;
        int item = f32 ? Float.BYTES : Double.BYTES;
        ByteBuffer sb = ByteBuffer.wrap(sendBuf, 0, sLen * item);
        if (f32) {
            sb.asFloatBuffer().put(x.floats(), x.offset() + s0, sLen);
        } else {
            sb.asDoubleBuffer().put(x.doubles(), x.offset() + s0, sLen);
        }
        int sendBytes = sLen * item;
        Future<?> sent = sender.submit(() -> {
            out.write(sendBuf, 0, sendBytes);
            out.flush();
            return null;
        });
        in.readFully(recvBuf, 0, rLen * item);
        try {
            sent.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
        bytesSent += sendBytes;
        AllReduce.take(x, r0, rLen, ByteBuffer.wrap(recvBuf, 0, rLen * item), add);
    }

    @Override
    public void close() {
        if (sender != null) {
            sender.shutdownNow();
        }
        for (Socket s : new Socket[] {toNext, fromPrev}) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException e) {
                    // a failure to close a finished connection changes nothing for the caller: the sums are done
                }
            }
        }
    }
}
