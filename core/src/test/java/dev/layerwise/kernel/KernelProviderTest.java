package dev.layerwise.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.api.Test;

class KernelProviderTest {

    @Test
    void theChosenKernelsAreTheOnesAskedFor() {
        String forced = System.getProperty(KernelProvider.PROPERTY, "");
        String expected = forced.isEmpty() ? "vector" : forced;
        assertEquals(expected, Kernels.get().name(),
                "the build enables jdk.incubator.vector, so the Vector API kernels load unless forced otherwise");
        assertNotNull(KernelProvider.vector(), String.valueOf(KernelProvider.vectorUnavailableReason()));
        assertEquals("portable", KernelProvider.portable().name());
    }
}
