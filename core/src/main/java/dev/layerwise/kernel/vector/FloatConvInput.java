package dev.layerwise.kernel.vector;

import dev.layerwise.kernel.ConvGeometry;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A convolution's input gradient {@code dx = col2imT(Wᵀ·dout[i])} in float32 for stride 1, image by image, without
 * {@code dcolT}: each window element's contribution is computed straight in the layout of {@code dx}.
 *
 * <p>{@link FloatGemm} computes {@code dcolT[j][q]} (window element j, output position q) as one chain of
 * multiply-adds over the filters, from zero ({@link #supports}: a single block of the shared dimension, no single-row
 * tile), and {@code col2imT} adds the rows of {@code dcolT} into {@code dx}, window element by window element, each
 * where its positions fall inside the image. Here, for window element {@code (c, ky, kx)}, the same chain is computed
 * for every element of the plane {@code dx[c]} at once, in vectors, from a copy of {@code dout} with a border of zeros:
 * where the window element falls outside {@code dout} for that element of dx, the chain multiplies only those zeros
 * and gives {@code +0}, and adding {@code +0} to a sum that started from {@code +0} changes no bit of it (such a sum is
 * never {@code −0}). The finite filters this needs are checked first. The planes are computed with rows of
 * {@code W + filterW − 1} elements, so that a window element's reads of the padded {@code dout} are one contiguous
 * run for the whole plane (its last {@code filterW − 1} columns are computed and dropped); or, on small planes where
 * those columns are a large share, with rows of {@code W} from {@code filterW} copies of the padded {@code dout}, the
 * one for a column shift {@code s} shifted left by {@code s}, so that every lane is an element of dx. The sums are
 * added into a plane of that layout that is copied into {@code dx} at the end. The multiply-adds are as many as the
 * product's, and the scattered additions of {@code col2imT} become a vector addition per plane.
 */
final class FloatConvInput {
    private static final VectorSpecies<Float> S = FloatGemm.S;
    private static final int L = FloatGemm.L;

    /**
     * Rows per tile: 8 chains two vectors wide fill AVX-512's 32 registers, 4 AVX2's 16. The tile's height does not
     * change a sum: every element is one chain over the window, as in FloatGemm whatever its own tile.
     */
    private static final int ROWS = S.vectorBitSize() >= 512 ? 8 : 4;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private FloatConvInput() {
    }

    /**
     * Whether the geometry and filter count give FloatGemm's product {@code Wᵀ·dout[i]} plain chains over the filters
     * (at most one block of the shared dimension, and no tile of a single row, whose kernel splits its chain), and the
     * window is such that this kernel's reads stay in its padded copy of dout (stride 1, a pad smaller than the
     * window).
     */
    // A row count of 4·j + 1 would leave a single-row tile, whose kernel splits its chain; FloatGemm's lone last row
    // (LONE rows apart, LONE being 4 or 8) is among them.
    static boolean supports(ConvGeometry g, int fn) {
        int patch = g.patchSize();
        return g.stride() == 1 && g.pad() < g.filterH() && g.pad() < g.filterW() && fn <= FloatGemm.KC
                && patch % 4 != 1;
    }

    /** Whether all {@code size} filter values from {@code off} are finite (see the class comment). */
    static boolean finite(float[] w, int off, int size) {
        for (int i = off; i < off + size; i++) {
            if (!Float.isFinite(w[i])) {
                return false;
            }
        }
        return true;
    }

    /** Images {@code [i0, i1)} of the input gradient; {@code dx} overwritten for them. */
    static void images(int i0, int i1, ConvGeometry g, int fn, float[] dout, int doutOff, float[] w, int wOff,
                       float[] dx, int dxOff) {
        int channels = g.channels();
        int h = g.height();
        int width = g.width();
        int fh = g.filterH();
        int fw = g.filterW();
        int fhw = fh * fw;
        int oh = g.outH();
        int ow = g.outW();
        int positions = oh * ow;
        int patch = g.patchSize();
        int padV = fh - 1 - g.pad();
        int padH = fw - 1 - g.pad();
        // Rows as wide as dx's cost extra lanes, rows of W + filterW − 1 need no shifted copies. The copies triple what
        // a window position's chains read, out of the first level of cache; they pay where they save at least a fifth
        // of the multiply-adds (small planes), not where they save a tenth.
        int vectorsTight = (h * width + L - 1) / L;
        int vectorsWide = (h * (width + fw - 1) + L - 1) / L;
        boolean shifted = 5 * vectorsTight <= 4 * vectorsWide;
        int shifts = shifted ? fw : 1;
        int wide = shifted ? width : width + fw - 1; // a row of the planes computed here
        int vectors = shifted ? vectorsTight : vectorsWide;
        // Two vectors of a plane at a time: a plane holds an even number, the last one's lanes dropped if unused.
        int plane = (vectors + 1) / 2 * 2 * L;
        // Reads of a copy reach (fh − 1) rows (and fw − 1 columns without shifted copies), and a vector, past the
        // plane's end.
        int planeD = Math.max((oh + 2 * padV) * wide, (fh - 1) * wide + fw - 1 + plane + L);
        int copies = shifts * fn * planeD;
        Scratch s = SCRATCH.get();
        // The channels rounded up to whole tiles, so that a tile's filter values lie side by side (see chains8).
        int tiled = (channels + ROWS - 1) / ROWS * ROWS;
        s.ensure(copies, channels * plane, fhw * fn * tiled);
        float[] dP = s.dout;
        float[] dxw = s.dx;
        float[] wt = s.wt;
        // The filters rearranged so that, for a window position (ky, kx) and a filter, the channels are contiguous.
        for (int f = 0; f < fn; f++) {
            for (int j = 0; j < patch; j++) {
                int c = j / fhw;
                int kk = j % fhw;
                wt[(kk * fn + f) * tiled + c] = w[wOff + f * patch + j];
            }
        }
        // Each image writes the same elements of the copies, so their zeros (the border) are written once per
        // geometry.
        if (!s.holds(fn, oh, ow, wide, padV, padH, shifts, planeD)) {
            Arrays.fill(dP, 0, copies, 0f);
        }
        for (int i = i0; i < i1; i++) {
            int src = doutOff + i * fn * positions;
            // Copy `shift` holds the padded dout's column x + shift at column x: dout's column x + shift − padH.
            int to = Math.min(wide, ow + padH);
            for (int f = 0; f < fn; f++) {
                for (int oy = 0; oy < oh && padH < to; oy++) {
                    System.arraycopy(dout, src + f * positions + oy * ow, dP, f * planeD + (oy + padV) * wide + padH,
                            to - padH);
                }
            }
            FloatConvForward.shiftedCopies(shifts, dP, fn, planeD, oh + 2 * padV, wide, dout, src, oh, ow, padV, padH);
            Arrays.fill(dxw, 0, channels * plane, 0f);
            // Two vectors of the planes at a time, and for them window position by window position, so that each
            // element of dx receives its additions in col2imT's order while its sums and the reads of dout around it
            // stay in the first level of cache; the channels of a position read the same elements of dout, a tile of
            // them at a time.
            for (int v = 0; v < vectors; v += 2) {
                for (int kk = 0; kk < fhw; kk++) {
                    int shift = fw - 1 - kk % fw;
                    int read = (shifted ? shift * fn * planeD : shift) + (fh - 1 - kk / fw) * wide;
                    for (int c = 0; c < channels; c += ROWS) {
                        int rows = Math.min(ROWS, channels - c);
                        int filters = kk * fn * tiled + c;
                        if (ROWS == 8) {
                            chains8(rows, filters, tiled, fn, wt, dP, planeD, read + v * L, dxw,
                                    c * plane + v * L, plane);
                        } else {
                            chains4(rows, filters, tiled, fn, wt, dP, planeD, read + v * L, dxw,
                                    c * plane + v * L, plane);
                        }
                    }
                }
            }
            int image = dxOff + i * g.imageSize();
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < h; y++) {
                    System.arraycopy(dxw, c * plane + y * wide, dx, image + (c * h + y) * width, width);
                }
            }
        }
    }

    /**
     * The chains of 8 channels (rows past {@code rows} read the padding of {@code wt}, and are not stored) for two
     * vectors of a plane, each added to the sum in {@code dxw} at {@code at} (rows {@code plane} apart): over the
     * filters f in order, {@code Σ wt[filters + f·channels + r]·dP[f·planeD + read …]}, {@code channels} being rounded
     * up to whole tiles so that the tile's 8 values are side by side (one index for all the broadcasts, where 8
     * indices left too few general registers for the loop). Per filter, two loads of dout and 8 broadcasts feed 16
     * accumulators; the sums are read and written straight from the registers, without a tile in between.
     */
    private static void chains8(int rows, int filters, int channels, int fn, float[] wt, float[] dP, int planeD,
                                int read, float[] dxw, int at, int plane) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S);
        FloatVector c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S);
        FloatVector c71 = FloatVector.zero(S);
        for (int f = 0; f < fn; f++) {
            int d = f * planeD + read;
            int wf = filters + f * channels;
            FloatVector b0 = FloatVector.fromArray(S, dP, d);
            FloatVector b1 = FloatVector.fromArray(S, dP, d + L);
            FloatVector x0 = FloatVector.broadcast(S, wt[wf]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            FloatVector x1 = FloatVector.broadcast(S, wt[wf + 1]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            FloatVector x2 = FloatVector.broadcast(S, wt[wf + 2]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            FloatVector x3 = FloatVector.broadcast(S, wt[wf + 3]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            FloatVector x4 = FloatVector.broadcast(S, wt[wf + 4]);
            c40 = x4.fma(b0, c40);
            c41 = x4.fma(b1, c41);
            FloatVector x5 = FloatVector.broadcast(S, wt[wf + 5]);
            c50 = x5.fma(b0, c50);
            c51 = x5.fma(b1, c51);
            FloatVector x6 = FloatVector.broadcast(S, wt[wf + 6]);
            c60 = x6.fma(b0, c60);
            c61 = x6.fma(b1, c61);
            FloatVector x7 = FloatVector.broadcast(S, wt[wf + 7]);
            c70 = x7.fma(b0, c70);
            c71 = x7.fma(b1, c71);
        }
        // Written out, not in a helper: a call the JIT did not inline would box the vectors.
        FloatVector.fromArray(S, dxw, at).add(c00).intoArray(dxw, at);
        FloatVector.fromArray(S, dxw, at + L).add(c01).intoArray(dxw, at + L);
        if (rows > 1) {
            FloatVector.fromArray(S, dxw, at + plane).add(c10).intoArray(dxw, at + plane);
            FloatVector.fromArray(S, dxw, at + plane + L).add(c11).intoArray(dxw, at + plane + L);
        }
        if (rows > 2) {
            FloatVector.fromArray(S, dxw, at + 2 * plane).add(c20).intoArray(dxw, at + 2 * plane);
            FloatVector.fromArray(S, dxw, at + 2 * plane + L).add(c21).intoArray(dxw, at + 2 * plane + L);
        }
        if (rows > 3) {
            FloatVector.fromArray(S, dxw, at + 3 * plane).add(c30).intoArray(dxw, at + 3 * plane);
            FloatVector.fromArray(S, dxw, at + 3 * plane + L).add(c31).intoArray(dxw, at + 3 * plane + L);
        }
        if (rows > 4) {
            FloatVector.fromArray(S, dxw, at + 4 * plane).add(c40).intoArray(dxw, at + 4 * plane);
            FloatVector.fromArray(S, dxw, at + 4 * plane + L).add(c41).intoArray(dxw, at + 4 * plane + L);
        }
        if (rows > 5) {
            FloatVector.fromArray(S, dxw, at + 5 * plane).add(c50).intoArray(dxw, at + 5 * plane);
            FloatVector.fromArray(S, dxw, at + 5 * plane + L).add(c51).intoArray(dxw, at + 5 * plane + L);
        }
        if (rows > 6) {
            FloatVector.fromArray(S, dxw, at + 6 * plane).add(c60).intoArray(dxw, at + 6 * plane);
            FloatVector.fromArray(S, dxw, at + 6 * plane + L).add(c61).intoArray(dxw, at + 6 * plane + L);
        }
        if (rows > 7) {
            FloatVector.fromArray(S, dxw, at + 7 * plane).add(c70).intoArray(dxw, at + 7 * plane);
            FloatVector.fromArray(S, dxw, at + 7 * plane + L).add(c71).intoArray(dxw, at + 7 * plane + L);
        }
    }

    /** {@link #chains8} for 4 channels: 8 accumulators, within AVX2's 16 registers. */
    private static void chains4(int rows, int filters, int channels, int fn, float[] wt, float[] dP, int planeD,
                                int read, float[] dxw, int at, int plane) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        for (int f = 0; f < fn; f++) {
            int d = f * planeD + read;
            int wf = filters + f * channels;
            FloatVector b0 = FloatVector.fromArray(S, dP, d);
            FloatVector b1 = FloatVector.fromArray(S, dP, d + L);
            FloatVector x0 = FloatVector.broadcast(S, wt[wf]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            FloatVector x1 = FloatVector.broadcast(S, wt[wf + 1]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            FloatVector x2 = FloatVector.broadcast(S, wt[wf + 2]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            FloatVector x3 = FloatVector.broadcast(S, wt[wf + 3]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
        }
        // Written out, not in a helper: a call the JIT did not inline would box the vectors.
        FloatVector.fromArray(S, dxw, at).add(c00).intoArray(dxw, at);
        FloatVector.fromArray(S, dxw, at + L).add(c01).intoArray(dxw, at + L);
        if (rows > 1) {
            FloatVector.fromArray(S, dxw, at + plane).add(c10).intoArray(dxw, at + plane);
            FloatVector.fromArray(S, dxw, at + plane + L).add(c11).intoArray(dxw, at + plane + L);
        }
        if (rows > 2) {
            FloatVector.fromArray(S, dxw, at + 2 * plane).add(c20).intoArray(dxw, at + 2 * plane);
            FloatVector.fromArray(S, dxw, at + 2 * plane + L).add(c21).intoArray(dxw, at + 2 * plane + L);
        }
        if (rows > 3) {
            FloatVector.fromArray(S, dxw, at + 3 * plane).add(c30).intoArray(dxw, at + 3 * plane);
            FloatVector.fromArray(S, dxw, at + 3 * plane + L).add(c31).intoArray(dxw, at + 3 * plane + L);
        }
    }

    /** A thread's buffers, grown as needed and reused, so that steady-state calls allocate nothing. */
    private static final class Scratch {
        /** The shifted copies of an image's dout with its border of zeros, a plane per shift and filter. */
        float[] dout = new float[0];
        /** The geometry whose border of zeros {@link #dout} holds (see {@link #holds}); none at first. */
        private final int[] held = new int[8];
        /** The planes of dx being summed. */
        float[] dx = new float[0];
        /** The filters transposed: a window element's values over the filters. */
        float[] wt = new float[0];

        void ensure(int doutSize, int dxSize, int wtSize) {
            if (dout.length < doutSize) {
                dout = new float[doutSize];
                Arrays.fill(held, 0);
            }
            if (dx.length < dxSize) {
                dx = new float[dxSize];
            }
            if (wt.length < wtSize) {
                wt = new float[wtSize];
            }
        }

        /** Whether {@link #dout} holds the border of this geometry; if not, it is taken to hold it from now on. */
        boolean holds(int fn, int oh, int ow, int wide, int padV, int padH, int shifts, int planeD) {
            if (held[0] == fn && held[1] == oh && held[2] == ow && held[3] == wide && held[4] == padV
                    && held[5] == padH && held[6] == shifts && held[7] == planeD) {
                return true;
            }
            held[0] = fn;
            held[1] = oh;
            held[2] = ow;
            held[3] = wide;
            held[4] = padV;
            held[5] = padH;
            held[6] = shifts;
            held[7] = planeD;
            return false;
        }
    }
}
