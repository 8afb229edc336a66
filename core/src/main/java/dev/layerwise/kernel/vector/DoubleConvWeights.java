// Generated from FloatConvWeights.java by GenerateDoubleKernels: do not edit. To regenerate, run from the
// repository root: java core/src/test/java/dev/layerwise/kernel/GenerateDoubleKernels.java
package dev.layerwise.kernel.vector;

import dev.layerwise.kernel.ConvGeometry;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A convolution's weight gradient {@code dW = doutT·col} in float64, without {@code col}: the window elements are read
 * from the images themselves as the product needs them.
 *
 * <p>{@link DoubleGemm} would compute each element {@code dW[f][j]} as a chain of multiply-adds over the rows of
 * {@code col} (the output positions of all images), block of {@link DoubleGemm#KC} rows by block from row 0, each block
 * summed from zero and added to the sum of the blocks before it (its partial last panel may sum one block in two parts:
 * see {@link DoubleGemm#chainSplit}). This kernel computes the same chains in the same order, so the same bits, with the
 * vectors running along the filters instead of the window elements: per position, one load of {@code dout} for a
 * vector of filters and one broadcast of an input element per window element. The input element is {@code col[q][j]}
 * itself, read from the image (or from a copy of it with its padding, so that the padding's zeros are multiplied as in
 * {@code col}); the filters' values per position are a row of doutT transposed once per call, before the threads
 * split the window elements (each would otherwise transpose all of it). Unfolding the input into {@code col} costs
 * about as much as the product that reads it, and {@code col} holds as many elements as the images times the window.
 *
 * <p>With 512-bit vectors and whole vectors of channels, where no chain is cut ({@link #byChannels}), the vectors run
 * along the channels instead ({@link #weightsByChannels}), from a copy of the images with their channels last: a
 * position's loads of the image then serve 8 filters each, and its broadcasts of dout 3 vectors of channels each,
 * where with a single vector of filters (16 filters) every multiply-add needed a broadcast of its own.
 *
 * <p>Only for the shapes where DoubleGemm's sums are those chains: see {@link DoubleGemm#chainSplit}.
 */
@SuppressWarnings("cast")
final class DoubleConvWeights {
    private static final VectorSpecies<Double> S = DoubleGemm.S;
    private static final int L = DoubleGemm.L;
    private static final int KC = DoubleGemm.KC;
    /** Window elements per tile: 8 tiles of two vectors fill 16 registers with AVX-512; AVX2 takes two passes of 4. */
    static final int ROWS = 8;
    /** Whether a single vector of filters is taken for twice ROWS window elements: 16 accumulators, with AVX-512. */
    private static final boolean WIDE_ROWS = S.vectorBitSize() >= 512;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private DoubleConvWeights() {
    }

    /**
     * Columns {@code [j0, j1)} of {@code dW (fn, patch)}, the other columns untouched: {@code dW[f][j] = Σ_q
     * doutT[f][q]·col[q][j]} over the {@code n·outH·outW} rows of the book's col of {@code x}, in DoubleGemm's order,
     * which {@code split} gives ({@link DoubleGemm#chainSplit}, not −1). {@code dout} holds doutT transposed, row q
     * holding position q's filters ({@code fnPad} floats a row, {@code fn} rounded up to whole vectors; see
     * {@link #rowsOf}).
     */
    static void weights(int j0, int j1, int n, ConvGeometry g, int fn, double[] x, int xOff, double[] dout, int split,
                        double[] dW, int dWOff) {
        int patch = g.patchSize();
        int positions = g.positions();
        int total = n * positions;
        if (total == 0) {
            for (int f = 0; f < fn; f++) {
                Arrays.fill(dW, dWOff + f * patch + j0, dWOff + f * patch + j1, 0d);
            }
            return;
        }
        int fnPad = rowsOf(fn);
        int pad = g.pad();
        int wp = g.width() + 2 * pad;
        int planeP = (g.height() + 2 * pad) * wp;
        int imageP = g.channels() * planeP;
        // Images a block of KC positions can touch; they are kept padded in a ring of that many slots.
        int slots = pad == 0 ? 0 : Math.min(n, (KC - 1) / positions + 2);
        Scratch s = SCRATCH.get();
        s.ensure(fnPad, j1 - j0, slots * imageP, slots);
        double[] src = pad == 0 ? x : s.images;
        int[] offsets = s.offsets;
        int fhw = g.filterH() * g.filterW();
        for (int j = j0; j < j1; j++) {
            int c = j / fhw;
            int ky = j % fhw / g.filterW();
            int kx = j % g.filterW();
            offsets[j - j0] = c * planeP + ky * wp + kx;
        }
        // The columns of the product's partial last panel, whose chains may restart within a block. Tiles never
        // straddle its first column, a multiple of the panels' width and so of ROWS.
        int partial = patch / DoubleGemm.NR * DoubleGemm.NR;
        double[] acc = s.acc;
        int stride = g.stride();
        int ow = g.outW();
        for (int r0 = 0; r0 < total; r0 += KC) {
            int kc = Math.min(KC, total - r0);
            // Where each position of the block has its window in src: runs along the output rows.
            int[] starts = s.starts;
            for (int r = r0; r < r0 + kc; ) {
                int i = r / positions;
                int at = r - i * positions;
                int oy = at / ow;
                int ox = at - oy * ow;
                int len = Math.min(ow - ox, r0 + kc - r);
                int image = pad == 0 ? xOff + i * g.imageSize() : s.padded(i, g, x, xOff, imageP, slots);
                for (int e = 0, start = image + oy * stride * wp + ox * stride; e < len; e++, start += stride) {
                    starts[r - r0 + e] = start;
                }
                r += len;
            }
            boolean add = r0 > 0;
            int cut = split > r0 && split < r0 + kc ? split - r0 : kc;
            for (int jt = j0, rows; jt < j1; jt += rows) {
                // With a single vector of filters, AVX-512 takes 16 window elements at a time (see tile16x1), up to
                // the partial panel's first column, whose blocks may be cut.
                rows = Math.min(WIDE_ROWS && fnPad == L ? 2 * ROWS : ROWS, j1 - jt);
                if (jt < partial) {
                    rows = Math.min(rows, partial - jt);
                }
                int o = jt - j0;
                if (jt >= partial && cut < kc) {
                    tile(rows, offsets, o, src, starts, 0, cut, dout, r0 * fnPad, fnPad, s.tile, acc, add);
                    tile(rows, offsets, o, src, starts, cut, kc, dout, r0 * fnPad, fnPad, s.tile, acc, true);
                } else {
                    tile(rows, offsets, o, src, starts, 0, kc, dout, r0 * fnPad, fnPad, s.tile, acc, add);
                }
            }
        }
        for (int j = j0; j < j1; j++) {
            int a = (j - j0) * fnPad;
            for (int f = 0; f < fn; f++) {
                dW[dWOff + f * patch + j] = acc[a + f];
            }
        }
    }

    /**
     * Whether {@link #weightsByChannels} applies: vectors of 512 bits, DoubleGemm summing every element of dW as whole
     * blocks from zero (no chain cut, {@code split} 0), and channels that fill whole vectors.
     */
    static boolean byChannels(ConvGeometry g, int split) {
        return S.vectorBitSize() >= 512 && split == 0 && g.channels() % L == 0;
    }

    /** The work items of {@link #weightsByChannels}: groups of {@link #ROWS} filters times window elements' units. */
    static int channelItems(ConvGeometry g, int fn) {
        return (fn + ROWS - 1) / ROWS * (g.filterH() * g.filterW() * g.channels() / L);
    }

    /** The floats of one image in {@link #channelsLast}'s layout: the padded image, channels last. */
    static int channelsLastSize(ConvGeometry g) {
        return (g.height() + 2 * g.pad()) * (g.width() + 2 * g.pad()) * g.channels();
    }

    /**
     * Images {@code [i0, i1)} of {@code x} padded and with their channels last, for {@link #weightsByChannels}:
     * {@code xc[i][(y·wp + x)·C + c]} is element {@code (y − pad, x − pad)} of channel c, or 0 in the padding
     * ({@code wp = W + 2·pad}); image i from {@code i·}{@link #channelsLastSize}. The values are only moved.
     */
    static void channelsLast(int i0, int i1, ConvGeometry g, double[] x, int xOff, double[] xc) {
        int channels = g.channels();
        int h = g.height();
        int width = g.width();
        int pad = g.pad();
        int wp = width + 2 * pad;
        int size = channelsLastSize(g);
        int hw = h * width;
        Scratch s = SCRATCH.get();
        if (pad > 0 && s.image.length < hw * channels) {
            s.image = new double[hw * channels];
        }
        for (int i = i0; i < i1; i++) {
            int image = xOff + i * g.imageSize();
            int base = i * size;
            if (pad == 0) {
                DoubleGemm.transpose(channels, hw, x, image, hw, xc, base, channels);
                continue;
            }
            DoubleGemm.transpose(channels, hw, x, image, hw, s.image, 0, channels);
            Arrays.fill(xc, base, base + pad * wp * channels + pad * channels, 0d);
            for (int y = 0; y < h; y++) {
                int row = base + ((y + pad) * wp + pad) * channels;
                System.arraycopy(s.image, y * width * channels, xc, row, width * channels);
                // The right padding of this row and the left padding of the next.
                Arrays.fill(xc, row + width * channels, row + (width + 2 * pad) * channels, 0d);
            }
            Arrays.fill(xc, base + ((h + pad) * wp + pad) * channels, base + size, 0d);
        }
    }

    /**
     * {@link #weights} with the vectors along the channels, from the images with their channels last ({@code xc}, made
     * by {@link #channelsLast}). Work item {@code i} is filters {@code [8·(i / units), +8)} (those below fn) and unit
     * {@code i % units} of the window elements, {@code units = filterH·filterW·C / L}: unit {@code u} is window position
     * {@code u / (C / L)} and the vector of channels {@code u % (C / L)}. Items {@code [i0, i1)} are computed, the
     * rest of dW untouched. Per position, a tile of 3 units and 8 filters takes 3 loads of the image and 8 broadcasts
     * of dout for 24 multiply-adds, where vectors along the filters need a broadcast per multiply-add for a single
     * vector of filters. Every element is the same chain over the positions of a block as in {@link #weights},
     * added to the blocks before it in the same order: the same bits.
     */
    static void weightsByChannels(int i0, int i1, int n, ConvGeometry g, int fn, double[] xc, double[] dout, double[] dW,
                                  int dWOff) {
        int channels = g.channels();
        int vectors = channels / L;
        int fhw = g.filterH() * g.filterW();
        int units = fhw * vectors;
        int patch = g.patchSize();
        int positions = g.positions();
        int total = n * positions;
        int fnPad = rowsOf(fn);
        int wp = g.width() + 2 * g.pad();
        int size = channelsLastSize(g);
        int fw = g.filterW();
        int item = ROWS * L; // an item's sums: 8 filters, a vector of channels each
        Scratch s = SCRATCH.get();
        s.ensure(item, i1 - i0, 0, 0);
        double[] acc = s.acc;
        // Each sum starts from +0, to which the first block's chain is added: that is the chain itself, bit for bit
        // (a chain from +0 is never −0).
        Arrays.fill(acc, 0, (i1 - i0) * item, 0d);
        int[] starts = s.starts;
        int step = g.stride() * channels;
        int ow = g.outW();
        for (int r0 = 0; r0 < total; r0 += KC) {
            int kc = Math.min(KC, total - r0);
            // Where each position of the block has its window in xc: runs along the output rows.
            for (int r = r0; r < r0 + kc; ) {
                int i = r / positions;
                int at = r - i * positions;
                int oy = at / ow;
                int ox = at - oy * ow;
                int len = Math.min(ow - ox, r0 + kc - r);
                int start = i * size + (oy * g.stride() * wp + ox * g.stride()) * channels;
                for (int e = 0; e < len; e++, start += step) {
                    starts[r - r0 + e] = start;
                }
                r += len;
            }
            for (int it = i0, count; it < i1; it += count) {
                int group = it / units;
                int u = it % units;
                count = Math.min(3, Math.min(i1 - it, units - u)); // units of one group of filters
                int o0 = unitOffset(u, vectors, fw, wp, channels);
                int o1 = count > 1 ? unitOffset(u + 1, vectors, fw, wp, channels) : o0;
                int o2 = count > 2 ? unitOffset(u + 2, vectors, fw, wp, channels) : o0;
                run3x8(count, o0, o1, o2, xc, starts, kc, dout, r0 * fnPad + group * ROWS, fnPad, acc,
                        (it - i0) * item);
            }
        }
        for (int it = i0; it < i1; it++) {
            int group = it / units;
            int u = it % units;
            int kk = u / vectors;
            int c0 = u % vectors * L;
            int a = (it - i0) * item;
            for (int k = 0; k < ROWS && group * ROWS + k < fn; k++) {
                int row = dWOff + (group * ROWS + k) * patch + kk;
                for (int l = 0; l < L; l++) {
                    dW[row + (c0 + l) * fhw] = acc[a + k * L + l];
                }
            }
        }
    }

    /** Where unit {@code u}'s vector of channels lies in {@link #channelsLast}'s image, from a position's start. */
    private static int unitOffset(int u, int vectors, int fw, int wp, int channels) {
        int kk = u / vectors;
        return (kk / fw * wp + kk % fw) * channels + u % vectors * L;
    }

    /**
     * One block's chains for up to 3 units (offsets {@code o0, o1, o2}; {@code units} of them used) and 8 filters
     * (dout's position q at {@code dOff + q·fnPad}), each added to its sum in {@code acc} from {@code at} (unit by
     * unit, filter by filter, a vector of channels each) as the chain plus that sum, as DoubleGemm merges a block.
     */
    private static void run3x8(int units, int o0, int o1, int o2, double[] xc, int[] starts, int kc, double[] dout,
                               int dOff, int fnPad, double[] acc, int at) {
        DoubleVector c00 = DoubleVector.zero(S);
        DoubleVector c01 = DoubleVector.zero(S);
        DoubleVector c02 = DoubleVector.zero(S);
        DoubleVector c03 = DoubleVector.zero(S);
        DoubleVector c04 = DoubleVector.zero(S);
        DoubleVector c05 = DoubleVector.zero(S);
        DoubleVector c06 = DoubleVector.zero(S);
        DoubleVector c07 = DoubleVector.zero(S);
        DoubleVector c10 = DoubleVector.zero(S);
        DoubleVector c11 = DoubleVector.zero(S);
        DoubleVector c12 = DoubleVector.zero(S);
        DoubleVector c13 = DoubleVector.zero(S);
        DoubleVector c14 = DoubleVector.zero(S);
        DoubleVector c15 = DoubleVector.zero(S);
        DoubleVector c16 = DoubleVector.zero(S);
        DoubleVector c17 = DoubleVector.zero(S);
        DoubleVector c20 = DoubleVector.zero(S);
        DoubleVector c21 = DoubleVector.zero(S);
        DoubleVector c22 = DoubleVector.zero(S);
        DoubleVector c23 = DoubleVector.zero(S);
        DoubleVector c24 = DoubleVector.zero(S);
        DoubleVector c25 = DoubleVector.zero(S);
        DoubleVector c26 = DoubleVector.zero(S);
        DoubleVector c27 = DoubleVector.zero(S);
        for (int q = 0; q < kc; q++) {
            int p = starts[q];
            int d = dOff + q * fnPad;
            DoubleVector x0 = DoubleVector.fromArray(S, xc, p + o0);
            DoubleVector x1 = DoubleVector.fromArray(S, xc, p + o1);
            DoubleVector x2 = DoubleVector.fromArray(S, xc, p + o2);
            DoubleVector b0 = DoubleVector.broadcast(S, dout[d]);
            c00 = x0.fma(b0, c00);
            c10 = x1.fma(b0, c10);
            c20 = x2.fma(b0, c20);
            DoubleVector b1 = DoubleVector.broadcast(S, dout[d + 1]);
            c01 = x0.fma(b1, c01);
            c11 = x1.fma(b1, c11);
            c21 = x2.fma(b1, c21);
            DoubleVector b2 = DoubleVector.broadcast(S, dout[d + 2]);
            c02 = x0.fma(b2, c02);
            c12 = x1.fma(b2, c12);
            c22 = x2.fma(b2, c22);
            DoubleVector b3 = DoubleVector.broadcast(S, dout[d + 3]);
            c03 = x0.fma(b3, c03);
            c13 = x1.fma(b3, c13);
            c23 = x2.fma(b3, c23);
            DoubleVector b4 = DoubleVector.broadcast(S, dout[d + 4]);
            c04 = x0.fma(b4, c04);
            c14 = x1.fma(b4, c14);
            c24 = x2.fma(b4, c24);
            DoubleVector b5 = DoubleVector.broadcast(S, dout[d + 5]);
            c05 = x0.fma(b5, c05);
            c15 = x1.fma(b5, c15);
            c25 = x2.fma(b5, c25);
            DoubleVector b6 = DoubleVector.broadcast(S, dout[d + 6]);
            c06 = x0.fma(b6, c06);
            c16 = x1.fma(b6, c16);
            c26 = x2.fma(b6, c26);
            DoubleVector b7 = DoubleVector.broadcast(S, dout[d + 7]);
            c07 = x0.fma(b7, c07);
            c17 = x1.fma(b7, c17);
            c27 = x2.fma(b7, c27);
        }
        // Written out, not in a helper: a call the JIT did not inline would box the vectors.
        c00.add(DoubleVector.fromArray(S, acc, at)).intoArray(acc, at);
        c01.add(DoubleVector.fromArray(S, acc, at + L)).intoArray(acc, at + L);
        c02.add(DoubleVector.fromArray(S, acc, at + 2 * L)).intoArray(acc, at + 2 * L);
        c03.add(DoubleVector.fromArray(S, acc, at + 3 * L)).intoArray(acc, at + 3 * L);
        c04.add(DoubleVector.fromArray(S, acc, at + 4 * L)).intoArray(acc, at + 4 * L);
        c05.add(DoubleVector.fromArray(S, acc, at + 5 * L)).intoArray(acc, at + 5 * L);
        c06.add(DoubleVector.fromArray(S, acc, at + 6 * L)).intoArray(acc, at + 6 * L);
        c07.add(DoubleVector.fromArray(S, acc, at + 7 * L)).intoArray(acc, at + 7 * L);
        if (units > 1) {
            c10.add(DoubleVector.fromArray(S, acc, at + 8 * L)).intoArray(acc, at + 8 * L);
            c11.add(DoubleVector.fromArray(S, acc, at + 9 * L)).intoArray(acc, at + 9 * L);
            c12.add(DoubleVector.fromArray(S, acc, at + 10 * L)).intoArray(acc, at + 10 * L);
            c13.add(DoubleVector.fromArray(S, acc, at + 11 * L)).intoArray(acc, at + 11 * L);
            c14.add(DoubleVector.fromArray(S, acc, at + 12 * L)).intoArray(acc, at + 12 * L);
            c15.add(DoubleVector.fromArray(S, acc, at + 13 * L)).intoArray(acc, at + 13 * L);
            c16.add(DoubleVector.fromArray(S, acc, at + 14 * L)).intoArray(acc, at + 14 * L);
            c17.add(DoubleVector.fromArray(S, acc, at + 15 * L)).intoArray(acc, at + 15 * L);
        }
        if (units > 2) {
            c20.add(DoubleVector.fromArray(S, acc, at + 16 * L)).intoArray(acc, at + 16 * L);
            c21.add(DoubleVector.fromArray(S, acc, at + 17 * L)).intoArray(acc, at + 17 * L);
            c22.add(DoubleVector.fromArray(S, acc, at + 18 * L)).intoArray(acc, at + 18 * L);
            c23.add(DoubleVector.fromArray(S, acc, at + 19 * L)).intoArray(acc, at + 19 * L);
            c24.add(DoubleVector.fromArray(S, acc, at + 20 * L)).intoArray(acc, at + 20 * L);
            c25.add(DoubleVector.fromArray(S, acc, at + 21 * L)).intoArray(acc, at + 21 * L);
            c26.add(DoubleVector.fromArray(S, acc, at + 22 * L)).intoArray(acc, at + 22 * L);
            c27.add(DoubleVector.fromArray(S, acc, at + 23 * L)).intoArray(acc, at + 23 * L);
        }
    }

    /** The floats of a row of {@link #weights}'s {@code dout}: {@code fn} rounded up to whole vectors. */
    static int rowsOf(int fn) {
        return (fn + L - 1) / L * L;
    }

    /**
     * Positions {@code [q0, q1)} of a block's chains for the window elements of one tile (offsets {@code offsets[o …]},
     * {@code rows} of them) and all filters, merged into {@code acc} (set, or added to when {@code add}); the block's
     * position q has its filters at {@code dout[dOff + q·fnPad]}.
     */
    private static void tile(int rows, int[] offsets, int o, double[] src, int[] starts, int q0, int q1, double[] dout,
                             int dOff, int fnPad, double[] tile, double[] acc, boolean add) {
        if (rows > ROWS) {
            tile16x1(rows, offsets, o, src, starts, q0, q1, dout, dOff, fnPad, tile);
            merge(tile, rows, 1, acc, o * fnPad, fnPad, add);
            return;
        }
        for (int fp = 0; fp < fnPad; fp += 2 * L) {
            int at = o * fnPad + fp;
            if (fnPad - fp == L) {
                tile8x1(rows, offsets, o, src, starts, q0, q1, dout, dOff, fnPad, fp, tile);
                merge(tile, rows, 1, acc, at, fnPad, add);
            } else if (S.vectorBitSize() >= 512) {
                tile8x2(rows, offsets, o, src, starts, q0, q1, dout, dOff, fnPad, fp, tile);
                merge(tile, rows, 2, acc, at, fnPad, add);
            } else {
                tile4x2(Math.min(4, rows), offsets, o, src, starts, q0, q1, dout, dOff, fnPad, fp, tile);
                merge(tile, Math.min(4, rows), 2, acc, at, fnPad, add);
                if (rows > 4) {
                    tile4x2(rows - 4, offsets, o + 4, src, starts, q0, q1, dout, dOff, fnPad, fp, tile);
                    merge(tile, rows - 4, 2, acc, at + 4 * fnPad, fnPad, add);
                }
            }
        }
    }

    /**
     * {@code acc}'s rows {@code [0, rows)} (each {@code vectors} vectors from {@code at}, rows {@code ld} apart) set to
     * the tile's (rows of {@code 2L}), or the tile added to them: the block's chain added to the blocks before it, as
     * DoubleGemm merges a tile into C.
     */
    private static void merge(double[] tile, int rows, int vectors, double[] acc, int at, int ld, boolean add) {
        // Two loops rather than one with a condition inside: a vector chosen by a condition is boxed by C2.
        if (add) {
            for (int r = 0; r < rows; r++) {
                for (int v = 0; v < vectors; v++) {
                    int a = at + r * ld + v * L;
                    DoubleVector.fromArray(S, tile, r * 2 * L + v * L).add(DoubleVector.fromArray(S, acc, a))
                            .intoArray(acc, a);
                }
            }
        } else {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(tile, r * 2 * L, acc, at + r * ld, vectors * L);
            }
        }
    }

    /**
     * The chains of one block for 8 window elements (offsets {@code offsets[o …]} in an image, rows past {@code rows}
     * repeating the last) and two vectors of filters from {@code fp}: per position, two loads of {@code dout} and 8
     * broadcasts of input elements feed 16 accumulators. Into {@code tile}, rows of 2L.
     */
    private static void tile8x2(int rows, int[] offsets, int o, double[] src, int[] starts, int q0, int q1,
                                double[] dout, int dOff, int fnPad, int fp, double[] tile) {
        int o0 = offsets[o];
        int o1 = offsets[o + Math.min(1, rows - 1)];
        int o2 = offsets[o + Math.min(2, rows - 1)];
        int o3 = offsets[o + Math.min(3, rows - 1)];
        int o4 = offsets[o + Math.min(4, rows - 1)];
        int o5 = offsets[o + Math.min(5, rows - 1)];
        int o6 = offsets[o + Math.min(6, rows - 1)];
        int o7 = offsets[o + Math.min(7, rows - 1)];
        DoubleVector c00 = DoubleVector.zero(S);
        DoubleVector c01 = DoubleVector.zero(S);
        DoubleVector c10 = DoubleVector.zero(S);
        DoubleVector c11 = DoubleVector.zero(S);
        DoubleVector c20 = DoubleVector.zero(S);
        DoubleVector c21 = DoubleVector.zero(S);
        DoubleVector c30 = DoubleVector.zero(S);
        DoubleVector c31 = DoubleVector.zero(S);
        DoubleVector c40 = DoubleVector.zero(S);
        DoubleVector c41 = DoubleVector.zero(S);
        DoubleVector c50 = DoubleVector.zero(S);
        DoubleVector c51 = DoubleVector.zero(S);
        DoubleVector c60 = DoubleVector.zero(S);
        DoubleVector c61 = DoubleVector.zero(S);
        DoubleVector c70 = DoubleVector.zero(S);
        DoubleVector c71 = DoubleVector.zero(S);
        for (int q = q0; q < q1; q++) {
            int p = starts[q];
            int bRow = dOff + q * fnPad + fp;
            DoubleVector b0 = DoubleVector.fromArray(S, dout, bRow);
            DoubleVector b1 = DoubleVector.fromArray(S, dout, bRow + L);
            DoubleVector x0 = DoubleVector.broadcast(S, src[p + o0]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            DoubleVector x1 = DoubleVector.broadcast(S, src[p + o1]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            DoubleVector x2 = DoubleVector.broadcast(S, src[p + o2]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            DoubleVector x3 = DoubleVector.broadcast(S, src[p + o3]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            DoubleVector x4 = DoubleVector.broadcast(S, src[p + o4]);
            c40 = x4.fma(b0, c40);
            c41 = x4.fma(b1, c41);
            DoubleVector x5 = DoubleVector.broadcast(S, src[p + o5]);
            c50 = x5.fma(b0, c50);
            c51 = x5.fma(b1, c51);
            DoubleVector x6 = DoubleVector.broadcast(S, src[p + o6]);
            c60 = x6.fma(b0, c60);
            c61 = x6.fma(b1, c61);
            DoubleVector x7 = DoubleVector.broadcast(S, src[p + o7]);
            c70 = x7.fma(b0, c70);
            c71 = x7.fma(b1, c71);
        }
        int w = 2 * L;
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, w);
        c11.intoArray(tile, w + L);
        c20.intoArray(tile, 2 * w);
        c21.intoArray(tile, 2 * w + L);
        c30.intoArray(tile, 3 * w);
        c31.intoArray(tile, 3 * w + L);
        c40.intoArray(tile, 4 * w);
        c41.intoArray(tile, 4 * w + L);
        c50.intoArray(tile, 5 * w);
        c51.intoArray(tile, 5 * w + L);
        c60.intoArray(tile, 6 * w);
        c61.intoArray(tile, 6 * w + L);
        c70.intoArray(tile, 7 * w);
        c71.intoArray(tile, 7 * w + L);
    }

    /** {@link #tile8x2} for 4 window elements: 8 accumulators, within AVX2's 16 registers. */
    private static void tile4x2(int rows, int[] offsets, int o, double[] src, int[] starts, int q0, int q1,
                                double[] dout, int dOff, int fnPad, int fp, double[] tile) {
        int o0 = offsets[o];
        int o1 = offsets[o + Math.min(1, rows - 1)];
        int o2 = offsets[o + Math.min(2, rows - 1)];
        int o3 = offsets[o + Math.min(3, rows - 1)];
        DoubleVector c00 = DoubleVector.zero(S);
        DoubleVector c01 = DoubleVector.zero(S);
        DoubleVector c10 = DoubleVector.zero(S);
        DoubleVector c11 = DoubleVector.zero(S);
        DoubleVector c20 = DoubleVector.zero(S);
        DoubleVector c21 = DoubleVector.zero(S);
        DoubleVector c30 = DoubleVector.zero(S);
        DoubleVector c31 = DoubleVector.zero(S);
        for (int q = q0; q < q1; q++) {
            int p = starts[q];
            int bRow = dOff + q * fnPad + fp;
            DoubleVector b0 = DoubleVector.fromArray(S, dout, bRow);
            DoubleVector b1 = DoubleVector.fromArray(S, dout, bRow + L);
            DoubleVector x0 = DoubleVector.broadcast(S, src[p + o0]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            DoubleVector x1 = DoubleVector.broadcast(S, src[p + o1]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            DoubleVector x2 = DoubleVector.broadcast(S, src[p + o2]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            DoubleVector x3 = DoubleVector.broadcast(S, src[p + o3]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
        }
        int w = 2 * L;
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, w);
        c11.intoArray(tile, w + L);
        c20.intoArray(tile, 2 * w);
        c21.intoArray(tile, 2 * w + L);
        c30.intoArray(tile, 3 * w);
        c31.intoArray(tile, 3 * w + L);
    }

    /** {@link #tile8x2} for a last vector of filters: 8 accumulators. */
    private static void tile8x1(int rows, int[] offsets, int o, double[] src, int[] starts, int q0, int q1,
                                double[] dout, int dOff, int fnPad, int fp, double[] tile) {
        int o0 = offsets[o];
        int o1 = offsets[o + Math.min(1, rows - 1)];
        int o2 = offsets[o + Math.min(2, rows - 1)];
        int o3 = offsets[o + Math.min(3, rows - 1)];
        int o4 = offsets[o + Math.min(4, rows - 1)];
        int o5 = offsets[o + Math.min(5, rows - 1)];
        int o6 = offsets[o + Math.min(6, rows - 1)];
        int o7 = offsets[o + Math.min(7, rows - 1)];
        DoubleVector c0 = DoubleVector.zero(S);
        DoubleVector c1 = DoubleVector.zero(S);
        DoubleVector c2 = DoubleVector.zero(S);
        DoubleVector c3 = DoubleVector.zero(S);
        DoubleVector c4 = DoubleVector.zero(S);
        DoubleVector c5 = DoubleVector.zero(S);
        DoubleVector c6 = DoubleVector.zero(S);
        DoubleVector c7 = DoubleVector.zero(S);
        for (int q = q0; q < q1; q++) {
            int p = starts[q];
            int bRow = dOff + q * fnPad + fp;
            DoubleVector b0 = DoubleVector.fromArray(S, dout, bRow);
            c0 = DoubleVector.broadcast(S, src[p + o0]).fma(b0, c0);
            c1 = DoubleVector.broadcast(S, src[p + o1]).fma(b0, c1);
            c2 = DoubleVector.broadcast(S, src[p + o2]).fma(b0, c2);
            c3 = DoubleVector.broadcast(S, src[p + o3]).fma(b0, c3);
            c4 = DoubleVector.broadcast(S, src[p + o4]).fma(b0, c4);
            c5 = DoubleVector.broadcast(S, src[p + o5]).fma(b0, c5);
            c6 = DoubleVector.broadcast(S, src[p + o6]).fma(b0, c6);
            c7 = DoubleVector.broadcast(S, src[p + o7]).fma(b0, c7);
        }
        int w = 2 * L;
        c0.intoArray(tile, 0);
        c1.intoArray(tile, w);
        c2.intoArray(tile, 2 * w);
        c3.intoArray(tile, 3 * w);
        c4.intoArray(tile, 4 * w);
        c5.intoArray(tile, 5 * w);
        c6.intoArray(tile, 6 * w);
        c7.intoArray(tile, 7 * w);
    }

    /**
     * {@link #tile8x1} for up to 16 window elements and the only vector of filters: 16 accumulators, so that 16 chains
     * of multiply-adds, not 8, cover the latency of the FMA units. Into {@code tile}, rows of 2L.
     */
    private static void tile16x1(int rows, int[] offsets, int o, double[] src, int[] starts, int q0, int q1,
                                 double[] dout, int dOff, int fnPad, double[] tile) {
        int o0 = offsets[o];
        int o1 = offsets[o + Math.min(1, rows - 1)];
        int o2 = offsets[o + Math.min(2, rows - 1)];
        int o3 = offsets[o + Math.min(3, rows - 1)];
        int o4 = offsets[o + Math.min(4, rows - 1)];
        int o5 = offsets[o + Math.min(5, rows - 1)];
        int o6 = offsets[o + Math.min(6, rows - 1)];
        int o7 = offsets[o + Math.min(7, rows - 1)];
        int o8 = offsets[o + Math.min(8, rows - 1)];
        int o9 = offsets[o + Math.min(9, rows - 1)];
        int o10 = offsets[o + Math.min(10, rows - 1)];
        int o11 = offsets[o + Math.min(11, rows - 1)];
        int o12 = offsets[o + Math.min(12, rows - 1)];
        int o13 = offsets[o + Math.min(13, rows - 1)];
        int o14 = offsets[o + Math.min(14, rows - 1)];
        int o15 = offsets[o + Math.min(15, rows - 1)];
        DoubleVector c0 = DoubleVector.zero(S);
        DoubleVector c1 = DoubleVector.zero(S);
        DoubleVector c2 = DoubleVector.zero(S);
        DoubleVector c3 = DoubleVector.zero(S);
        DoubleVector c4 = DoubleVector.zero(S);
        DoubleVector c5 = DoubleVector.zero(S);
        DoubleVector c6 = DoubleVector.zero(S);
        DoubleVector c7 = DoubleVector.zero(S);
        DoubleVector c8 = DoubleVector.zero(S);
        DoubleVector c9 = DoubleVector.zero(S);
        DoubleVector c10 = DoubleVector.zero(S);
        DoubleVector c11 = DoubleVector.zero(S);
        DoubleVector c12 = DoubleVector.zero(S);
        DoubleVector c13 = DoubleVector.zero(S);
        DoubleVector c14 = DoubleVector.zero(S);
        DoubleVector c15 = DoubleVector.zero(S);
        for (int q = q0; q < q1; q++) {
            int p = starts[q];
            DoubleVector b0 = DoubleVector.fromArray(S, dout, dOff + q * fnPad);
            c0 = DoubleVector.broadcast(S, src[p + o0]).fma(b0, c0);
            c1 = DoubleVector.broadcast(S, src[p + o1]).fma(b0, c1);
            c2 = DoubleVector.broadcast(S, src[p + o2]).fma(b0, c2);
            c3 = DoubleVector.broadcast(S, src[p + o3]).fma(b0, c3);
            c4 = DoubleVector.broadcast(S, src[p + o4]).fma(b0, c4);
            c5 = DoubleVector.broadcast(S, src[p + o5]).fma(b0, c5);
            c6 = DoubleVector.broadcast(S, src[p + o6]).fma(b0, c6);
            c7 = DoubleVector.broadcast(S, src[p + o7]).fma(b0, c7);
            c8 = DoubleVector.broadcast(S, src[p + o8]).fma(b0, c8);
            c9 = DoubleVector.broadcast(S, src[p + o9]).fma(b0, c9);
            c10 = DoubleVector.broadcast(S, src[p + o10]).fma(b0, c10);
            c11 = DoubleVector.broadcast(S, src[p + o11]).fma(b0, c11);
            c12 = DoubleVector.broadcast(S, src[p + o12]).fma(b0, c12);
            c13 = DoubleVector.broadcast(S, src[p + o13]).fma(b0, c13);
            c14 = DoubleVector.broadcast(S, src[p + o14]).fma(b0, c14);
            c15 = DoubleVector.broadcast(S, src[p + o15]).fma(b0, c15);
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, 2 * L);
        c2.intoArray(tile, 4 * L);
        c3.intoArray(tile, 6 * L);
        c4.intoArray(tile, 8 * L);
        c5.intoArray(tile, 10 * L);
        c6.intoArray(tile, 12 * L);
        c7.intoArray(tile, 14 * L);
        c8.intoArray(tile, 16 * L);
        c9.intoArray(tile, 18 * L);
        c10.intoArray(tile, 20 * L);
        c11.intoArray(tile, 22 * L);
        c12.intoArray(tile, 24 * L);
        c13.intoArray(tile, 26 * L);
        c14.intoArray(tile, 28 * L);
        c15.intoArray(tile, 30 * L);
    }

    /** A thread's buffers, grown as needed and reused, so that steady-state calls allocate nothing. */
    private static final class Scratch {
        /** The sums of the blocks so far, a row of fnPad per window element of the task. */
        double[] acc = new double[0];
        /** One block's chains for a tile. */
        final double[] tile = new double[2 * ROWS * 2 * L];
        int[] offsets = new int[0];
        /** Where the window of each position of a block starts in the (padded) images. */
        final int[] starts = new int[KC];
        /** Padded images, image i in slot i % slots, which image each slot holds in {@link #held}. */
        double[] images = new double[0];
        int[] held = new int[0];
        /** One image with its channels last, before {@link #channelsLast} pads it. */
        double[] image = new double[0];

        void ensure(int fnPad, int columns, int imagesSize, int slots) {
            if (acc.length < columns * fnPad) {
                acc = new double[columns * fnPad];
            }
            if (offsets.length < columns) {
                offsets = new int[columns];
            }
            if (images.length < imagesSize) {
                images = new double[imagesSize];
            }
            if (held.length < slots) {
                held = new int[slots];
            }
            // The images may have changed since the last call: every slot is copied anew.
            Arrays.fill(held, -1);
        }

        /** Where padded image {@code i} starts in {@link #images}, copied there (zeros around it) if not yet held. */
        int padded(int i, ConvGeometry g, double[] x, int xOff, int imageP, int slots) {
            int slot = i % slots;
            int base = slot * imageP;
            if (held[slot] != i) {
                int pad = g.pad();
                int h = g.height();
                int w = g.width();
                int wp = w + 2 * pad;
                int hp = h + 2 * pad;
                Arrays.fill(images, base, base + imageP, 0d);
                for (int c = 0; c < g.channels(); c++) {
                    for (int y = 0; y < h; y++) {
                        System.arraycopy(x, xOff + (i * g.channels() + c) * h * w + y * w, images,
                                base + c * hp * wp + (y + pad) * wp + pad, w);
                    }
                }
                held[slot] = i;
            }
            return base;
        }
    }
}
