package dev.layerwise.cli;

import dev.layerwise.io.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The NumPy side of {@code layerwise bench}: one Python process running the shipped script, asked for one timed
 * repeat at a time. So the two sides' repeats take turns, and each pair meets the machine in the same state: on a
 * machine shared with others, the speed of both sides drifts by tens of percent from one minute to the next, and
 * repeats taken in two blocks, one side's after the other's, would put that drift into the ratio.
 *
 * <p>A workload is set up and warmed up in the process when it is first asked for; a process that dies is started
 * again at the next request. After each answer it waits for the process to fall idle, so that Layerwise's repeat does
 * not run beside NumPy's threads.
 */
final class NumpySide implements AutoCloseable {
    /** The window over which the process must stay (nearly) idle after an answer; see {@link #waitUntilIdle}. */
    private static final long IDLE_WINDOW_MILLIS = 50;
    private static final long MAX_IDLE_WAIT_MILLIS = 3000;

    private final ProcessBuilder builder;
    private final String who;
    private final long timeoutMinutes;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "layerwise-bench-numpy-watchdog");
        t.setDaemon(true);
        return t;
    });
    private Process process;
    private Writer requests;
    private BufferedReader answers;
    private Path log;

    /** What one repeat took, and the steps it timed when the workload says (C1). */
    record Answer(double seconds, Integer steps) {
    }

    /**
     * @param builder the command that starts the script in its answering mode, with the NumPy side's environment
     * @param who the Python's name in error messages
     */
    NumpySide(ProcessBuilder builder, String who, long timeoutMinutes) {
        this.builder = builder;
        this.who = who;
        this.timeoutMinutes = timeoutMinutes;
    }

    /** Times one repeat of {@code workload} (set up and warmed up first if it is new to the process). */
    Answer once(String workload) throws IOException, InterruptedException {
        if (process == null || !process.isAlive()) {
            start();
        }
        Process p = process;
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> stop = watchdog.schedule(() -> {
            timedOut.set(true);
            p.destroyForcibly();
        }, timeoutMinutes, TimeUnit.MINUTES);
        String line;
        try {
            requests.write(workload + "\n");
            requests.flush();
            line = answers.readLine();
        } catch (IOException e) {
            line = null;
        } finally {
            stop.cancel(false);
        }
        if (line == null) {
            throw ended(p, timedOut.get());
        }
        waitUntilIdle(p);
        Map<?, ?> answer;
        try {
            answer = (Map<?, ?>) Json.parse(line, "the NumPy script's answer");
        } catch (RuntimeException e) {
            throw new IOException("unexpected output from the NumPy script: " + line.strip());
        }
        if (answer.get("error") != null) {
            throw new IOException(String.valueOf(answer.get("error")));
        }
        if (!(answer.get("seconds") instanceof Number seconds)) {
            throw new IOException("unexpected output from the NumPy script: " + line.strip());
        }
        Object steps = answer.get("steps");
        return new Answer(seconds.doubleValue(), steps instanceof Number s ? s.intValue() : null);
    }

    /**
     * Waits, at most {@link #MAX_IDLE_WAIT_MILLIS}, until the process has used the CPU for less than a fifth of a
     * {@link #IDLE_WINDOW_MILLIS} window: OpenBLAS's threads spin for a while after a product before they sleep, and a
     * Layerwise repeat started meanwhile would share the cores with them. Where the system does not report a
     * process's CPU time, it waits the longest.
     */
    private static void waitUntilIdle(Process p) throws InterruptedException {
        long deadline = System.nanoTime() + MAX_IDLE_WAIT_MILLIS * 1_000_000L;
        long last = cpuMillis(p);
        while (System.nanoTime() < deadline) {
            Thread.sleep(IDLE_WINDOW_MILLIS);
            long now = cpuMillis(p);
            if (last >= 0 && now >= 0 && now - last < IDLE_WINDOW_MILLIS / 5) {
                return;
            }
            last = now;
        }
    }

    /** The process's CPU time so far, in milliseconds, or -1 where the system does not say. */
    private static long cpuMillis(Process p) {
        return p.info().totalCpuDuration().map(d -> d.toMillis()).orElse(-1L);
    }

    private void start() throws IOException {
        close();
        log = Files.createTempFile("layerwise-bench-", ".err");
        builder.redirectError(log.toFile());
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IOException(who + " could not be started (" + e.getMessage() + "); use --python or --no-numpy");
        }
        requests = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Why the process gave no answer: the time limit, or its exit with the last line of its error output. */
    private IOException ended(Process p, boolean timedOut) throws InterruptedException, IOException {
        if (timedOut) {
            return new IOException(who + " took more than " + timeoutMinutes + " minutes; stopped");
        }
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new IOException(who + " stopped answering; stopped");
        }
        String[] lines = Files.readString(log, StandardCharsets.UTF_8).strip().split("\n");
        return new IOException(who + " exited with " + p.exitValue() + ": " + lines[lines.length - 1]);
    }

    @Override
    public void close() throws IOException {
        if (process != null) {
            process.getOutputStream().close(); // the script ends at the end of its input
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            process = null;
        }
        if (log != null) {
            Files.deleteIfExists(log);
            log = null;
        }
    }
}
