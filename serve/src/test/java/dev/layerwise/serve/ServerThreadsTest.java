package dev.layerwise.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Only the task an answer's write hands the pool runs on the writing thread; everything else goes to the pool. */
class ServerThreadsTest {
    @Test
    void theTaskAWriteHandsOnRunsOnTheWriterAndWhatItHandsOnGoesToThePool() throws Exception {
        ServerThreads threads = new ServerThreads();
        threads.start();
        try {
            Thread writer = Thread.currentThread();
            CompletableFuture<Thread> first = new CompletableFuture<>();
            CompletableFuture<Thread> second = new CompletableFuture<>();
            CompletableFuture<Thread> outside = new CompletableFuture<>();
            threads.answering(() -> threads.execute(() -> {
                first.complete(Thread.currentThread());
                threads.execute(() -> second.complete(Thread.currentThread()));
            }));
            threads.execute(() -> outside.complete(Thread.currentThread()));
            assertEquals(writer, first.get(10, TimeUnit.SECONDS));
            assertNotEquals(writer, second.get(10, TimeUnit.SECONDS));
            assertNotEquals(writer, outside.get(10, TimeUnit.SECONDS));
            assertTrue(second.get().getName().startsWith("JettyServerThreadPool"), second.get().getName());
        } finally {
            threads.stop();
        }
    }
}
