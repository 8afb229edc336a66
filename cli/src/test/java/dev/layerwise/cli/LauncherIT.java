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
}
