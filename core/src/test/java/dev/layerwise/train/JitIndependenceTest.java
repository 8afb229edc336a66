package dev.layerwise.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.layerwise.data.DataSet;
import dev.layerwise.net.Activation;
import dev.layerwise.net.MultiLayerNet;
import dev.layerwise.optim.Optimizers;
import dev.layerwise.tensor.DType;
import dev.layerwise.util.Rng;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The same seed gives the same bits whether the kernels run interpreted or compiled: a short training run in this
 * (warmed-up) JVM and in a fresh one with {@code -Xint} (no JIT at all) end with identical parameters. A kernel whose
 * compiled form rounds differently from its interpreted one (the Vector API's own EXP does) would make results depend
 * on when the JIT got to it. The child JVM runs at the machine's own vector width: in the test execution limited to
 * AVX2, on an AVX-512 machine, this also checks that both widths give the same bits.
 */
class JitIndependenceTest {

    /** Trains a small sigmoid MLP with Adam for a few steps and returns a fingerprint of the parameters' bits. */
    static String run(DType dtype) {
        DataSet train = TrainerTest.blobs(300, 1, dtype);
        MultiLayerNet net = new MultiLayerNet(16, List.of(24, 16), 3,
                new MultiLayerNet.Options(Activation.SIGMOID, dev.layerwise.net.WeightInit.xavier(), 0.01), dtype,
                new Rng(4));
        Trainer.builder(net, Optimizers.create("adam"), train, null).iterations(12).batchSize(50).seed(9).build()
                .run();
        return Arrays.toString(net.parameters().flatValues().toDoubleArray()).hashCode() + ":"
                + net.parameters().flatValues().getDouble(7);
    }

    /** Entry point of the child JVM: prints the fingerprints. */
    public static void main(String[] args) {
        System.out.println(run(DType.FLOAT32) + " " + run(DType.FLOAT64));
    }

    @Test
    void interpretedAndCompiledKernelsGiveTheSameBits() throws Exception {
        for (int i = 0; i < 30; i++) {
            run(DType.FLOAT32);
            run(DType.FLOAT64);
        }
        String here = run(DType.FLOAT32) + " " + run(DType.FLOAT64);
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        cmd.add("-Xint");
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        String kernels = System.getProperty("layerwise.kernels");
        if (kernels != null) {
            cmd.add("-Dlayerwise.kernels=" + kernels);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(JitIndependenceTest.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor(10, TimeUnit.MINUTES);
        assertEquals(0, p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(here, out, "the interpreted run ends elsewhere");
    }
}
