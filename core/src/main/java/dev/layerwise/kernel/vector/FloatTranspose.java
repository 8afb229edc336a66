package dev.layerwise.kernel.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Transposes square blocks of one vector's lanes (16×16 floats with AVX-512, 8×8 with AVX2) in registers: the block's
 * rows are loaded as vectors and exchanged in log₂(lanes) stages, each of which swaps the off-diagonal halves of
 * sub-blocks twice as large as the stage before (1×1, 2×2, 4×4, 8×8), by a lane rotation and a blend per vector.
 *
 * <p>What {@link FloatGemm} packs a transposed B with, and sums the partial sums of its thin columns' dot products
 * with: one float at a time, a copy stores every float on its own, and packing {@code dout·Wᵀ}'s B (784×50, as many
 * floats as the product has multiply-adds per row of A) took a large share of that short product; in registers a
 * vector is stored at a time. The values are only moved, never combined, so no result depends on this. FloatGemm's
 * sums of partial sums pair their vectors by the same stages ({@code FloatGemm.laneSums16}).
 */
final class FloatTranspose {
    static final VectorSpecies<Float> S = FloatGemm.S;
    static final int L = S.length();
    /** Whether {@link #block} is written for this width: 8 or 16 lanes. */
    static final boolean SUPPORTED = L == 8 || L == 16;

    // Stage s (distance d = 2^s): lanes with bit d set take the partner's lane d below; the others keep their own.
    // Constants in fields of their own, not in an array, so that C2 treats them as constants.
    static final VectorShuffle<Float> DOWN0 = rotation(1);
    static final VectorShuffle<Float> DOWN1 = rotation(2);
    static final VectorShuffle<Float> DOWN2 = rotation(4);
    static final VectorShuffle<Float> DOWN3 = rotation(8);
    static final VectorShuffle<Float> UP0 = rotation(-1);
    static final VectorShuffle<Float> UP1 = rotation(-2);
    static final VectorShuffle<Float> UP2 = rotation(-4);
    static final VectorShuffle<Float> UP3 = rotation(-8);
    static final VectorMask<Float> HIGH0 = high(1);
    static final VectorMask<Float> HIGH1 = high(2);
    static final VectorMask<Float> HIGH2 = high(4);
    static final VectorMask<Float> HIGH3 = high(8);
    /** Lane l takes the lane whose number is l's bits reversed (four bits for 16 lanes, three for 8). */
    static final VectorShuffle<Float> BIT_REVERSED = bitReversed();

    private FloatTranspose() {
    }

    private static VectorShuffle<Float> bitReversed() {
        int bits = Integer.numberOfTrailingZeros(L);
        int[] from = new int[L];
        for (int l = 0; l < L; l++) {
            from[l] = Integer.reverse(l) >>> (32 - bits);
        }
        return VectorShuffle.fromValues(S, from);
    }

    /** Lane l takes lane {@code l - d} (cyclically). */
    private static VectorShuffle<Float> rotation(int d) {
        int[] from = new int[L];
        for (int l = 0; l < L; l++) {
            from[l] = Math.floorMod(l - d, L);
        }
        return VectorShuffle.fromValues(S, from);
    }

    /** The lanes whose bit {@code d} is set (none when d is not below the lane count). */
    private static VectorMask<Float> high(int d) {
        boolean[] set = new boolean[L];
        for (int l = 0; l < L; l++) {
            set[l] = d < L && (l & d) != 0;
        }
        return VectorMask.fromValues(S, set);
    }

    /**
     * {@code out[dst + q·ldo + r] = in[src + r·ld + q]} for r, q in [0, L): the L×L block of {@code in} at
     * {@code src} (rows {@code ld} apart), transposed into {@code out} at {@code dst} (rows {@code ldo} apart). Only
     * when {@link #SUPPORTED}.
     */
    static void block(float[] in, int src, int ld, float[] out, int dst, int ldo) {
        if (L == 16) {
            block16(in, src, ld, out, dst, ldo);
        } else {
            block8(in, src, ld, out, dst, ldo);
        }
    }

