package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real launcher, after the jar is built: started through a link, and installed. */
class LauncherIT {
    private static final Path LAUNCHER = Path.of("..", "layerwise").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private static String run(Path program, String... args) throws IOException, InterruptedException {
        return run(program, true, args);
    }

    /** Runs the launcher under this JVM's JDK; returns its standard output, and its errors too if merged. */
    private static String run(Path program, boolean mergeErrors, String... args)
            throws IOException, InterruptedException {
        return run(program, mergeErrors, Map.of(), args);
    }

    /** As {@link #run(Path, boolean, String...)}, with {@code env} added to the launcher's environment. */
    private static String run(Path program, boolean mergeErrors, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", program.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(mergeErrors);
        if (!mergeErrors) {
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        }
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().putAll(env);
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

    /**
     * With 256-bit vectors the launcher asks for G1's loop strips, which the serial collector leaves off (C2's code
     * for the products' register tiles is slow without them), and JAVA_OPTS can still turn them off.
     */
    @Test
    void asksForLoopStripsWhereVectorsAre256BitsWide() throws Exception {
        String on = run(LAUNCHER, true, Map.of("JAVA_OPTS", "-XX:UseAVX=2 -XX:+PrintFlagsFinal"), "--version");
        assertEquals("true", flag(on, "UseCountedLoopSafepoints"), on);
        assertEquals("1000", flag(on, "LoopStripMiningIter"), on);
        assertEquals("true", flag(on, "UseSerialGC"), on);
        String off = run(LAUNCHER, true, Map.of("JAVA_OPTS",
                "-XX:UseAVX=2 -XX:-UseCountedLoopSafepoints -XX:LoopStripMiningIter=0 -XX:+PrintFlagsFinal"),
                "--version");
        assertEquals("false", flag(off, "UseCountedLoopSafepoints"), off);
        assertEquals("0", flag(off, "LoopStripMiningIter"), off);
    }

    /** A flag's value in the JVM's {@code -XX:+PrintFlagsFinal} table. */
    private static String flag(String table, String name) {
        Matcher m = Pattern.compile("^\\s*\\S+\\s+" + name + "\\s+=\\s+(\\S+)", Pattern.MULTILINE).matcher(table);
        assertTrue(m.find(), name + " is in the flags table");
        return m.group(1);
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

    private static String accuracy(String out) {
        Matcher m = Pattern.compile("accuracy (0\\.\\d+)").matcher(out);
        assertTrue(m.find(), out);
        return m.group(1);
    }

    @Test
    void startsLaterRunsFromAnAheadOfTimeCacheOnJdk25() throws Exception {
        assumeTrue(Runtime.version().feature() >= 25,
                "the ahead-of-time cache needs JDK 25 or later (the build runs this test on JDK 25 too)");
        Path prefix = dir.resolve("prefix");
        run(LAUNCHER, "install", "--prefix", prefix.toString());
        Path installed = prefix.resolve("bin/layerwise");
        StringBuilder table = new StringBuilder("x1,x2,label\n");
        for (int i = 0; i < 200; i++) {
            double x = (i % 20) / 10.0 - 1;
            double y = (i / 20) / 5.0 - 1;
            table.append(x).append(',').append(y).append(',').append(x * y > 0 ? "same" : "other").append('\n');
        }
        Path csv = Files.writeString(dir.resolve("quadrants.csv"), table);
        String[] train = {"train", "--csv", csv.toString(), "--label", "label", "--val-split", "0.2",
                "--arch", "mlp", "--iterations", "40", "--quiet"};

        String recorded = run(installed, false, train);
        List<Path> caches;
        try (var files = Files.list(installed.toRealPath().getParent())) {
            caches = files.filter(f -> f.getFileName().toString().endsWith(".aot")).toList();
        }
        assertEquals(1, caches.size(), "one cache beside the installed jar: " + caches);
        String cached = run(installed, false, train);
        for (String out : List.of(recorded, cached)) {
            assertFalse(out.contains("AOT") || out.contains("[aot]") || out.contains("[cds]"),
                    "nothing from the JVM on standard output: " + out);
        }
        assertEquals(accuracy(recorded), accuracy(cached), "the same run with the cache");
        String withCache = run(installed, true, "--version");
        assertTrue(withCache.startsWith("layerwise "), withCache);
    }
}
