package dev.layerwise.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.net.WeightInit;
import org.junit.jupiter.api.Test;

/**
 * The book's {@code weight_init_activation_histogram.py} with ReLU (its figure 6-14): with std 0.01 the activations
 * vanish layer after layer, with Xavier they shrink (ReLU halves the variance that Xavier keeps), with He they keep
 * their spread.
 */
class WeightInitActivationsTest {
    static double std(double[] a) {
        double mean = 0;
        for (double v : a) {
            mean += v;
        }
        mean /= a.length;
        double ss = 0;
        for (double v : a) {
            ss += (v - mean) * (v - mean);
        }
        return Math.sqrt(ss / a.length);
    }

    @Test
    void stdPointZeroOneVanishesXavierShrinksHeKeepsItsSpread() {
        double[][] small = WeightInitComparison.activations(WeightInit.std(0.01), 1);
        double[][] xavier = WeightInitComparison.activations(WeightInit.xavier(), 1);
        double[][] he = WeightInitComparison.activations(WeightInit.he(), 1);
        assertEquals(5, he.length);
        assertEquals(1000 * 100, he[4].length);
        assertTrue(std(small[4]) < 1e-5, "std 0.01: " + std(small[4]));
        // Each ReLU layer with Xavier weights halves the variance: about (1/√2)^4 = 0.25 over four layers.
        double shrink = std(xavier[4]) / std(xavier[0]);
        assertTrue(shrink > 0.15 && shrink < 0.4, "Xavier layer 5 / layer 1: " + shrink);
        double keep = std(he[4]) / std(he[0]);
        assertTrue(keep > 0.7 && keep < 1.4, "He layer 5 / layer 1: " + keep);
        for (double[] layer : he) {
            for (double v : layer) {
                assertTrue(v >= 0, "ReLU output");
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameActivations() {
        assertArrayEquals(WeightInitComparison.activations(WeightInit.he(), 7)[4],
                WeightInitComparison.activations(WeightInit.he(), 7)[4]);
    }

    @Test
    void histogramCountsAsNumpyWithRangeZeroToOne() {
        // np.histogram([0, 0.01, 1/30, 0.5, 0.999, 1.0, 1.5, -0.1], 30, range=(0, 1)):
        // bin 0 holds 0 and 0.01, bin 1 holds 1/30, bin 15 holds 0.5, the last (closed) bin 0.999 and 1.0.
        long[] counts = WeightInitComparison.histogram(new double[] {0, 0.01, 1.0 / 30, 0.5, 0.999, 1.0, 1.5, -0.1});
        long[] expected = new long[30];
        expected[0] = 2;
        expected[1] = 1;
        expected[15] = 1;
        expected[29] = 2;
        assertArrayEquals(expected, counts);
    }
}
