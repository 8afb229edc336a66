package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java example, as written there: compiled against the library, run on MNIST, and its printed test
 * accuracy is the figure its comment promises (the CLI's default run).
 */
class ReadmeJavaExampleIT {
    @TempDir
    Path dir;

    @Test
    void compilesRunsAndPrintsTheFigureItPromises() throws IOException, InterruptedException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int section = readme.indexOf("## Using it from Java");
        int start = readme.indexOf("```java\n", section) + "```java\n".length();
        String code = readme.substring(start, readme.indexOf("```", start));
        Matcher promised = Pattern.compile("\"test accuracy %.4f%n\".*// (0\\.\\d{4})").matcher(code);
        assertTrue(promised.find(), "the example says which figure it prints:\n" + code);
        Matcher cls = Pattern.compile("public class (\\w+)").matcher(code);
        assertTrue(cls.find(), "the example is a class");
        Path source = Files.writeString(dir.resolve(cls.group(1) + ".java"), code);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int compiled = javac.run(null, null, null, "--release", "17", "-cp", System.getProperty("java.class.path"),
                "-d", dir.toString(), source.toString());
        assertEquals(0, compiled, "the README's example compiles");

        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp",
                dir + System.getProperty("path.separator") + System.getProperty("java.class.path"), cls.group(1)))
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("test accuracy " + promised.group(1)), "prints " + promised.group(1) + ":\n" + out);
        assertTrue(Files.isRegularFile(dir.resolve("mnist.lw")), "and saves the model");
    }
}
