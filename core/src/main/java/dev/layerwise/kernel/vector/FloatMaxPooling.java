package dev.layerwise.kernel.vector;

import dev.layerwise.kernel.ConvGeometry;
import dev.layerwise.kernel.FloatMaxWindow;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max pooling forward in float32 with the Vector API, for geometries without padding (every window inside the image,
 * as in the book's networks).
 *
 * <p>A plane's outputs are taken a vector at a time, in their row-major order: lane t reads its window's elements
 * through a table of the windows' first elements (a gather), so that a vector spans output rows however narrow they
 * are (SimpleConvNet's are 12 wide). The window is scanned in row-major order and an element replaces the maximum so
 * far only when it is greater, so the first maximum wins, −0 and +0 counting as equal: the results of the portable
 * kernel, bit for bit. A vector whose maximum is NaN, and a plane's last outputs that do not fill a vector, are done
 * by the scalar code of {@link FloatMaxWindow} (the first NaN is the maximum there). The common 2×2 windows of stride
 * 2 are read without gathers, output row by output row ({@link #pairRows}), with the same comparisons, where the rows
 * are half a vector wide or more.
 */
final class FloatMaxPooling {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Lane u takes lane {@code 2u} of a vector, modulo L: with {@link #HIGH}, the even lanes of two vectors. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, u -> 2 * u % L);
    /** Lane u takes lane {@code 2u + 1} of a vector, modulo L: the odd lanes. */
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(S, u -> (2 * u + 1) % L);
    /** The upper half of the lanes, which take the second vector's. */
    private static final VectorMask<Float> HIGH = S.indexInRange(-L / 2, L / 2);
    /** {@code 2u} in lane u: the columns of consecutive 2×2 windows of stride 2 from the first's. */
    private static final IntVector TWICE = IntVector.zero(IS).addIndex(2);

    private static final ThreadLocal<Tables> TABLES = ThreadLocal.withInitial(Tables::new);

    private FloatMaxPooling() {
    }

    /**
     * The offsets, in a plane, of each output's first window element (the gather's indices), and of the window's
     * elements from its first, also as floats with the same bits: the index of the maximum is chosen by float blends
     * and read back as ints (converting floats to ints is slow on JDK 17).
     */
    private static final class Tables {
        ConvGeometry geometry;
        int[] firsts = new int[0];
        int[] offsets = new int[0];
        float[] offsetBits = new float[0];

        void prepare(ConvGeometry g) {
            if (g.equals(geometry)) {
                return;
            }
            int outputs = g.outH() * g.outW();
            firsts = new int[outputs];
            for (int oy = 0, o = 0; oy < g.outH(); oy++) {
                for (int ox = 0; ox < g.outW(); ox++, o++) {
                    firsts[o] = oy * g.stride() * g.width() + ox * g.stride();
                }
            }
            offsets = FloatMaxWindow.windowOffsets(g.filterH(), g.filterW(), g.width());
            offsetBits = new float[offsets.length];
            for (int e = 0; e < offsetBits.length; e++) {
                offsetBits[e] = Float.intBitsToFloat(offsets[e]);
            }
            geometry = g;
        }
    }

    /** Whether {@link #maxPool} serves this geometry: one without padding. */
    static boolean supports(ConvGeometry g) {
        return g.pad() == 0 && IS.length() == L;
    }

    /** Images {@code [i0, i1)} of {@code maxPoolForward}, on the calling thread. */
    static void maxPool(int i0, int i1, ConvGeometry g, float[] x, int xOff, int[] argMax, float[] out, int outOff) {
        Tables tables = TABLES.get();
        tables.prepare(g);
        int[] firsts = tables.firsts;
        int[] offsets = tables.offsets;
        float[] offsetBits = tables.offsetBits;
        int plane = g.height() * g.width();
        int outputs = firsts.length;
        int vectors = outputs - outputs % L;
        // Row by row only where a row's outputs fill half a vector or more: narrower rows leave most lanes idle, and
        // gathers across rows do better.
        boolean pairs = g.filterH() == 2 && g.filterW() == 2 && g.stride() == 2 && 2 * g.outW() >= L;
        for (int q = i0 * g.channels(); q < i1 * g.channels(); q++) {
            int src = xOff + q * plane;
            int o = q * outputs;
            if (pairs) {
                pairRows(g, x, src, o, i1 * g.channels() * outputs, firsts, offsets, offsetBits, argMax, out, outOff);
                continue;
            }
            for (int t = 0; t < vectors; t += L) {
                FloatVector best = FloatVector.fromArray(S, x, src, firsts, t);
                FloatVector at = FloatVector.zero(S);
                for (int e = 1; e < offsets.length; e++) {
                    FloatVector v = FloatVector.fromArray(S, x, src + offsets[e], firsts, t);
                    at = at.blend(offsetBits[e], v.compare(VectorOperators.GT, best));
                    best = best.max(v);
                }
                if (best.compare(VectorOperators.NE, best).anyTrue()) {
                    for (int u = t; u < t + L; u++) {
                        FloatMaxWindow.maxPoolWindow(x, src, firsts[u], offsets, argMax, o + u, out, outOff);
                    }
                    continue;
                }
                best.intoArray(out, outOff + o + t);
                at.reinterpretAsInts().add(IntVector.fromArray(IS, firsts, t)).intoArray(argMax, o + t);
            }
            for (int u = vectors; u < outputs; u++) {
                FloatMaxWindow.maxPoolWindow(x, src, firsts[u], offsets, argMax, o + u, out, outOff);
            }
        }
    }

    /**
     * One plane of 2×2 windows of stride 2 ({@code maxPool}'s plane from {@code src}, outputs from {@code o}), output row
     * by output row, without gathers: the windows of L consecutive outputs of a row span two vectors of each of their
     * two input rows, whose even and odd lanes are their four elements, in the window's order; they are then compared
     * as the gathered ones are. A vector's lanes past the row's last output compute windows further on and are stored
     * into the outputs that follow, which this call (or the one for the next plane) computes and stores again after
     * them: so vectors are stored in the outputs' order, only where they end before {@code end}, the end of the
     * caller's outputs, and read only inside {@code x}. Outputs past those, and vectors of outputs that meet a NaN, are
     * done by the scalar code.
     *
     * <p>The vectors are taken two at a time, written out twice rather than through a method: one test for NaN serves
     * both, and JDK 17 neither inlines such a method into this one nor keeps vectors in registers across calls or
     * iterations.
     */
    private static void pairRows(ConvGeometry g, float[] x, int src, int o, int end, int[] firsts, int[] offsets,
                                 float[] offsetBits, int[] argMax, float[] out, int outOff) {
        int w = g.width();
        int ow = g.outW();
        int outputs = g.outH() * ow;
        // The first output (oy·ow + ox) of the next vector, its row and its column.
        int oy = 0;
        int ox = 0;
        while (oy < g.outH()) {
            int oy1 = ox + L < ow ? oy : oy + 1;
            int ox1 = ox + L < ow ? ox + L : 0;
            int in = src + 2 * oy * w + 2 * ox;
            int in1 = src + 2 * oy1 * w + 2 * ox1;
            if (oy1 == g.outH() || o + oy1 * ow + ox1 + L > end || in1 + w + 2 * L > x.length) {
                break;
            }
            FloatVector a0 = FloatVector.fromArray(S, x, in);
            FloatVector a1 = FloatVector.fromArray(S, x, in + L);
            FloatVector b0 = FloatVector.fromArray(S, x, in + w);
            FloatVector b1 = FloatVector.fromArray(S, x, in + w + L);
            FloatVector best = a0.rearrange(EVEN).blend(a1.rearrange(EVEN), HIGH);
            FloatVector v = a0.rearrange(ODD).blend(a1.rearrange(ODD), HIGH);
            FloatVector at = FloatVector.zero(S).blend(offsetBits[1], v.compare(VectorOperators.GT, best));
            best = best.max(v);
            v = b0.rearrange(EVEN).blend(b1.rearrange(EVEN), HIGH);
            at = at.blend(offsetBits[2], v.compare(VectorOperators.GT, best));
            best = best.max(v);
            v = b0.rearrange(ODD).blend(b1.rearrange(ODD), HIGH);
            at = at.blend(offsetBits[3], v.compare(VectorOperators.GT, best));
            best = best.max(v);
            best.intoArray(out, outOff + o + oy * ow + ox);
            at.reinterpretAsInts().add(TWICE.add(in - src)).intoArray(argMax, o + oy * ow + ox);
            a0 = FloatVector.fromArray(S, x, in1);
            a1 = FloatVector.fromArray(S, x, in1 + L);
            b0 = FloatVector.fromArray(S, x, in1 + w);
            b1 = FloatVector.fromArray(S, x, in1 + w + L);
            FloatVector best1 = a0.rearrange(EVEN).blend(a1.rearrange(EVEN), HIGH);
            v = a0.rearrange(ODD).blend(a1.rearrange(ODD), HIGH);
            FloatVector at1 = FloatVector.zero(S).blend(offsetBits[1], v.compare(VectorOperators.GT, best1));
            best1 = best1.max(v);
            v = b0.rearrange(EVEN).blend(b1.rearrange(EVEN), HIGH);
            at1 = at1.blend(offsetBits[2], v.compare(VectorOperators.GT, best1));
            best1 = best1.max(v);
            v = b0.rearrange(ODD).blend(b1.rearrange(ODD), HIGH);
            at1 = at1.blend(offsetBits[3], v.compare(VectorOperators.GT, best1));
            best1 = best1.max(v);
            best1.intoArray(out, outOff + o + oy1 * ow + ox1);
            at1.reinterpretAsInts().add(TWICE.add(in1 - src)).intoArray(argMax, o + oy1 * ow + ox1);
            // NaN where either maximum is NaN (or where +∞ meets −∞, which the scalar code redoes as well).
            FloatVector sum = best.add(best1);
            if (sum.compare(VectorOperators.NE, sum).anyTrue()) {
                for (int u = oy * ow + ox; u < oy * ow + Math.min(ow, ox + L); u++) {
                    FloatMaxWindow.maxPoolWindow(x, src, firsts[u], offsets, argMax, o + u, out, outOff);
                }
                for (int u = oy1 * ow + ox1; u < oy1 * ow + Math.min(ow, ox1 + L); u++) {
                    FloatMaxWindow.maxPoolWindow(x, src, firsts[u], offsets, argMax, o + u, out, outOff);
                }
            }
            oy = ox1 + L < ow ? oy1 : oy1 + 1;
            ox = ox1 + L < ow ? ox1 + L : 0;
        }
        for (int u = Math.min(outputs, oy * ow + ox); u < outputs; u++) {
            FloatMaxWindow.maxPoolWindow(x, src, firsts[u], offsets, argMax, o + u, out, outOff);
        }
    }
}
