package dev.layerwise.kernel.vector;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The exponential, vectorised with nothing but exactly rounded operations (add, multiply, fused multiply-add,
 * divide, exact conversions and bit shifts), with a scalar twin that computes the same bits.
 *
 * <p>Why not {@code lanewise(VectorOperators.EXP)}: compiled, it runs an SVML routine; interpreted (before the JIT
 * gets to it), a per-lane {@code Math.exp}. The two differ in the last bit now and then, so a training run would
 * depend on when the JIT compiled what — the same seed could give a different result. These functions give the same
 * result compiled or not, in a vector lane or in the scalar tail.
 *
 * <p>The algorithms are Cephes' {@code expf} and {@code exp}: {@code x = n·ln 2 + r} with a two-part ln 2, a polynomial
 * (float) or rational (double) approximation of {@code e^r}, and a scaling by {@code 2^n}: in the vector loop as two
 * multiplications, the first exact, so that results in the subnormal range are rounded once; in the scalar twin as one
 * where {@code 2^n} is a normal number (the same single rounding), as two elsewhere. {@code n} is rounded by adding and
 * subtracting 1.5·2^23 (2^52), and read as an integer from the bits of the sum. Accuracy: within 2 ulp of the true
 * value; overflow to infinity, underflow to zero and NaN as {@link Math#exp}.
 *
 * <p>Because the twins give the same bits, a call may use either: one of fewer than {@link #SCALAR_BELOW} elements
 * runs the scalar twin. Compiled, the vector loop is several times as fast; but until C2 has compiled it, early in a
 * training run, each vector operation runs the Vector API's allocating fallback, and a small softmax (a batch of
 * 100×10) takes milliseconds a step instead of microseconds. For calls that small the scalar twin costs little once
 * everything is compiled and saves much before.
 */
final class VectorMath {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final int FL = FS.length();
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final int DL = DS.length();

    /**
     * Calls of fewer elements run the scalar twin (a softmax of up to 200 rows of 10 classes): several times as
     * slow as the compiled vector loop, but never in its fallback, which takes hundreds of microseconds a call until
     * C2 has compiled the loop, a few thousand calls into a run.
     */
    static final int SCALAR_BELOW = 2048;

    private VectorMath() {
    }

    // ---- float32 ------------------------------------------------------------------------------------------------

    private static final float F_LOG2E = 1.44269504088896341f;
    private static final float F_LN2_HI = 0.693359375f;
    private static final float F_LN2_LO = -2.12194440e-4f;
    private static final float F_ROUND = 12582912f; // 1.5·2^23: adding and subtracting it rounds to an integer
    private static final float F_MAX = 89f;
    private static final float F_MIN = -105f;
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;

    /**
     * {@code out[i] = e^x[i]} for n elements; {@code out} may be {@code x}. The vector loop, then the last elements in
     * the scalar twin; all of them in the twin below {@link #SCALAR_BELOW}.
     */
    static void exp(int n, float[] a, int aOff, float[] out, int outOff) {
        int i = n < SCALAR_BELOW ? 0 : expVector(n, a, aOff, out, outOff);
        for (; i < n; i++) {
            out[outOff + i] = exp(a[aOff + i]);
        }
    }

    /**
     * The vector loop of {@link #exp(int, float[], int, float[], int)} over the first {@code n} elements, rounded down
     * to a whole iteration; returns how many it did.
     *
     * <p>Two vectors per iteration, for the two independent dependency chains. The vector code stays in this loop
     * rather than in a per-vector helper: a vector handed to a method that C2 does not inline is boxed. The unrolled
     * body also keeps this method too big to be inlined into a caller whose own vector code would then exhaust C2's
     * inlining budget — JDK 17 falls back to the boxing, allocating implementation of the Vector API when that happens.
     */
    static int expVector(int n, float[] a, int aOff, float[] out, int outOff) {
        int i = 0;
        for (; i <= n - 2 * FL; i += 2 * FL) {
            FloatVector v0 = FloatVector.fromArray(FS, a, aOff + i);
            FloatVector x0 = v0.max(F_MIN).min(F_MAX);
            FloatVector t0 = x0.mul(F_LOG2E).add(F_ROUND);
            FloatVector nf0 = t0.sub(F_ROUND);
            FloatVector r0 = nf0.mul(-F_LN2_HI).add(x0);
            r0 = nf0.mul(-F_LN2_LO).add(r0);
            FloatVector z0 = r0.mul(r0);
            FloatVector y0 = r0.mul(P0).add(P1).mul(r0).add(P2).mul(r0).add(P3).mul(r0).add(P4).mul(r0).add(P5);
            y0 = y0.mul(z0).add(r0).add(1f);
            // n is also in the low bits of t (it was rounded by adding 1.5·2^23): no float-to-int conversion, which
            // JDK 17 does not compile without allocating.
            IntVector kA = t0.reinterpretAsInts().sub(Float.floatToRawIntBits(F_ROUND));
            IntVector kA1 = kA.lanewise(VectorOperators.ASHR, 1);
            IntVector kA2 = kA.sub(kA1);
            FloatVector sA1 = kA1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector sA2 = kA2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            y0.mul(sA1).mul(sA2).blend(v0, v0.test(VectorOperators.IS_NAN)).intoArray(out, outOff + i);
            FloatVector v1 = FloatVector.fromArray(FS, a, aOff + i + FL);
            FloatVector x1 = v1.max(F_MIN).min(F_MAX);
            FloatVector t1 = x1.mul(F_LOG2E).add(F_ROUND);
            FloatVector nf1 = t1.sub(F_ROUND);
            FloatVector r1 = nf1.mul(-F_LN2_HI).add(x1);
            r1 = nf1.mul(-F_LN2_LO).add(r1);
            FloatVector z1 = r1.mul(r1);
            FloatVector y1 = r1.mul(P0).add(P1).mul(r1).add(P2).mul(r1).add(P3).mul(r1).add(P4).mul(r1).add(P5);
            y1 = y1.mul(z1).add(r1).add(1f);
            IntVector kB = t1.reinterpretAsInts().sub(Float.floatToRawIntBits(F_ROUND));
            IntVector kB1 = kB.lanewise(VectorOperators.ASHR, 1);
            IntVector kB2 = kB.sub(kB1);
            FloatVector sB1 = kB1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector sB2 = kB2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            y1.mul(sB1).mul(sB2).blend(v1, v1.test(VectorOperators.IS_NAN)).intoArray(out, outOff + i + FL);
        }
        return i;
    }

    /** {@code e^x}, the same bits as a lane of {@link #exp(int, float[], int, float[], int)}. */
    static float exp(float v) {
        if (Float.isNaN(v)) {
            return v;
        }
        // Comparisons rather than Math.min and Math.max, whose NaN and signed-zero rules cost the compiled twin
        // several instructions an element: v is not NaN here, and the clamp leaves ±0 as it is either way.
        float x = v < F_MIN ? F_MIN : v > F_MAX ? F_MAX : v;
        float t = x * F_LOG2E + F_ROUND;
        float n = t - F_ROUND;
        float r = n * -F_LN2_HI + x;
        r = n * -F_LN2_LO + r;
        float z = r * r;
        float y = ((((r * P0 + P1) * r + P2) * r + P3) * r + P4) * r + P5;
        y = y * z + r + 1f;
        int k = Float.floatToRawIntBits(t) - Float.floatToRawIntBits(F_ROUND);
        if (k >= -126 && k <= 127) {
            // 2^k is a normal float: y·2^k rounded once, as the two multiplications below round it (the first is
            // exact), and most calls' only path.
            return y * Float.intBitsToFloat((k + 127) << 23);
        }
        int k1 = k >> 1;
        int k2 = k - k1;
        return y * Float.intBitsToFloat((k1 + 127) << 23) * Float.intBitsToFloat((k2 + 127) << 23);
    }

    // ---- float64 ------------------------------------------------------------------------------------------------

    private static final double D_LOG2E = 1.4426950408889634073599;
    private static final double D_LN2_HI = 6.93145751953125E-1;
    private static final double D_LN2_LO = 1.42860682030941723212E-6;
    private static final double D_ROUND = 6755399441055744.0; // 1.5·2^52
    private static final double D_MAX = 710;
    private static final double D_MIN = -746;
    private static final double DP0 = 1.26177193074810590878E-4;
    private static final double DP1 = 3.02994407707441961300E-2;
    private static final double DP2 = 9.99999999999999999910E-1;
    private static final double DQ0 = 3.00198505138664455042E-6;
    private static final double DQ1 = 2.52448340349684104192E-3;
    private static final double DQ2 = 2.27265548208155028766E-1;
    private static final double DQ3 = 2.00000000000000000009E0;

    /** The float64 form of {@link #exp(int, float[], int, float[], int)}. */
    static void exp(int n, double[] a, int aOff, double[] out, int outOff) {
        int i = n < SCALAR_BELOW ? 0 : expVector(n, a, aOff, out, outOff);
        for (; i < n; i++) {
            out[outOff + i] = exp(a[aOff + i]);
        }
    }

    /**
     * The vector loop of {@link #exp(int, double[], int, double[], int)} over the first {@code n} elements, rounded down
     * to a whole iteration; returns how many it did.
     */
    static int expVector(int n, double[] a, int aOff, double[] out, int outOff) {
        int i = 0;
        for (; i <= n - 2 * DL; i += 2 * DL) {
            DoubleVector v0 = DoubleVector.fromArray(DS, a, aOff + i);
            DoubleVector x0 = v0.max(D_MIN).min(D_MAX);
            DoubleVector t0 = x0.mul(D_LOG2E).add(D_ROUND);
            DoubleVector nd0 = t0.sub(D_ROUND);
            DoubleVector r0 = nd0.mul(-D_LN2_HI).add(x0);
            r0 = nd0.mul(-D_LN2_LO).add(r0);
            DoubleVector rr0 = r0.mul(r0);
            DoubleVector p0 = rr0.mul(DP0).add(DP1).mul(rr0).add(DP2).mul(r0);
            DoubleVector q0 = rr0.mul(DQ0).add(DQ1).mul(rr0).add(DQ2).mul(rr0).add(DQ3);
            DoubleVector y0 = p0.div(q0.sub(p0)).mul(2.0).add(1.0);
            LongVector kA = t0.reinterpretAsLongs().sub(Double.doubleToRawLongBits(D_ROUND));
            LongVector kA1 = kA.lanewise(VectorOperators.ASHR, 1);
            LongVector kA2 = kA.sub(kA1);
            DoubleVector sA1 = kA1.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
            DoubleVector sA2 = kA2.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
            y0.mul(sA1).mul(sA2).blend(v0, v0.test(VectorOperators.IS_NAN)).intoArray(out, outOff + i);
            DoubleVector v1 = DoubleVector.fromArray(DS, a, aOff + i + DL);
            DoubleVector x1 = v1.max(D_MIN).min(D_MAX);
            DoubleVector t1 = x1.mul(D_LOG2E).add(D_ROUND);
            DoubleVector nd1 = t1.sub(D_ROUND);
            DoubleVector r1 = nd1.mul(-D_LN2_HI).add(x1);
            r1 = nd1.mul(-D_LN2_LO).add(r1);
            DoubleVector rr1 = r1.mul(r1);
            DoubleVector p1 = rr1.mul(DP0).add(DP1).mul(rr1).add(DP2).mul(r1);
            DoubleVector q1 = rr1.mul(DQ0).add(DQ1).mul(rr1).add(DQ2).mul(rr1).add(DQ3);
            DoubleVector y1 = p1.div(q1.sub(p1)).mul(2.0).add(1.0);
            LongVector kB = t1.reinterpretAsLongs().sub(Double.doubleToRawLongBits(D_ROUND));
            LongVector kB1 = kB.lanewise(VectorOperators.ASHR, 1);
            LongVector kB2 = kB.sub(kB1);
            DoubleVector sB1 = kB1.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
            DoubleVector sB2 = kB2.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
            y1.mul(sB1).mul(sB2).blend(v1, v1.test(VectorOperators.IS_NAN)).intoArray(out, outOff + i + DL);
        }
        return i;
    }

    /** {@code e^x}, the same bits as a lane of {@link #exp(int, double[], int, double[], int)}. */
    static double exp(double v) {
        if (Double.isNaN(v)) {
            return v;
        }
        double x = v < D_MIN ? D_MIN : v > D_MAX ? D_MAX : v;
        double t = x * D_LOG2E + D_ROUND;
        double n = t - D_ROUND;
        double r = n * -D_LN2_HI + x;
        r = n * -D_LN2_LO + r;
        double rr = r * r;
        double p = ((rr * DP0 + DP1) * rr + DP2) * r;
        double q = ((rr * DQ0 + DQ1) * rr + DQ2) * rr + DQ3;
        double y = p / (q - p) * 2.0 + 1.0;
        long k = Double.doubleToRawLongBits(t) - Double.doubleToRawLongBits(D_ROUND);
        if (k >= -1022 && k <= 1023) {
            return y * Double.longBitsToDouble((k + 1023) << 52);
        }
        long k1 = k >> 1;
        long k2 = k - k1;
        return y * Double.longBitsToDouble((k1 + 1023) << 52) * Double.longBitsToDouble((k2 + 1023) << 52);
    }
}
