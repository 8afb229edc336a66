package dev.layerwise.kernel.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The optimizer steps in float32 with the Vector API that vectors speed up without changing a bit: Adam's. Loops run
 * whole vectors and finish the last {@code < L} elements in scalar code, as {@link FloatElementwise}'s do.
 */
final class FloatUpdate {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    private FloatUpdate() {
    }

    /**
     * Adam's step (the portable {@code adamUpdate}) on whole vectors, operation for operation as the scalar code
     * (no fused multiply-add; square root and division are exact in both), so the same bits: {@code m += c1·(g − m);
     * v += c2·(g² − v); w −= lr·m / (√v + eps)}.
     */
    static void adamUpdate(int n, double lrT, double beta1, double beta2, double eps, float[] g, int gOff, float[] m,
                           int mOff, float[] v, int vOff, float[] w, int wOff) {
        float lr = (float) lrT;
        float e = (float) eps;
        float c1 = (float) (1 - beta1);
        float c2 = (float) (1 - beta2);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector gv = FloatVector.fromArray(S, g, gOff + i);
            FloatVector mv = FloatVector.fromArray(S, m, mOff + i);
            mv = mv.add(gv.sub(mv).mul(c1));
            mv.intoArray(m, mOff + i);
            FloatVector vv = FloatVector.fromArray(S, v, vOff + i);
            vv = vv.add(gv.mul(gv).sub(vv).mul(c2));
            vv.intoArray(v, vOff + i);
            FloatVector step = mv.mul(lr).div(vv.sqrt().add(e));
            FloatVector.fromArray(S, w, wOff + i).sub(step).intoArray(w, wOff + i);
        }
        for (; i < n; i++) {
            float gi = g[gOff + i];
            float mi = m[mOff + i];
            mi += c1 * (gi - mi);
            m[mOff + i] = mi;
            float vi = v[vOff + i];
            vi += c2 * (gi * gi - vi);
            v[vOff + i] = vi;
            w[wOff + i] -= lr * mi / ((float) Math.sqrt(vi) + e);
        }
    }
}
