package dev.layerwise.kernel.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.util.Rng;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class VectorMathTest {

    @Test
    void floatExpIsAccurateAndTheSameInALaneAndInTheScalarTwin() {
        Rng rng = new Rng(1);
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        float[] x = new float[lanes * 4000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) ((rng.nextDouble() - 0.5) * (i % 7 == 0 ? 220 : 40));
        }
        float[] special = {0f, -0f, 1f, -1f, 88.7f, 88.73f, 89f, 100f, -87.3f, -100f, -103.9f, -104f, -200f,
            Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, 1e-30f};
        System.arraycopy(special, 0, x, 0, special.length);
        float[] out = new float[x.length];
        VectorMath.exp(x.length, x, 0, out, 0);
        for (int i = 0; i < x.length; i++) {
            float scalar = VectorMath.exp(x[i]);
            assertEquals(Float.floatToIntBits(scalar), Float.floatToIntBits(out[i]), "lane and scalar at " + x[i]);
            float expected = (float) Math.exp(x[i]);
            if (Float.isNaN(expected)) {
                assertTrue(Float.isNaN(scalar));
            } else if (expected == 0 || Float.isInfinite(expected) || Math.abs(expected) < Float.MIN_NORMAL) {
                assertTrue(Math.abs(scalar - expected) <= 2 * Math.ulp(Float.MIN_NORMAL) || scalar == expected,
                        x[i] + ": " + scalar + " vs " + expected);
            } else {
                assertTrue(Math.abs(scalar - expected) <= 2 * Math.ulp(expected), x[i] + ": " + scalar + " vs "
                        + expected);
            }
        }
    }

    /**
     * A call below {@link VectorMath#SCALAR_BELOW} runs the scalar twin, one above it the vector loop: each element
     * comes out the same either way, so a softmax gives the same bits whatever its size.
     */
    @Test
    void shortCallsGiveTheBitsOfTheVectorLoop() {
        Rng rng = new Rng(3);
        int n = VectorMath.SCALAR_BELOW - 1;
        float[] f = new float[n];
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) ((rng.nextDouble() - 0.5) * 60);
            d[i] = (rng.nextDouble() - 0.5) * 300;
        }
        float[] fShort = new float[n];
        float[] fVector = new float[n];
        VectorMath.exp(n, f, 0, fShort, 0);
        int done = VectorMath.expVector(n, f, 0, fVector, 0);
        assertTrue(done > n - 2 * FloatVector.SPECIES_PREFERRED.length(), "the vector loop did " + done + " of " + n);
        double[] dShort = new double[n];
        double[] dVector = new double[n];
        VectorMath.exp(n, d, 0, dShort, 0);
        int dDone = VectorMath.expVector(n, d, 0, dVector, 0);
        assertTrue(dDone > n - 2 * DoubleVector.SPECIES_PREFERRED.length(), "the vector loop did " + dDone + " of " + n);
        for (int i = 0; i < done; i++) {
            assertEquals(Float.floatToIntBits(fVector[i]), Float.floatToIntBits(fShort[i]), "float at " + f[i]);
        }
        for (int i = 0; i < dDone; i++) {
            assertEquals(Double.doubleToLongBits(dVector[i]), Double.doubleToLongBits(dShort[i]), "double at " + d[i]);
        }
    }

    @Test
    void doubleExpIsAccurateAndTheSameInALaneAndInTheScalarTwin() {
        Rng rng = new Rng(2);
        int lanes = DoubleVector.SPECIES_PREFERRED.length();
        double[] x = new double[lanes * 4000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (rng.nextDouble() - 0.5) * (i % 7 == 0 ? 1480 : 60);
        }
        double[] special = {0, -0.0, 1, -1, 709.7, 709.79, 710, 800, -708, -740, -745, -746, -2000, Double.NaN,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE};
        System.arraycopy(special, 0, x, 0, special.length);
        double[] out = new double[x.length];
        VectorMath.exp(x.length, x, 0, out, 0);
        for (int i = 0; i < x.length; i++) {
            double scalar = VectorMath.exp(x[i]);
            assertEquals(Double.doubleToLongBits(scalar), Double.doubleToLongBits(out[i]), "lane and scalar at "
                    + x[i]);
            double expected = Math.exp(x[i]);
            if (Double.isNaN(expected)) {
                assertTrue(Double.isNaN(scalar));
            } else if (expected == 0 || Double.isInfinite(expected) || expected < Double.MIN_NORMAL) {
                assertTrue(Math.abs(scalar - expected) <= 2 * Double.MIN_VALUE || scalar == expected,
                        x[i] + ": " + scalar + " vs " + expected);
            } else {
                assertTrue(Math.abs(scalar - expected) <= 2 * Math.ulp(expected), x[i] + ": " + scalar + " vs "
                        + expected);
            }
        }
    }

    /**
     * Around the inputs where the scaling by 2^n changes form (one multiplication for a normal 2^n, two below and
     * above), every float, and a dense sample of doubles: the scalar twin gives the vector loop's bits.
     */
    @Test
    void scalingEdgesAreTheSameInALaneAndInTheScalarTwin() {
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        // From the smaller magnitude to the larger: a float's bits grow with its magnitude, whatever its sign.
        float[][] floatRanges = {{-86.5f, -88.5f}, {87.5f, 89.5f}};
        for (float[] range : floatRanges) {
            int from = Float.floatToIntBits(range[0]);
            int count = Float.floatToIntBits(range[1]) - from;
            float[] x = new float[(count / (2 * lanes) + 1) * 2 * lanes];
            for (int i = 0; i < x.length; i++) {
                x[i] = Float.intBitsToFloat(from + i);
            }
            float[] out = new float[x.length];
            VectorMath.expVector(x.length, x, 0, out, 0);
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToIntBits(out[i]), Float.floatToIntBits(VectorMath.exp(x[i])),
                        "lane and scalar at " + x[i]);
            }
        }
        Rng rng = new Rng(4);
        double[][] doubleRanges = {{-709, -707.5}, {708.5, 710.5}};
        for (double[] range : doubleRanges) {
            double[] x = new double[2 * DoubleVector.SPECIES_PREFERRED.length() * 25_000];
            for (int i = 0; i < x.length; i++) {
                x[i] = range[0] + rng.nextDouble() * (range[1] - range[0]);
            }
            double[] out = new double[x.length];
            VectorMath.expVector(x.length, x, 0, out, 0);
            for (int i = 0; i < x.length; i++) {
                assertEquals(Double.doubleToLongBits(out[i]), Double.doubleToLongBits(VectorMath.exp(x[i])),
                        "lane and scalar at " + x[i]);
            }
        }
    }
}
