package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** S1's warm-up: it waits for the rate to stop rising and for the JIT to fall idle. */
class ServeLoadTest {
    /** Windows of 100 ms at a steady rate, the JIT busy through the first {@code compilingWindows}. */
    private static int windowsOfWarmUp(int compilingWindows) {
        AtomicInteger windows = new AtomicInteger();
        AtomicLong compileMillis = new AtomicLong();
        ServeLoad.warmUp(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            if (windows.incrementAndGet() <= compilingWindows) {
                compileMillis.addAndGet(100);
            }
            return 1000.0;
        }, compileMillis::get);
        return windows.get();
    }

    @Test
    void aWarmUpLastsUntilTheJitIsIdleForThreeWindows() {
        // The first window sets the rate; the next 30 see the JIT compiling; three idle ones end it, past the
        // shortest warm-up (2 s).
        assertEquals(34, windowsOfWarmUp(31));
    }

    @Test
    void anIdleJitLeavesTheShortestWarmUp() {
        // Steady from the start: three flat windows come early, so the shortest warm-up decides, ending at the first
        // window past it.
        long start = System.nanoTime();
        windowsOfWarmUp(0);
        long millis = (System.nanoTime() - start) / 1_000_000;
        long shortest = ServeLoad.MIN_WARM_UP.toMillis();
        assertTrue(millis >= shortest && millis < shortest + 1000, millis + " ms");
    }
}
