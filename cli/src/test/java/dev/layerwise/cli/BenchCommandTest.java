package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.layerwise.data.Mnist;
import dev.layerwise.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code layerwise bench}: the documented JSON lines, the NumPy side, and bad usage. */
class BenchCommandTest {
    @TempDir
    Path tmp;

    @Test
    void jsonIsOneObjectPerWorkloadWithTheDocumentedFields() throws Exception {
        Path data = CliTesting.tinyMnist(tmp, 300, 50);
        CliTesting.Run r = CliTesting.run("bench", "--workloads", "T1,C1,W1,W4-1", "--repeats", "1", "--no-numpy",
                "--json", "--data", data.toString());
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().strip().lines().toList();
        List<String> expected = List.of("T1", "C1", "W1", "W4-1");
        List<String> units = List.of("s/run", "s/epoch", "s/epoch", "images/s");
        assertEquals(expected.size(), lines.size(), r.out());
        for (int i = 0; i < expected.size(); i++) {
            Map<?, ?> row = (Map<?, ?>) Json.parse(lines.get(i), "bench output");
            assertEquals(expected.get(i), row.get("workload"));
            assertEquals(units.get(i), row.get("unit"));
            assertTrue(((Number) row.get("layerwise")).doubleValue() > 0, lines.get(i));
            assertTrue(row.containsKey("numpy") && row.get("numpy") == null, "no NumPy side asked for: " + row);
            assertTrue(row.containsKey("ratio") && row.get("ratio") == null, "no ratio without NumPy: " + row);
            assertTrue(((Number) row.get("fma_ceiling_gflops")).doubleValue() > 0, lines.get(i));
            assertTrue(row.containsKey("layerwise_share") && row.get("layerwise_share") == null,
                    "a share of the ceiling for products only: " + row);
            assertTrue(row.containsKey("numpy_corename") && row.get("numpy_corename") == null, lines.get(i));
            assertEquals("best", row.get("numpy_env"));
        }
    }

    /** A product's line carries the ceiling and its share of it. */
    @Test
    void aProductIsReadAgainstTheFmaCeiling() throws Exception {
        CliTesting.Run r = CliTesting.run("bench", "--workloads", "G:64x48x32xnt", "--repeats", "1", "--no-numpy",
                "--json");
        assertEquals(0, r.exit(), r.err());
        Map<?, ?> row = (Map<?, ?>) Json.parse(r.out().strip(), "bench output");
        double layerwise = ((Number) row.get("layerwise")).doubleValue();
        double ceiling = ((Number) row.get("fma_ceiling_gflops")).doubleValue();
        assertTrue(ceiling > 0, r.out());
        assertEquals(layerwise / ceiling, ((Number) row.get("layerwise_share")).doubleValue(), 1e-9 * layerwise);
        assertTrue(row.containsKey("numpy_share") && row.get("numpy_share") == null, r.out());
    }

