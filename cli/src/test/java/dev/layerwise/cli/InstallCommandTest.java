package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstallCommandTest {
    @TempDir
    Path dir;

    @AfterEach
    void forgetTheLauncher() {
        System.clearProperty(InstallCommand.LAUNCHER_PROPERTY);
        System.clearProperty(InstallCommand.JAR_PROPERTY);
    }

    @Test
    void copiesLinksAndWritesTheCompletion() throws Exception {
        Path launcher = Files.writeString(dir.resolve("layerwise"), "#!/usr/bin/env bash\necho launcher\n");
        Path jar = Files.write(dir.resolve("layerwise.jar"), new byte[] {'P', 'K', 3, 4});
        System.setProperty(InstallCommand.LAUNCHER_PROPERTY, launcher.toString());
        System.setProperty(InstallCommand.JAR_PROPERTY, jar.toString());
        Path prefix = dir.resolve("prefix");
        for (int time = 0; time < 2; time++) { // a second install replaces the first
            CliTesting.Run r = CliTesting.run("install", "--prefix", prefix.toString());
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("installed " + prefix.resolve("bin/layerwise")), r.out());
        }
        Path link = prefix.resolve("bin/layerwise");
        assertTrue(Files.isSymbolicLink(link));
        assertEquals(prefix.resolve("lib/layerwise/layerwise").toRealPath(), link.toRealPath());
        assertTrue(Files.isExecutable(link));
        assertArrayEquals(Files.readAllBytes(jar), Files.readAllBytes(prefix.resolve("lib/layerwise/layerwise.jar")));
        String completion = Files.readString(prefix.resolve("share/bash-completion/completions/layerwise"));
        assertTrue(completion.contains("complete -F") && completion.contains("--batch-size"), "a completion script");
    }

    @Test
    void refusesToReplaceAFileItDidNotMake() throws Exception {
        System.setProperty(InstallCommand.LAUNCHER_PROPERTY, Files.writeString(dir.resolve("l"), "x").toString());
        System.setProperty(InstallCommand.JAR_PROPERTY, Files.writeString(dir.resolve("j"), "x").toString());
        Path bin = Files.createDirectories(dir.resolve("p/bin"));
        Files.writeString(bin.resolve("layerwise"), "someone else's");
        CliTesting.Run r = CliTesting.run("install", "--prefix", dir.resolve("p").toString());
        assertEquals(Main.FAILURE, r.exit());
        assertTrue(r.err().contains(bin.resolve("layerwise") + " exists and is not a link this command made"),
                r.err());
        assertEquals("someone else's", Files.readString(bin.resolve("layerwise")));
    }

    @Test
    void needsTheLauncher() {
        CliTesting.Run r = CliTesting.run("install", "--prefix", dir.toString());
        assertEquals(Main.USAGE, r.exit());
        assertTrue(r.err().contains("run it through the launcher, ./layerwise install"), r.err());
    }
}
