package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real launcher, after the jar is built: started through a link, and installed. */
class LauncherIT {
    private static final Path LAUNCHER = Path.of("..", "layerwise").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private static String run(Path program, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", program.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the launcher finished");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void runsThroughALinkOnThePath() throws Exception {
        Path link = Files.createSymbolicLink(Files.createDirectories(dir.resolve("bin")).resolve("layerwise"),
                LAUNCHER);
        assertTrue(run(link, "--version").startsWith("layerwise "), "the launcher found its checkout");
    }

    @Test
    void installsACopyThatRunsWithoutTheCheckout() throws Exception {
        Path prefix = dir.resolve("prefix");
        String out = run(LAUNCHER, "install", "--prefix", prefix.toString());
        assertTrue(out.contains("installed " + prefix.resolve("bin/layerwise")), out);
        Path installed = prefix.resolve("bin/layerwise");
        assertTrue(run(installed, "--version").startsWith("layerwise "));
        String help = run(installed, "train", "--help");
        assertTrue(help.contains("--batch-size"), help);
    }

    @Test
    void ctrlCStopsTheWholeProcessGroupAndTheInterruptedLineGetsThrough() throws Exception {
        // A terminal's Ctrl-C sends SIGINT to every process of the foreground group: the launcher, the JVM and the
        // filter of the JVM's standard error, which must outlive the JVM to pass its last line on.
        Path data = CliTesting.tinyMnist(Files.createDirectories(dir.resolve("mnist")), 300, 60);
        Path output = dir.resolve("output.txt");
        List<String> command = new ArrayList<>();
        if (new ProcessBuilder("env", "--default-signal=INT", "true").start().waitFor() == 0) {
            command.addAll(List.of("env", "--default-signal=INT")); // see TrainInterruptTest
        }
        command.addAll(List.of("setsid", "bash", LAUNCHER.toString(), "train", "--data", data.toString(),
                "--iterations", "1000000", "--batch-size", "30"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (!Files.readString(output).contains("two-layer 784-50-10")) {
                assertTrue(p.isAlive() && System.nanoTime() < deadline, Files.readString(output));
                Thread.sleep(20);
            }
            // setsid started the launcher as the leader of a group of its own: the group's id is its process id.
            assertEquals(0, new ProcessBuilder("kill", "-INT", "--", "-" + p.pid()).start().waitFor());
            assertTrue(p.waitFor(1, TimeUnit.MINUTES), "the launcher did not end after SIGINT");
            String out = Files.readString(output, StandardCharsets.UTF_8);
            assertEquals(130, p.exitValue(), out);
            assertTrue(out.matches("(?s).*\ninterrupted at iteration \\d+ of 1000000; nothing was saved \\(--save FILE "
                    + "keeps a run\\)\n"), out);
        } finally {
            p.destroyForcibly();
        }
    }
}
