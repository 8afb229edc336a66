package dev.layerwise.bench;

import dev.layerwise.kernel.KernelProvider;
import dev.layerwise.kernel.Kernels;
import dev.layerwise.util.Rng;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Float32 matrix products at the shapes the networks use ({@code MxNxK} and which operand is transposed), on both
 * kernel providers. Divide {@code 2·M·N·K} by the time for GFLOP/s.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class GemmBenchmark {
    /** M×N×K×KIND: nn = a·b, tn = aᵀ·b (dW = xᵀ·dout), nt = a·bᵀ (dx = dout·Wᵀ). */
    @Param({"100x50x784xnn", "784x50x100xtn", "100x784x50xnt", "100x10x50xnn", "57600x30x25xnt",
        "128x1024x1024xnn", "1024x1024x1024xnn"})
    public String shape;

    @Param({"vector", "portable"})
    public String kernels;

    private Kernels k;
    private int m;
    private int n;
    private int kk;
    private boolean ta;
    private boolean tb;
    private float[] a;
    private float[] b;
    private float[] c;

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        m = Integer.parseInt(p[0]);
        n = Integer.parseInt(p[1]);
        kk = Integer.parseInt(p[2]);
        ta = p[3].equals("tn");
        tb = p[3].equals("nt");
        k = kernels.equals("vector") ? KernelProvider.vector() : KernelProvider.portable();
        if (k == null) {
            throw new IllegalStateException(KernelProvider.vectorUnavailableReason());
        }
        Rng rng = new Rng(1);
        a = random(m * kk, rng);
        b = random(kk * n, rng);
        c = new float[m * n];
    }

    static float[] random(int size, Rng rng) {
        float[] f = new float[size];
        for (int i = 0; i < size; i++) {
            f[i] = (float) rng.nextGaussian();
        }
        return f;
    }

    @Benchmark
    public float[] gemm() {
        k.matrix().gemm(ta, tb, m, n, kk, a, 0, b, 0, c, 0, false);
        return c;
    }
}
