package dev.layerwise.kernel.vector;

import dev.layerwise.kernel.ConvGeometry;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A convolution's forward pass {@code out[i] = W·colT[i] + b·1ᵀ} in float32 for stride 1, image by image, without
 * {@code colT}: the window elements are read from a padded copy of the image.
 *
 * <p>{@link FloatGemm} starts each element of {@code out[i]} from its filter's bias and adds to it, block of window
 * elements by block ({@link FloatGemm#blockSteps}), a chain of multiply-adds over the block from zero
 * ({@link #supports}: every panel of the positions read whole, no single-row tile, no positions summed as dot
 * products). Here the same chains are computed, in the same order, with the vectors along the output positions, from
 * {@code filterW} copies of the image with its border of zeros, the copy for window column {@code kx} shifted left by
 * {@code kx} and cut to rows of {@code outW}: then a window element's reads are one contiguous run for the whole output
 * plane, every lane of every vector is an output element, and the unfolding into {@code colT} is not needed.
 */
final class FloatConvForward {
    private static final VectorSpecies<Float> S = FloatGemm.S;
    private static final int L = FloatGemm.L;
    /** Whether the product's last panel may be three vectors wide, as FloatGemm's WIDE says. */
    private static final boolean WIDE = FloatGemm.WIDE;

    /**
     * Rows per tile: 8 chains two vectors wide fill AVX-512's 32 registers, 4 AVX2's 16. The tile's height does not
     * change a sum: every element is one chain over the window, as in FloatGemm whatever its own tile.
     */
    private static final int ROWS = S.vectorBitSize() >= 512 ? 8 : 4;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private FloatConvForward() {
    }

    /**
     * Whether FloatGemm's product {@code (fn × patch)·(patch × positions)} sums as described above (the positions form
     * whole panels, but for its last few summed as dot products, which {@link #thinPositions} sums as FloatGemm does,
     * and the filters leave no single-row tile), for stride 1.
     */
    // A row count of 4·j + 1 would leave a single-row tile, whose kernel splits its chain; FloatGemm's lone last row
    // (LONE rows apart, LONE being 4 or 8) is among them.
    static boolean supports(ConvGeometry g, int fn) {
        int n = g.positions() - FloatGemm.thinColumns(fn, g.positions());
        boolean wholePanels = n % FloatGemm.NR == 0 || WIDE && n > FloatGemm.NR && n % FloatGemm.NR == L;
        return g.stride() == 1 && wholePanels && fn % 4 != 1;
    }

    /** Images {@code [i0, i1)} of the forward pass; {@code out} overwritten for them. */
    static void images(int i0, int i1, ConvGeometry g, int fn, float[] x, int xOff, float[] w, int wOff, float[] b,
                       int bOff, float[] out, int outOff) {
        int channels = g.channels();
        int h = g.height();
        int width = g.width();
        int pad = g.pad();
        int fh = g.filterH();
        int fw = g.filterW();
        int fhw = fh * fw;
        int oh = g.outH();
        int ow = g.outW();
        int positions = oh * ow;
        int patch = g.patchSize();
        int hp = h + 2 * pad;
        int vectors = (positions + L - 1) / L;
        // Two vectors of a plane at a time: a plane holds an even number, the last one's lanes dropped if unused.
        int plane = (vectors + 1) / 2 * 2 * L;
        // Reads of a copy reach (fh − 1) rows, and a vector, past the output plane's end.
        int planeX = Math.max(hp * ow, (fh - 1) * ow + plane + L);
        int copies = fw * channels * planeX;
        int thin = FloatGemm.thinColumns(fn, positions);
        int steps = FloatGemm.blockSteps(fn, positions, patch);
        int fnPad = (fn + L - 1) / L * L;
        Scratch s = SCRATCH.get();
        // W transposed, the filters rounded up to whole tiles: a tile's values for a window element lie side by side.
        int tiled = (fn + ROWS - 1) / ROWS * ROWS;
        s.ensure(copies, fn * plane, patch, thin > 0 ? patch * fnPad : 0, patch * tiled);
        float[] wt = s.wt;
        for (int j = 0; j < patch; j++) {
            for (int f = 0; f < fn; f++) {
                wt[j * tiled + f] = w[wOff + f * patch + j];
            }
        }
        if (thin > 0) {
            for (int j = 0; j < patch; j++) {
                for (int f = 0; f < fnPad; f++) {
                    s.wT[j * fnPad + f] = f < fn ? w[wOff + f * patch + j] : 0f;
                }
            }
        }
        float[] xp = s.x;
        float[] outw = s.out;
        int[] reads = s.reads;
        for (int j = 0; j < patch; j++) {
            int kk = j % fhw;
            reads[j] = (kk % fw * channels + j / fhw) * planeX + kk / fw * ow;
        }
        // Each image writes the same elements of the copies, so their zeros (the border) are written once per
        // geometry.
        if (!s.holds(channels, h, width, pad, fw, planeX)) {
            Arrays.fill(xp, 0, copies, 0f);
        }
        for (int i = i0; i < i1; i++) {
            int image = xOff + i * g.imageSize();
            // Copy kx holds the padded image's column ox + kx at column ox: the image's column ox + kx − pad.
            int to = Math.min(ow, width + pad);
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < h && pad < to; y++) {
                    System.arraycopy(x, image + (c * h + y) * width, xp, c * planeX + (y + pad) * ow + pad, to - pad);
                }
            }
            shiftedCopies(fw, xp, channels, planeX, hp, ow, x, image, h, width, pad, pad);
            for (int f = 0; f < fn; f++) {
                Arrays.fill(outw, f * plane, (f + 1) * plane, b[bOff + f]);
            }
            for (int f = 0; f < fn; f += ROWS) {
                int rows = Math.min(ROWS, fn - f);
                for (int v = 0; v < vectors; v += 2) {
                    for (int j0 = 0; j0 < patch; j0 += steps) {
                        int kc = Math.min(steps, patch - j0);
                        if (ROWS == 8) {
                            chains8(rows, kc, wt, j0 * tiled + f, tiled, reads, j0, xp, v * L, outw,
                                    f * plane + v * L, plane);
                        } else {
                            chains4(rows, kc, wt, j0 * tiled + f, tiled, reads, j0, xp, v * L, outw,
                                    f * plane + v * L, plane);
                        }
                    }
                }
            }
            for (int q = positions - thin; q < positions; q++) {
                thinPositions(q, fn, fnPad, patch, reads, xp, s.wT, b, bOff, s.partial, outw, plane);
            }
            int o = outOff + i * fn * positions;
            for (int f = 0; f < fn; f++) {
                System.arraycopy(outw, f * plane, out, o + f * positions, positions);
            }
        }
    }

    /**
     * Output position {@code q} of every filter as FloatGemm sums its thin columns ({@code FloatGemm.thin}): a dot
     * product of the filter and the position's window, as {@code CHUNK} partial sums (partial sum l a chain of
     * multiply-adds from zero over the window elements l, l + CHUNK, … of the whole chunks), added pairwise halving,
     * plus a chain from zero over the elements past the whole chunks, and the bias added last. Vectors run along the
     * filters: {@code wT} is W transposed, a row of {@code fnPad} filters per window element; {@code partial} holds
     * CHUNK such rows. Into {@code outw} (a plane of {@code plane} per filter).
     */
    private static void thinPositions(int q, int fn, int fnPad, int patch, int[] reads, float[] xp, float[] wT,
                                      float[] b, int bOff, float[] partial, float[] outw, int plane) {
        int chunk = FloatGemm.CHUNK;
        int chunksEnd = patch / chunk * chunk;
        for (int fv = 0; fv < fnPad; fv += L) {
            for (int l = 0; l < chunk; l++) {
                FloatVector sum = FloatVector.zero(S);
                for (int j = l; j < chunksEnd; j += chunk) {
                    sum = FloatVector.broadcast(S, xp[reads[j] + q]).fma(FloatVector.fromArray(S, wT, j * fnPad + fv),
                            sum);
                }
                sum.intoArray(partial, l * L);
            }
            for (int h = chunk / 2; h > 0; h /= 2) {
                for (int l = 0; l < h; l++) {
                    FloatVector.fromArray(S, partial, l * L).add(FloatVector.fromArray(S, partial, (l + h) * L))
                            .intoArray(partial, l * L);
                }
            }
            FloatVector tail = FloatVector.zero(S);
            for (int j = chunksEnd; j < patch; j++) {
                tail = FloatVector.broadcast(S, xp[reads[j] + q]).fma(FloatVector.fromArray(S, wT, j * fnPad + fv),
                        tail);
            }
            FloatVector.fromArray(S, partial, 0).add(tail).intoArray(partial, 0);
            for (int f = fv; f < Math.min(fn, fv + L); f++) {
                outw[f * plane + q] = b[bOff + f] + partial[f - fv];
            }
        }
    }

    /**
     * Copies {@code 1 … copies − 1} of the planes in {@code buf}, each copy {@code s} being copy 0 moved left by
     * {@code s} elements: one move of the whole block, then the last {@code s} columns of each row (which copy 0 does
     * not hold: {@code src}'s element at column {@code x + s − colPad}, or 0 outside it) and the last {@code s}
     * elements of each plane (which the move brings from the next plane) are written again. Copy 0 holds, in
     * {@code planes} planes of {@code planeSize} elements with rows {@code rw} wide, {@code src}'s plane
     * {@code (srcH, srcW)} at row offset {@code rowPad} and column offset {@code colPad}, and zeros elsewhere. The
     * forward pass copies the padded image, {@link FloatConvInput} the padded {@code dout}.
     */
    static void shiftedCopies(int copies, float[] buf, int planes, int planeSize, int rows, int rw,
                                      float[] src, int srcOff, int srcH, int srcW, int rowPad, int colPad) {
        for (int s = 1; s < copies; s++) {
            int base = s * planes * planeSize;
            System.arraycopy(buf, s, buf, base, planes * planeSize - s);
            for (int p = 0; p < planes; p++) {
                int at = base + p * planeSize;
                int from = srcOff + p * srcH * srcW;
                for (int r = 0; r < rows; r++) {
                    int sy = r - rowPad;
                    for (int x = rw - s; x < rw; x++) {
                        int sx = x + s - colPad;
                        buf[at + r * rw + x] = sy >= 0 && sy < srcH && sx >= 0 && sx < srcW
                                ? src[from + sy * srcW + sx] : 0f;
                    }
                }
                Arrays.fill(buf, at + planeSize - s, at + planeSize, 0f);
            }
        }
    }

    /**
     * The chains of 8 filters (rows past {@code rows} read the padding of {@code wt}, and are not stored) over
     * {@code kc} window elements from {@code j0}, for two vectors of the plane from {@code at}, each added to the sum
     * in {@code outw} at {@code to} (rows {@code plane} apart) as the chain plus that sum: per window element, two
     * loads of the padded image and 8 broadcasts of W feed 16 accumulators, and the sums are added straight from the
     * registers. {@code wt} is W transposed, a row of {@code tiled} filters per window element, the tile's first at
     * {@code wPos}: its 8 values are side by side, one index for all the broadcasts, where 8 indices into W (one per
     * filter) left too few general registers for the loop.
     */
    private static void chains8(int rows, int kc, float[] wt, int wPos, int tiled, int[] reads, int j0, float[] xp,
                                int at, float[] outw, int to, int plane) {
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
        for (int p = 0; p < kc; p++) {
            int d = reads[j0 + p] + at;
            int wp = wPos + p * tiled;
            FloatVector b0 = FloatVector.fromArray(S, xp, d);
            FloatVector b1 = FloatVector.fromArray(S, xp, d + L);
            FloatVector x0 = FloatVector.broadcast(S, wt[wp]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            FloatVector x1 = FloatVector.broadcast(S, wt[wp + 1]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            FloatVector x2 = FloatVector.broadcast(S, wt[wp + 2]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            FloatVector x3 = FloatVector.broadcast(S, wt[wp + 3]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            FloatVector x4 = FloatVector.broadcast(S, wt[wp + 4]);
            c40 = x4.fma(b0, c40);
            c41 = x4.fma(b1, c41);
            FloatVector x5 = FloatVector.broadcast(S, wt[wp + 5]);
            c50 = x5.fma(b0, c50);
            c51 = x5.fma(b1, c51);
            FloatVector x6 = FloatVector.broadcast(S, wt[wp + 6]);
            c60 = x6.fma(b0, c60);
            c61 = x6.fma(b1, c61);
            FloatVector x7 = FloatVector.broadcast(S, wt[wp + 7]);
            c70 = x7.fma(b0, c70);
            c71 = x7.fma(b1, c71);
        }
        // Written out, not in a helper: a call the JIT did not inline would box the vectors.
        c00.add(FloatVector.fromArray(S, outw, to)).intoArray(outw, to);
        c01.add(FloatVector.fromArray(S, outw, to + L)).intoArray(outw, to + L);
        if (rows > 1) {
            c10.add(FloatVector.fromArray(S, outw, to + plane)).intoArray(outw, to + plane);
            c11.add(FloatVector.fromArray(S, outw, to + plane + L)).intoArray(outw, to + plane + L);
        }
        if (rows > 2) {
            c20.add(FloatVector.fromArray(S, outw, to + 2 * plane)).intoArray(outw, to + 2 * plane);
            c21.add(FloatVector.fromArray(S, outw, to + 2 * plane + L)).intoArray(outw, to + 2 * plane + L);
        }
        if (rows > 3) {
            c30.add(FloatVector.fromArray(S, outw, to + 3 * plane)).intoArray(outw, to + 3 * plane);
            c31.add(FloatVector.fromArray(S, outw, to + 3 * plane + L)).intoArray(outw, to + 3 * plane + L);
        }
        if (rows > 4) {
            c40.add(FloatVector.fromArray(S, outw, to + 4 * plane)).intoArray(outw, to + 4 * plane);
            c41.add(FloatVector.fromArray(S, outw, to + 4 * plane + L)).intoArray(outw, to + 4 * plane + L);
        }
        if (rows > 5) {
            c50.add(FloatVector.fromArray(S, outw, to + 5 * plane)).intoArray(outw, to + 5 * plane);
            c51.add(FloatVector.fromArray(S, outw, to + 5 * plane + L)).intoArray(outw, to + 5 * plane + L);
        }
        if (rows > 6) {
            c60.add(FloatVector.fromArray(S, outw, to + 6 * plane)).intoArray(outw, to + 6 * plane);
            c61.add(FloatVector.fromArray(S, outw, to + 6 * plane + L)).intoArray(outw, to + 6 * plane + L);
        }
        if (rows > 7) {
            c70.add(FloatVector.fromArray(S, outw, to + 7 * plane)).intoArray(outw, to + 7 * plane);
            c71.add(FloatVector.fromArray(S, outw, to + 7 * plane + L)).intoArray(outw, to + 7 * plane + L);
        }
    }

    /** {@link #chains8} for 4 filters: 8 accumulators, within AVX2's 16 registers. */
    private static void chains4(int rows, int kc, float[] wt, int wPos, int tiled, int[] reads, int j0, float[] xp,
                                int at, float[] outw, int to, int plane) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int d = reads[j0 + p] + at;
            int wp = wPos + p * tiled;
            FloatVector b0 = FloatVector.fromArray(S, xp, d);
            FloatVector b1 = FloatVector.fromArray(S, xp, d + L);
            FloatVector x0 = FloatVector.broadcast(S, wt[wp]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            FloatVector x1 = FloatVector.broadcast(S, wt[wp + 1]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            FloatVector x2 = FloatVector.broadcast(S, wt[wp + 2]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            FloatVector x3 = FloatVector.broadcast(S, wt[wp + 3]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
        }
        // Written out, not in a helper: a call the JIT did not inline would box the vectors.
        c00.add(FloatVector.fromArray(S, outw, to)).intoArray(outw, to);
        c01.add(FloatVector.fromArray(S, outw, to + L)).intoArray(outw, to + L);
        if (rows > 1) {
            c10.add(FloatVector.fromArray(S, outw, to + plane)).intoArray(outw, to + plane);
            c11.add(FloatVector.fromArray(S, outw, to + plane + L)).intoArray(outw, to + plane + L);
        }
        if (rows > 2) {
            c20.add(FloatVector.fromArray(S, outw, to + 2 * plane)).intoArray(outw, to + 2 * plane);
            c21.add(FloatVector.fromArray(S, outw, to + 2 * plane + L)).intoArray(outw, to + 2 * plane + L);
        }
        if (rows > 3) {
            c30.add(FloatVector.fromArray(S, outw, to + 3 * plane)).intoArray(outw, to + 3 * plane);
            c31.add(FloatVector.fromArray(S, outw, to + 3 * plane + L)).intoArray(outw, to + 3 * plane + L);
        }
    }

    /** A thread's buffers, grown as needed and reused, so that steady-state calls allocate nothing. */
    private static final class Scratch {
        /** The shifted copies of an image with its border of zeros, a plane per window column and channel. */
        float[] x = new float[0];
        /** The geometry whose border of zeros {@link #x} holds: channels, H, W, pad, filterW, plane; none at first. */
        private final int[] held = new int[6];
        /** The output planes being summed, in rows of {@code W + 2·pad}. */
        float[] out = new float[0];
        /** Where each window element's run starts in {@link #x}. */
        int[] reads = new int[0];
        /** W transposed for the tiles: a row of the filters rounded up to whole tiles per window element. */
        float[] wt = new float[0];
        /** W transposed, for the thin positions: a row of filters per window element. */
        float[] wT = new float[0];
        /** The partial sums of a thin position's dot products: a vector of filters each. */
        final float[] partial = new float[FloatGemm.CHUNK * L];

        void ensure(int xSize, int outSize, int patch, int wTSize, int wtSize) {
            if (wt.length < wtSize) {
                wt = new float[wtSize];
            }
            if (wT.length < wTSize) {
                wT = new float[wTSize];
            }
            if (x.length < xSize) {
                x = new float[xSize];
                Arrays.fill(held, 0);
            }
            if (out.length < outSize) {
                out = new float[outSize];
            }
            if (reads.length < patch) {
                reads = new int[patch];
            }
        }

        /** Whether {@link #x} holds the border of this geometry; if not, it is taken to hold it from now on. */
        boolean holds(int channels, int h, int width, int pad, int fw, int planeX) {
            if (held[0] == channels && held[1] == h && held[2] == width && held[3] == pad && held[4] == fw
                    && held[5] == planeX) {
                return true;
            }
            held[0] = channels;
            held[1] = h;
            held[2] = width;
            held[3] = pad;
            held[4] = fw;
            held[5] = planeX;
            return false;
        }
    }
}
