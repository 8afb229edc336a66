package dev.layerwise.kernel.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.kernel.KernelProvider;
import dev.layerwise.testing.TwoKernelThreads;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TwoKernelThreads.class)
class VectorKernelsWarmUpTest {

    /**
     * An interrupt of the thread that creates the kernels must neither fail the warm-up (the provider would fall back
     * to the portable kernels for good) nor be swallowed.
     */
    @Test
    void anInterruptedCallerStillGetsWarmKernels() {
        Thread.currentThread().interrupt();
        try {
            VectorKernels kernels = new VectorKernels(KernelProvider.portable());
            assertEquals("vector", kernels.get().name());
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is left for the caller");
        } finally {
            Thread.interrupted();
        }
    }

    /** A float32 run never pays for the float64 warm-up; the first float64 call does, and only it. */
    @Test
    void theFloat64KernelsWarmUpAtTheirFirstCall() {
        VectorKernels kernels = new VectorKernels(KernelProvider.portable());
        float[] f = {-1f, 2f};
        kernels.get().elementwise().reluForward(2, f, 0, new boolean[2], new float[2], 0);
        assertFalse(kernels.doublesWarmedUp(), "float32 kernels do not warm the float64 ones up");

        double[] out = new double[2];
        kernels.get().elementwise().reluForward(2, new double[] {-1, 2}, 0, new boolean[2], out, 0);
        assertTrue(kernels.doublesWarmedUp());
        assertArrayEquals(new double[] {0, 2}, out);
    }

    /**
     * The first float64 calls, from two application threads at once and each split over both kernel threads, compute
     * what they should and do not deadlock: a thread that comes while another warms up waits for it.
     */
    @Test
    void concurrentFirstCallsComputeRightWithoutDeadlock() throws Exception {
        VectorKernels kernels = new VectorKernels(KernelProvider.portable());
        int n = 1 << 20;
        double[] x = new double[n];
        double[] expected = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = (i % 5) - 2;
            expected[i] = Math.max(x[i], 0);
        }
        Callable<double[]> relu = () -> {
            double[] out = new double[n];
            kernels.get().elementwise().reluForward(n, x, 0, new boolean[n], out, 0);
            return out;
        };
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                Future<double[]> first = callers.submit(relu);
                Future<double[]> second = callers.submit(relu);
                assertArrayEquals(expected, first.get());
                assertArrayEquals(expected, second.get());
            });
        } finally {
            callers.shutdownNow();
        }
        assertTrue(kernels.doublesWarmedUp());
    }
}