    @Test
    void theTableNamesTheCeilingAndTheSharesOfIt() {
        CliTesting.Run r = CliTesting.run("bench", "--workloads", "G:64x48x32xnn", "--repeats", "1", "--no-numpy");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("FMA ceiling: ") && r.out().contains("lw/fma"), r.out());
        assertTrue(r.lastLine().strip().endsWith("%"), r.out());
    }

    /** The NumPy side reports its OpenBLAS kernel set, and runs without the variables that pin it. */
    @Test
    void theNumpySideSaysWhichKernelsItRanWithAndRunsUnpinned() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh for a stand-in Python");
        Path python = fakePython();
        CliTesting.Run r = CliTesting.run("bench", "--workloads", "G:8x8x8xnn", "--repeats", "1", "--json",
                "--python", python.toString());
        assertEquals(0, r.exit(), r.err());
        Map<?, ?> row = (Map<?, ?>) Json.parse(r.out().strip(), "bench output");
        assertEquals("FakeCore", row.get("numpy_corename"), r.out());
        assertEquals("9.9.9", row.get("numpy_version"), r.out());
        assertEquals("FakeBLAS 1.0 MAX_THREADS=2", row.get("numpy_config"), r.out());
        assertEquals("best", row.get("numpy_env"), r.out());
        assertTrue(((Number) row.get("numpy")).doubleValue() > 0, r.out());
        for (String side : List.of("INFO", "SERVE")) {
            String env = Files.readString(tmp.resolve("env-" + side + ".txt"));
            assertTrue(!env.contains("OPENBLAS_CORETYPE=") && !env.contains("OPENBLAS_L2_SIZE="), env);
        }

        r = CliTesting.run("bench", "--workloads", "G:8x8x8xnn", "--repeats", "1", "--json", "--python",
                python.toString(), "--numpy-env", "inherit");
        assertEquals(0, r.exit(), r.err());
        row = (Map<?, ?>) Json.parse(r.out().strip(), "bench output");
        assertEquals("inherit", row.get("numpy_env"), r.out());
        String env = Files.readString(tmp.resolve("env-SERVE.txt"));
        for (String name : BenchCommand.PINNING) {
            assertEquals(System.getenv(name) != null, env.contains(name + "="), name + " inherited as it is");
        }
    }

    @Test
    void theBestEnvironmentDropsOnlyTheVariablesThatPinOpenblas() {
        Map<String, String> env = new HashMap<>(Map.of("OPENBLAS_CORETYPE", "Haswell", "OPENBLAS_L2_SIZE", "512",
                "OPENBLAS_NUM_THREADS", "2", "PATH", "/bin"));
        assertEquals(List.of("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"),
                BenchCommand.numpyEnvironment(env, BenchCommand.NumpyEnv.best));
        assertEquals(Set.of("OPENBLAS_NUM_THREADS", "PATH", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"),
                env.keySet());

        env = new HashMap<>(Map.of("OPENBLAS_CORETYPE", "Haswell", "OPENBLAS_L2_SIZE", "512"));
        assertEquals(List.of(), BenchCommand.numpyEnvironment(env, BenchCommand.NumpyEnv.inherit));
        assertEquals("Haswell", env.get("OPENBLAS_CORETYPE"));
        assertEquals("512", env.get("OPENBLAS_L2_SIZE"));
    }

    @Test
    void anUnknownNumpyEnvironmentIsBadUsageNamingTheChoices() {
        CliTesting.Run r = CliTesting.run("bench", "--workloads", "G:8x8x8xnn", "--numpy-env", "pinned");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--numpy-env") && r.err().contains("pinned") && r.err().contains("best")
                && r.err().contains("inherit"), r.err());
    }

    /** The NumPy side is asked for one repeat at a time, in the workloads' order, by one process. */
    @Test
    void theNumpySideAnswersOneRepeatPerRequest() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh for a stand-in Python");
        CliTesting.Run r = CliTesting.run("bench", "--workloads", "G:8x8x8xnn,G:8x8x8xtn", "--repeats", "3",
                "--json", "--python", fakePython().toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("G:8x8x8xnn", "G:8x8x8xnn", "G:8x8x8xnn", "G:8x8x8xtn", "G:8x8x8xtn", "G:8x8x8xtn"),
                Files.readAllLines(tmp.resolve("requests.txt")));
        for (String line : r.out().strip().lines().toList()) {
            Map<?, ?> row = (Map<?, ?>) Json.parse(line, "bench output");
            // 8³ multiply-adds, as many calls as make 2e9 of them, in the stand-in's 0.5 s.
            double calls = Math.floor(2e9 / 512);
            assertEquals(2.0 * 512 * calls / 0.5 / 1e9, ((Number) row.get("numpy")).doubleValue(), 1e-9, line);
        }
    }

    /** A NumPy side that fails, by answering an error or by dying, is reported, and the next workload starts it again. */
    @Test
    void aFailingNumpySideIsReportedAndStartedAgain() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh for a stand-in Python");
        Path python = tmp.resolve("python-failing");
        Files.writeString(python, "#!/bin/sh\n"
                + "[ \"$3\" = SERVE ] || exit 0\n"
                + "while read w; do\n"
                + "  case \"$w\" in\n"
                + "    *nn) echo '{\"workload\": \"'\"$w\"'\", \"error\": \"no such product here\"}' ;;\n"
                + "    *tn) echo 'boom: the process fell over' >&2; exit 3 ;;\n"
                + "    *) echo '{\"workload\": \"'\"$w\"'\", \"seconds\": 0.25}' ;;\n"
                + "  esac\n"
                + "done\n");
        assertTrue(python.toFile().setExecutable(true));
        CliTesting.Run r = CliTesting.run("bench", "--workloads", "G:8x8x8xnn,G:8x8x8xtn,G:8x8x8xnt", "--repeats",
                "2", "--json", "--python", python.toString());
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().strip().lines().toList();
        assertEquals(3, lines.size(), r.out());
        for (int i = 0; i < 2; i++) {
            Map<?, ?> row = (Map<?, ?>) Json.parse(lines.get(i), "bench output");
            assertNull(row.get("numpy"), lines.get(i));
            assertEquals("unavailable", row.get("numpy_note"), lines.get(i));
        }
        assertTrue(r.err().contains("NumPy side of G:8x8x8xnn failed: no such product here"), r.err());
        assertTrue(r.err().contains("NumPy side of G:8x8x8xtn failed: " + python + " exited with 3: "
                + "boom: the process fell over"), r.err());
        Map<?, ?> last = (Map<?, ?>) Json.parse(lines.get(2), "bench output");
        assertTrue(((Number) last.get("numpy")).doubleValue() > 0, lines.get(2));
    }

    /**
     * A stand-in for Python that keeps the environment each of its runs got (in {@code env-WORKLOAD.txt}, SERVE for
     * the answering process), the requests it answered (in {@code requests.txt}), and answers as the NumPy script does.
     */
    private Path fakePython() throws IOException {
        Path python = tmp.resolve("python");
        Files.writeString(python, "#!/bin/sh\n"
                + "env > '" + tmp + "'/env-$(echo \"$3\" | tr : _).txt\n"
                + "if [ \"$3\" = INFO ]; then\n"
                + "  echo '{\"workload\": \"INFO\", \"numpy\": \"9.9.9\", \"corename\": \"FakeCore\", "
                + "\"config\": \"FakeBLAS 1.0 MAX_THREADS=2\"}'\n"
                + "elif [ \"$3\" = SERVE ]; then\n"
                + "  while read w; do\n"
                + "    echo \"$w\" >> '" + tmp + "'/requests.txt\n"
                + "    echo '{\"workload\": \"'\"$w\"'\", \"seconds\": 0.5}'\n"
                + "  done\n"
                + "else\n"
                + "  echo '{\"workload\": \"'\"$3\"'\", \"seconds\": [0.5]}'\n"
                + "fi\n");
        assertTrue(python.toFile().setExecutable(true));
        return python;
    }

    /** E2E times `layerwise train` in a JVM of its own: a run that fails there fails the bench. */
    @Test
    void endToEndRunsTheTrainCommandInAFreshJvm() throws Exception {
        Path data = CliTesting.tinyMnist(tmp, 300, 50);
        CliTesting.Run r = CliTesting.run("bench", "--workloads", "E2E", "--repeats", "1", "--no-numpy", "--json",
                "--data", data.toString());
        assertEquals(0, r.exit(), r.err());
        Map<?, ?> row = (Map<?, ?>) Json.parse(r.out().strip(), "bench output");
        assertEquals("E2E", row.get("workload"));
        assertEquals("s/run", row.get("unit"));
        assertTrue(((Number) row.get("layerwise")).doubleValue() > 0, r.out());

        Path broken = Files.createDirectories(tmp.resolve("broken"));
        Files.copy(data.resolve(Mnist.TRAIN_LABELS), broken.resolve(Mnist.TRAIN_IMAGES));
        r = CliTesting.run("bench", "--workloads", "E2E", "--repeats", "1", "--no-numpy", "--data", broken.toString());
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.err().contains("layerwise train exited with 1"), r.err());
    }

    @Test
    void theRatioComparesBothSidesTheRightWayRound() throws Exception {
        assumeTrue(numpyAvailable(), "python3 with NumPy is not installed here; the NumPy side is not tested");
        CliTesting.Run r = CliTesting.run("bench", "--workloads", "G:64x48x32xnn,G:32x48x64xtn", "--repeats", "1",
                "--json");
        assertEquals(0, r.exit(), r.err());
        for (String line : r.out().strip().lines().toList()) {
            Map<?, ?> row = (Map<?, ?>) Json.parse(line, "bench output");
            double layerwise = ((Number) row.get("layerwise")).doubleValue();
            double numpy = ((Number) row.get("numpy")).doubleValue();
            assertEquals("GFLOP/s", row.get("unit"));
            assertTrue(layerwise > 0 && numpy > 0, line);
            // GFLOP/s: higher is better, so a ratio above 1 means Layerwise is faster.
            assertEquals(layerwise / numpy, ((Number) row.get("ratio")).doubleValue(), 1e-9 * layerwise / numpy);
        }
    }

    @Test
    void aPythonThatCannotStartLeavesTheNumpySideEmptyAndSaysWhatToDo() throws Exception {
        CliTesting.Run r = CliTesting.run("bench", "--workloads", "G:8x8x8xnn", "--repeats", "1", "--json",
                "--python", tmp.resolve("no-such-python").toString());
        assertEquals(0, r.exit(), r.err());
        Map<?, ?> row = (Map<?, ?>) Json.parse(r.out().strip(), "bench output");
        assertNull(row.get("numpy"), r.out());
        assertEquals("unavailable", row.get("numpy_note"), r.out());
        assertTrue(r.err().contains("no-such-python could not be started") && r.err().contains("--no-numpy"),
                r.err());
    }

    @Test
    void anUnknownWorkloadIsBadUsageNamingIt() {
        CliTesting.Run r = CliTesting.run("bench", "--workloads", "W3", "--no-numpy");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown workload 'W3'"), r.err());
    }

    @Test
    void repeatsBelowOneAreRefused() {
        CliTesting.Run r = CliTesting.run("bench", "--workloads", "G:8x8x8xnn", "--repeats", "0", "--no-numpy");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--repeats must be at least 1, got 0"), r.err());
    }

    private static boolean numpyAvailable() throws IOException, InterruptedException {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
