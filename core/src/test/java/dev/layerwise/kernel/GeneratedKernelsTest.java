package dev.layerwise.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The float64 kernels generated from the float32 ones are what {@link GenerateDoubleKernels} writes today. */
class GeneratedKernelsTest {

    /** The repository root: the tests run in the {@code core} module's directory. */
    private static Path root() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("core/src")) ? here : here.getParent();
    }

    @Test
    void everyGeneratedFileIsUpToDate() throws IOException {
        Path root = root();
        for (String source : GenerateDoubleKernels.SOURCES) {
            String floats = Files.readString(root.resolve(source), StandardCharsets.UTF_8);
            Path target = root.resolve(GenerateDoubleKernels.target(source));
            assertTrue(Files.exists(target), target + " is missing: run GenerateDoubleKernels");
            assertEquals(GenerateDoubleKernels.generate(source, floats), Files.readString(target, StandardCharsets.UTF_8),
                    target + " is stale: run java core/src/test/java/dev/layerwise/kernel/GenerateDoubleKernels.java "
                            + "from the repository root");
        }
    }

    @Test
    void theTransformationChangesTheTypeAndNothingElse() {
        String floats = "final class FloatX {\n    static float f(float[] x, int i) {\n"
                + "        return (float) Math.sqrt(x[i]) + 0.5f; // float32\n    }\n}\n";
        String doubles = GenerateDoubleKernels.generate("a/FloatX.java", floats);
        assertEquals(GenerateDoubleKernels.generate("a/FloatX.java", ""), doubles.substring(0, doubles.indexOf("@")));
        assertEquals("@SuppressWarnings(\"cast\")\nfinal class DoubleX {\n    static double f(double[] x, int i) {\n"
                + "        return (double) Math.sqrt(x[i]) + 0.5d; // float64\n    }\n}\n",
                doubles.substring(doubles.indexOf("@")));
        assertEquals("a/DoubleX.java", GenerateDoubleKernels.target("a/FloatX.java"));
    }
}
