// Generated from FloatUpdate.java by GenerateDoubleKernels: do not edit. To regenerate, run from the
// repository root: java core/src/test/java/dev/layerwise/kernel/GenerateDoubleKernels.java
package dev.layerwise.kernel.vector;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The optimizer steps in float64 with the Vector API that vectors speed up without changing a bit: Adam's. Loops run
 * whole vectors and finish the last {@code < L} elements in scalar code, as {@link DoubleElementwise}'s do.
 */
@SuppressWarnings("cast")
final class DoubleUpdate {
    static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    static final int L = S.length();

    private DoubleUpdate() {
    }

    /**
     * Adam's step (the portable {@code adamUpdate}) on whole vectors, operation for operation as the scalar code
     * (no fused multiply-add; square root and division are exact in both), so the same bits: {@code m += c1·(g − m);
     * v += c2·(g² − v); w −= lr·m / (√v + eps)}.
     */
    static void adamUpdate(int n, double lrT, double beta1, double beta2, double eps, double[] g, int gOff, double[] m,
                           int mOff, double[] v, int vOff, double[] w, int wOff) {
        double lr = (double) lrT;
        double e = (double) eps;
        double c1 = (double) (1 - beta1);
        double c2 = (double) (1 - beta2);
        int i = 0;
        for (; i <= n - L; i += L) {
            DoubleVector gv = DoubleVector.fromArray(S, g, gOff + i);
            DoubleVector mv = DoubleVector.fromArray(S, m, mOff + i);
            mv = mv.add(gv.sub(mv).mul(c1));
            mv.intoArray(m, mOff + i);
            DoubleVector vv = DoubleVector.fromArray(S, v, vOff + i);
            vv = vv.add(gv.mul(gv).sub(vv).mul(c2));
            vv.intoArray(v, vOff + i);
            DoubleVector step = mv.mul(lr).div(vv.sqrt().add(e));
            DoubleVector.fromArray(S, w, wOff + i).sub(step).intoArray(w, wOff + i);
        }
        for (; i < n; i++) {
            double gi = g[gOff + i];
            double mi = m[mOff + i];
            mi += c1 * (gi - mi);
            m[mOff + i] = mi;
            double vi = v[vOff + i];
            vi += c2 * (gi * gi - vi);
            v[vOff + i] = vi;
            w[wOff + i] -= lr * mi / ((double) Math.sqrt(vi) + e);
        }
    }
}
