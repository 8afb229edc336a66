package dev.layerwise.kernel.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VectorKernelsWarmUpTest {

    /**
     * The float64 kernels warm up on a thread of their own; an interrupt of the thread that waits for them must not
     * fail the warm-up, or the provider would fall back to the portable kernels for good. It waits, and leaves the
     * interrupt set for the caller.
     */
    @Test
    void anInterruptedCallerStillGetsWarmKernels() {
        Thread.currentThread().interrupt();
        try {
            VectorKernels kernels = new VectorKernels();
            assertEquals("vector", kernels.name());
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is left for the caller");
        } finally {
            Thread.interrupted();
        }
    }
}
