// Generated from FloatIm2col.java by GenerateDoubleKernels: do not edit. To regenerate, run from the
// repository root: java core/src/test/java/dev/layerwise/kernel/GenerateDoubleKernels.java
package dev.layerwise.kernel.vector;

import dev.layerwise.kernel.ConvGeometry;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The book's {@code im2col} in float64 with vector copies.
 *
 * <p>A row of {@code col} is made of runs of {@code filterW} consecutive input elements, one per channel and window
 * row. Each run is copied with one full-width vector load and store: the lanes past the run land on elements that are
 * written later (the next run, or the next row), so the rows are filled in increasing order and the surplus is
 * overwritten. Runs that reach into the padding, runs longer than a vector, and runs whose vector would pass the end
 * of the task's part of {@code col} (another thread's part, or the end of the array) or of {@code x} are copied
 * element by element. A pure copy: the result is the portable kernel's, bit for bit.
 */
@SuppressWarnings("cast")
final class DoubleIm2col {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;

    private DoubleIm2col() {
    }

    /** Images {@code [i0, i1)} of {@code im2col}: their rows of {@code col}, and nothing else, are written. */
    static void im2col(int i0, int i1, ConvGeometry g, double[] x, int xOff, double[] col, int colOff) {
        int lanes = S.length();
        int channels = g.channels();
        int h = g.height();
        int w = g.width();
        int fh = g.filterH();
        int fw = g.filterW();
        int s = g.stride();
        int p = g.pad();
        int oh = g.outH();
        int ow = g.outW();
        int k = g.patchSize();
        int plane = h * w;
        int end = colOff + i1 * oh * ow * k;
        boolean vectors = fw <= lanes;
        for (int i = i0; i < i1; i++) {
            int image = xOff + i * channels * plane;
            int dst = colOff + i * oh * ow * k;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0, ix0 = -p; ox < ow; ox++, ix0 += s) {
                    boolean inside = vectors && ix0 >= 0 && ix0 + fw <= w;
                    for (int c = 0; c < channels; c++) {
                        for (int ky = 0, iy = oy * s - p; ky < fh; ky++, iy++, dst += fw) {
                            if (iy < 0 || iy >= h) {
                                for (int kx = 0; kx < fw; kx++) {
                                    col[dst + kx] = 0d;
                                }
                                continue;
                            }
                            int src = image + c * plane + iy * w + ix0;
                            if (inside && dst + lanes <= end && src + lanes <= x.length) {
                                DoubleVector.fromArray(S, x, src).intoArray(col, dst);
                            } else {
                                for (int kx = 0; kx < fw; kx++) {
                                    int ix = ix0 + kx;
                                    col[dst + kx] = ix >= 0 && ix < w ? x[src + kx] : 0d;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code im2colT} of one image: for window element (c, ky, kx) and output row oy, the output columns whose input
     * column {@code ox·stride + kx − pad} lies inside the image, {@code [oxLo, oxHi)}, are copied (a run of the input
     * row for stride 1), the others are 0. The portable kernel's copies, in one image.
     */
    static void im2colT(ConvGeometry g, double[] x, int image, double[] colT, int colTOff) {
        int channels = g.channels();
        int h = g.height();
        int w = g.width();
        int s = g.stride();
        int p = g.pad();
        int oh = g.outH();
        int ow = g.outW();
        int plane = h * w;
        int positions = oh * ow;
        int row = colTOff;
        for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < g.filterH(); ky++) {
                for (int kx = 0; kx < g.filterW(); kx++, row += positions) {
                    int oxLo = Math.min(ow, Math.max(0, ceilDiv(p - kx, s)));
                    int oxHi = Math.max(oxLo, Math.min(ow, Math.floorDiv(w - 1 + p - kx, s) + 1));
                    for (int oy = 0; oy < oh; oy++) {
                        int dst = row + oy * ow;
                        int iy = oy * s + ky - p;
                        if (iy < 0 || iy >= h) {
                            Arrays.fill(colT, dst, dst + ow, 0d);
                            continue;
                        }
                        Arrays.fill(colT, dst, dst + oxLo, 0d);
                        int src = image + c * plane + iy * w + oxLo * s + kx - p;
                        if (s == 1) {
                            if (oxHi > oxLo) { // else this column of the window sees only padding: src is outside
                                System.arraycopy(x, src, colT, dst + oxLo, oxHi - oxLo);
                            }
                        } else {
                            for (int ox = oxLo; ox < oxHi; ox++, src += s) {
                                colT[dst + ox] = x[src];
                            }
                        }
                        Arrays.fill(colT, dst + oxHi, dst + ow, 0d);
                    }
                }
            }
        }
    }

    /**
     * The adjoint of {@link #im2colT} for one image: {@code x[image …]} overwritten with the sum of each element's
     * copies in {@code colT}, added in the portable kernel's order (window element by window element, from 0).
     */
    static void col2imT(ConvGeometry g, double[] colT, int colTOff, double[] x, int image) {
        int channels = g.channels();
        int h = g.height();
        int w = g.width();
        int s = g.stride();
        int p = g.pad();
        int oh = g.outH();
        int ow = g.outW();
        int plane = h * w;
        int positions = oh * ow;
        Arrays.fill(x, image, image + channels * plane, 0d);
        int row = colTOff;
        for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < g.filterH(); ky++) {
                for (int kx = 0; kx < g.filterW(); kx++, row += positions) {
                    int oxLo = Math.min(ow, Math.max(0, ceilDiv(p - kx, s)));
                    int oxHi = Math.max(oxLo, Math.min(ow, Math.floorDiv(w - 1 + p - kx, s) + 1));
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * s + ky - p;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int src = row + oy * ow;
                        int dst = image + c * plane + iy * w + oxLo * s + kx - p;
                        if (s == 1) {
                            int d = dst - oxLo;
                            for (int ox = oxLo; ox < oxHi; ox++) {
                                x[d + ox] += colT[src + ox];
                            }
                        } else {
                            for (int ox = oxLo; ox < oxHi; ox++, dst += s) {
                                x[dst] += colT[src + ox];
                            }
                        }
                    }
                }
            }
        }
    }

    /** {@code ⌈a / b⌉} for {@code b > 0} ({@code Math.ceilDiv} is Java 18). */
    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }
}
