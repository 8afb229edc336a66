package dev.layerwise.kernel.vector;

import dev.layerwise.kernel.ConvGeometry;
import dev.layerwise.kernel.FloatMaxWindow;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
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
 * by the scalar code of {@link FloatMaxWindow} (the first NaN is the maximum there).
 */
final class FloatMaxPooling {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    private static final int L = S.length();

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
        for (int q = i0 * g.channels(); q < i1 * g.channels(); q++) {
            int src = xOff + q * plane;
            int o = q * outputs;
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
}
