package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.model.Model;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C during {@code train}, as a user presses it: the tool runs in a JVM of its own, which gets SIGINT
 * ({@code kill -INT}); its standard output and error go to one file, as they reach one terminal.
 */
class TrainInterruptTest {
    @TempDir
    Path tmp;

    @Test
    void ctrlCDuringTrainingSaysInterruptedOnALineOfItsOwnAndWhereTheCheckpointIs() throws Exception {
        Path data = CliTesting.tinyMnist(Files.createDirectories(tmp.resolve("mnist")), 300, 60);
        Path model = tmp.resolve("m.lw");
        Interrupted r = interrupt(out -> Files.exists(model) && out.contains("it/s"), "train", "--data",
                data.toString(), "--iterations", "1000000", "--batch-size", "30", "--save", model.toString(),
                "--checkpoint-every", "3", "--progress", "always");
        String last = r.lastLine();
        assertTrue(last.matches("interrupted at iteration \\d+ of 1000000; the last checkpoint, at iteration \\d+, is in "
                + java.util.regex.Pattern.quote(model.toString()) + " \\(--resume .* continues it\\)"), r.output());
        int checkpoint = Integer.parseInt(last.replaceAll(".*at iteration (\\d+), is in.*", "$1"));
        assertEquals(checkpoint, ((Number) Model.load(model).training().meta().get("iteration")).intValue(),
                "the file holds the checkpoint the line names");
        assertEquals(130, r.exit(), "128 + SIGINT, as the shell reports a process stopped by Ctrl-C");
    }

    @Test
    void theModelIsSavedBeforeTheFinalEvaluationWhichShowsItsProgress() throws Exception {
        // A wide network and many test images: the final evaluation takes long enough to be interrupted in.
        Path data = CliTesting.tinyMnist(Files.createDirectories(tmp.resolve("mnist")), 100, 20_000);
        Path model = tmp.resolve("m.lw");
        Interrupted r = interrupt(out -> out.contains("final evaluation on all 20,100 images"), "train", "--data",
                data.toString(), "--arch", "mlp", "--hidden", "1000,1000", "--iterations", "2", "--batch-size", "10",
                "--eval-sample", "10", "--save", model.toString(), "--progress", "always");
        assertEquals("interrupted during the final evaluation; the trained model is saved in " + model, r.lastLine(),
                r.output());
        assertEquals(2, ((Number) Model.load(model).training().meta().get("iteration")).intValue());
        assertEquals(130, r.exit());
    }

    /** What an interrupted run printed (standard output and error together) and its exit code. */
    record Interrupted(int exit, String output) {
        /** The last line, checked to begin a line of its own: after a line feed, not after a progress bar's text. */
        String lastLine() {
            String out = output.endsWith("\n") ? output.substring(0, output.length() - 1) : output;
            int start = out.lastIndexOf('\n') + 1;
            String last = out.substring(start);
            assertTrue(!last.contains("\r"), "the last line shares a line with a progress bar: " + output);
            return last;
        }
    }

    /**
     * Runs the command line in a JVM of its own, waits until its output satisfies {@code ready}, sends it SIGINT, and
     * waits for it to end.
     */
    private Interrupted interrupt(IoPredicate<String> ready, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        boolean sigintIgnored = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("SigIgn:")).anyMatch(l -> (Long.parseLong(l.substring(7).trim(), 16) & 2) != 0);
        if (sigintIgnored) {
            // Started in the background by a shell, this JVM ignores SIGINT, and so would its child, whose JVM then
            // installs no handler for it: GNU env starts the child with the signal's default action.
            Assumptions.assumeTrue(new ProcessBuilder("env", "--default-signal=INT", "true").start().waitFor() == 0,
                    "SIGINT is ignored here and env cannot restore it");
            command.addAll(List.of("env", "--default-signal=INT"));
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules",
                "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Path outFile = tmp.resolve("output.txt");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(outFile.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (!ready.test(Files.readString(outFile, StandardCharsets.UTF_8))) {
                assertTrue(p.isAlive(), "the run ended before it could be interrupted: " + Files.readString(outFile));
                assertTrue(System.nanoTime() < deadline, "not ready within 2 minutes: " + Files.readString(outFile));
                Thread.sleep(20);
            }
            assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor());
            assertTrue(p.waitFor(1, TimeUnit.MINUTES), "the run did not end after SIGINT");
            return new Interrupted(p.exitValue(), Files.readString(outFile, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    @FunctionalInterface
    interface IoPredicate<T> {
        boolean test(T t) throws IOException;
    }
}