    private static void block16(float[] in, int src, int ld, float[] out, int dst, int ldo) {
        FloatVector r0 = FloatVector.fromArray(S, in, src);
        FloatVector r1 = FloatVector.fromArray(S, in, src + ld);
        FloatVector r2 = FloatVector.fromArray(S, in, src + 2 * ld);
        FloatVector r3 = FloatVector.fromArray(S, in, src + 3 * ld);
        FloatVector r4 = FloatVector.fromArray(S, in, src + 4 * ld);
        FloatVector r5 = FloatVector.fromArray(S, in, src + 5 * ld);
        FloatVector r6 = FloatVector.fromArray(S, in, src + 6 * ld);
        FloatVector r7 = FloatVector.fromArray(S, in, src + 7 * ld);
        FloatVector r8 = FloatVector.fromArray(S, in, src + 8 * ld);
        FloatVector r9 = FloatVector.fromArray(S, in, src + 9 * ld);
        FloatVector r10 = FloatVector.fromArray(S, in, src + 10 * ld);
        FloatVector r11 = FloatVector.fromArray(S, in, src + 11 * ld);
        FloatVector r12 = FloatVector.fromArray(S, in, src + 12 * ld);
        FloatVector r13 = FloatVector.fromArray(S, in, src + 13 * ld);
        FloatVector r14 = FloatVector.fromArray(S, in, src + 14 * ld);
        FloatVector r15 = FloatVector.fromArray(S, in, src + 15 * ld);
        // Stage 0: rows 2i and 2i + 1.
        FloatVector t0 = r0.blend(r1.rearrange(DOWN0), HIGH0);
        FloatVector t1 = r0.rearrange(UP0).blend(r1, HIGH0);
        FloatVector t2 = r2.blend(r3.rearrange(DOWN0), HIGH0);
        FloatVector t3 = r2.rearrange(UP0).blend(r3, HIGH0);
        FloatVector t4 = r4.blend(r5.rearrange(DOWN0), HIGH0);
        FloatVector t5 = r4.rearrange(UP0).blend(r5, HIGH0);
        FloatVector t6 = r6.blend(r7.rearrange(DOWN0), HIGH0);
        FloatVector t7 = r6.rearrange(UP0).blend(r7, HIGH0);
        FloatVector t8 = r8.blend(r9.rearrange(DOWN0), HIGH0);
        FloatVector t9 = r8.rearrange(UP0).blend(r9, HIGH0);
        FloatVector t10 = r10.blend(r11.rearrange(DOWN0), HIGH0);
        FloatVector t11 = r10.rearrange(UP0).blend(r11, HIGH0);
        FloatVector t12 = r12.blend(r13.rearrange(DOWN0), HIGH0);
        FloatVector t13 = r12.rearrange(UP0).blend(r13, HIGH0);
        FloatVector t14 = r14.blend(r15.rearrange(DOWN0), HIGH0);
        FloatVector t15 = r14.rearrange(UP0).blend(r15, HIGH0);
        // Stage 1: rows i and i + 2.
        r0 = t0.blend(t2.rearrange(DOWN1), HIGH1);
        r2 = t0.rearrange(UP1).blend(t2, HIGH1);
        r1 = t1.blend(t3.rearrange(DOWN1), HIGH1);
        r3 = t1.rearrange(UP1).blend(t3, HIGH1);
        r4 = t4.blend(t6.rearrange(DOWN1), HIGH1);
        r6 = t4.rearrange(UP1).blend(t6, HIGH1);
        r5 = t5.blend(t7.rearrange(DOWN1), HIGH1);
        r7 = t5.rearrange(UP1).blend(t7, HIGH1);
        r8 = t8.blend(t10.rearrange(DOWN1), HIGH1);
        r10 = t8.rearrange(UP1).blend(t10, HIGH1);
        r9 = t9.blend(t11.rearrange(DOWN1), HIGH1);
        r11 = t9.rearrange(UP1).blend(t11, HIGH1);
        r12 = t12.blend(t14.rearrange(DOWN1), HIGH1);
        r14 = t12.rearrange(UP1).blend(t14, HIGH1);
        r13 = t13.blend(t15.rearrange(DOWN1), HIGH1);
        r15 = t13.rearrange(UP1).blend(t15, HIGH1);
        // Stage 2: rows i and i + 4.
        t0 = r0.blend(r4.rearrange(DOWN2), HIGH2);
        t4 = r0.rearrange(UP2).blend(r4, HIGH2);
        t1 = r1.blend(r5.rearrange(DOWN2), HIGH2);
        t5 = r1.rearrange(UP2).blend(r5, HIGH2);
        t2 = r2.blend(r6.rearrange(DOWN2), HIGH2);
        t6 = r2.rearrange(UP2).blend(r6, HIGH2);
        t3 = r3.blend(r7.rearrange(DOWN2), HIGH2);
        t7 = r3.rearrange(UP2).blend(r7, HIGH2);
        t8 = r8.blend(r12.rearrange(DOWN2), HIGH2);
        t12 = r8.rearrange(UP2).blend(r12, HIGH2);
        t9 = r9.blend(r13.rearrange(DOWN2), HIGH2);
        t13 = r9.rearrange(UP2).blend(r13, HIGH2);
        t10 = r10.blend(r14.rearrange(DOWN2), HIGH2);
        t14 = r10.rearrange(UP2).blend(r14, HIGH2);
        t11 = r11.blend(r15.rearrange(DOWN2), HIGH2);
        t15 = r11.rearrange(UP2).blend(r15, HIGH2);
        // Stage 3: rows i and i + 8, stored as they come.
        t0.blend(t8.rearrange(DOWN3), HIGH3).intoArray(out, dst);
        t0.rearrange(UP3).blend(t8, HIGH3).intoArray(out, dst + 8 * ldo);
        t1.blend(t9.rearrange(DOWN3), HIGH3).intoArray(out, dst + ldo);
        t1.rearrange(UP3).blend(t9, HIGH3).intoArray(out, dst + 9 * ldo);
        t2.blend(t10.rearrange(DOWN3), HIGH3).intoArray(out, dst + 2 * ldo);
        t2.rearrange(UP3).blend(t10, HIGH3).intoArray(out, dst + 10 * ldo);
        t3.blend(t11.rearrange(DOWN3), HIGH3).intoArray(out, dst + 3 * ldo);
        t3.rearrange(UP3).blend(t11, HIGH3).intoArray(out, dst + 11 * ldo);
        t4.blend(t12.rearrange(DOWN3), HIGH3).intoArray(out, dst + 4 * ldo);
        t4.rearrange(UP3).blend(t12, HIGH3).intoArray(out, dst + 12 * ldo);
        t5.blend(t13.rearrange(DOWN3), HIGH3).intoArray(out, dst + 5 * ldo);
        t5.rearrange(UP3).blend(t13, HIGH3).intoArray(out, dst + 13 * ldo);
        t6.blend(t14.rearrange(DOWN3), HIGH3).intoArray(out, dst + 6 * ldo);
        t6.rearrange(UP3).blend(t14, HIGH3).intoArray(out, dst + 14 * ldo);
        t7.blend(t15.rearrange(DOWN3), HIGH3).intoArray(out, dst + 7 * ldo);
        t7.rearrange(UP3).blend(t15, HIGH3).intoArray(out, dst + 15 * ldo);
    }

