package dev.layerwise.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
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

    @Test
    void aBatchsWritesHandOnTasksThatRunAfterEveryAnswerInOrderOnTheWriter() throws Exception {
        ServerThreads threads = new ServerThreads();
        threads.start();
        try {
            Thread writer = Thread.currentThread();
            List<String> order = new ArrayList<>();
            List<Thread> ran = new ArrayList<>();
            CompletableFuture<Thread> handedOn = new CompletableFuture<>();
            threads.answeringBatch(() -> {
                for (int i = 0; i < 3; i++) {
                    int answer = i;
                    threads.answering(() -> {
                        order.add("answer " + answer);
                        threads.execute(() -> {
                            order.add("task " + answer);
                            ran.add(Thread.currentThread());
                            if (answer == 0) {
                                threads.execute(() -> handedOn.complete(Thread.currentThread()));
                                throw new IllegalStateException("a task that fails");
                            }
                        });
                    });
                }
                order.add("answers written");
            });
            assertEquals(List.of("answer 0", "answer 1", "answer 2", "answers written", "task 0", "task 1", "task 2"),
                    order);
            assertEquals(List.of(writer, writer, writer), ran);
            assertNotEquals(writer, handedOn.get(10, TimeUnit.SECONDS));
            CompletableFuture<Thread> after = new CompletableFuture<>();
            threads.answering(() -> threads.execute(() -> after.complete(Thread.currentThread())));
            assertEquals(writer, after.getNow(null), "outside a batch the task runs at once");
        } finally {
            threads.stop();
        }
    }
}
