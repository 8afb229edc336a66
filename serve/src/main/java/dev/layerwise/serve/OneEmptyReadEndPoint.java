package dev.layerwise.serve;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A socket endpoint that does not read the socket again straight after a read found nothing. Jetty's HTTP/1 connection
 * retries every fill that returns 0 at once (which helps TLS, whose layer may hold decrypted bytes), so each time it
 * looks for a request that has not come it makes two read calls that find nothing before asking the selector to watch
 * the socket. Under load that happens for a good part of the requests: after an answer is written, its connection is
 * looked at for the next request before the client has sent it. Here the retry answers 0 without a system call.
 *
 * <p>Answering 0 is always allowed of a non-blocking fill; a caller that gets it asks for fill interest, and the
 * selector, which reports a socket as long as it holds bytes, then reports any that came in between. Whatever
 * follows the empty read other than the retry, fill interest or a read that found bytes, reads the socket as usual.
 */
final class OneEmptyReadEndPoint extends SocketChannelEndPoint {
    /** Whether the last fill found nothing and nothing has happened on this endpoint since. */
    private volatile boolean empty;

    OneEmptyReadEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key, Scheduler scheduler) {
        super(channel, selector, key, scheduler);
    }

    @Override
    public int fill(ByteBuffer buffer) throws IOException {
        if (empty) {
            empty = false;
            return 0;
        }
        int filled = super.fill(buffer);
        empty = filled == 0;
        return filled;
    }

    @Override
    protected void needsFillInterest() {
        empty = false;
        super.needsFillInterest();
    }
}
