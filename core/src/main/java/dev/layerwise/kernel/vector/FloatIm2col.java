package dev.layerwise.kernel.vector;

import dev.layerwise.kernel.ConvGeometry;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The book's {@code im2col} in float32 with vector copies.
 *
 * <p>A row of {@code col} is made of runs of {@code filterW} consecutive input elements, one per channel and window
 * row. Each run is copied with one full-width vector load and store: the lanes past the run land on elements that are
 * written later (the next run, or the next row), so the rows are filled in increasing order and the surplus is
 * overwritten. Runs that reach into the padding, runs longer than a vector, and runs whose vector would pass the end
 * of the task's part of {@code col} (another thread's part, or the end of the array) or of {@code x} are copied
 * element by element. A pure copy: the result is the portable kernel's, bit for bit.
 */
final class FloatIm2col {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private FloatIm2col() {
    }

    /** Images {@code [i0, i1)} of {@code im2col}: their rows of {@code col}, and nothing else, are written. */
    static void im2col(int i0, int i1, ConvGeometry g, float[] x, int xOff, float[] col, int colOff) {
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
                                    col[dst + kx] = 0f;
                                }
                                continue;
                            }
                            int src = image + c * plane + iy * w + ix0;
                            if (inside && dst + lanes <= end && src + lanes <= x.length) {
                                FloatVector.fromArray(S, x, src).intoArray(col, dst);
                            } else {
                                for (int kx = 0; kx < fw; kx++) {
                                    int ix = ix0 + kx;
                                    col[dst + kx] = ix >= 0 && ix < w ? x[src + kx] : 0f;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