    private static void block8(float[] in, int src, int ld, float[] out, int dst, int ldo) {
        FloatVector r0 = FloatVector.fromArray(S, in, src);
        FloatVector r1 = FloatVector.fromArray(S, in, src + ld);
        FloatVector r2 = FloatVector.fromArray(S, in, src + 2 * ld);
        FloatVector r3 = FloatVector.fromArray(S, in, src + 3 * ld);
        FloatVector r4 = FloatVector.fromArray(S, in, src + 4 * ld);
        FloatVector r5 = FloatVector.fromArray(S, in, src + 5 * ld);
        FloatVector r6 = FloatVector.fromArray(S, in, src + 6 * ld);
        FloatVector r7 = FloatVector.fromArray(S, in, src + 7 * ld);
        FloatVector t0 = r0.blend(r1.rearrange(DOWN0), HIGH0);
        FloatVector t1 = r0.rearrange(UP0).blend(r1, HIGH0);
        FloatVector t2 = r2.blend(r3.rearrange(DOWN0), HIGH0);
        FloatVector t3 = r2.rearrange(UP0).blend(r3, HIGH0);
        FloatVector t4 = r4.blend(r5.rearrange(DOWN0), HIGH0);
        FloatVector t5 = r4.rearrange(UP0).blend(r5, HIGH0);
        FloatVector t6 = r6.blend(r7.rearrange(DOWN0), HIGH0);
        FloatVector t7 = r6.rearrange(UP0).blend(r7, HIGH0);
        r0 = t0.blend(t2.rearrange(DOWN1), HIGH1);
        r2 = t0.rearrange(UP1).blend(t2, HIGH1);
        r1 = t1.blend(t3.rearrange(DOWN1), HIGH1);
        r3 = t1.rearrange(UP1).blend(t3, HIGH1);
        r4 = t4.blend(t6.rearrange(DOWN1), HIGH1);
        r6 = t4.rearrange(UP1).blend(t6, HIGH1);
        r5 = t5.blend(t7.rearrange(DOWN1), HIGH1);
        r7 = t5.rearrange(UP1).blend(t7, HIGH1);
        r0.blend(r4.rearrange(DOWN2), HIGH2).intoArray(out, dst);
        r0.rearrange(UP2).blend(r4, HIGH2).intoArray(out, dst + 4 * ldo);
        r1.blend(r5.rearrange(DOWN2), HIGH2).intoArray(out, dst + ldo);
        r1.rearrange(UP2).blend(r5, HIGH2).intoArray(out, dst + 5 * ldo);
        r2.blend(r6.rearrange(DOWN2), HIGH2).intoArray(out, dst + 2 * ldo);
        r2.rearrange(UP2).blend(r6, HIGH2).intoArray(out, dst + 6 * ldo);
        r3.blend(r7.rearrange(DOWN2), HIGH2).intoArray(out, dst + 3 * ldo);
        r3.rearrange(UP2).blend(r7, HIGH2).intoArray(out, dst + 7 * ldo);
    }
}
