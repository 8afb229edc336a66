package dev.layerwise.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RngTest {

    @Test
    void sameSeedSameSequenceAndStateRoundTrips() {
        Rng a = new Rng(42);
        Rng b = new Rng(42);
        for (int i = 0; i < 1000; i++) {
            assertEquals(a.nextLong(), b.nextLong());
        }
        a.nextGaussian();
        Rng c = Rng.fromState(a.state());
        for (int i = 0; i < 100; i++) {
            assertEquals(a.nextGaussian(), c.nextGaussian(), "the spare Gaussian is part of the state");
            assertEquals(a.nextInt(60000), c.nextInt(60000));
        }
        assertNotEquals(new Rng(1).nextLong(), new Rng(2).nextLong());
        assertThrows(IllegalArgumentException.class, () -> Rng.fromState(new long[] {0, 0, 0, 0, 0, 0}));
    }

    @Test
    void distributionsLookRight() {
        Rng r = new Rng(7);
        int n = 200_000;
        double sum = 0;
        double sumSq = 0;
        int[] counts = new int[10];
        for (int i = 0; i < n; i++) {
            double g = r.nextGaussian();
            sum += g;
            sumSq += g * g;
            counts[r.nextInt(10)]++;
            double u = r.nextDouble();
            assertTrue(u >= 0 && u < 1);
        }
        assertEquals(0, sum / n, 0.01);
        assertEquals(1, sumSq / n, 0.02);
        for (int c : counts) {
            assertEquals(n / 10.0, c, n / 10.0 * 0.03);
        }
    }
}
