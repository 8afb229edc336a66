package dev.layerwise.kernel;

/**
 * Convolution and pooling over images: {@code im2col} and {@code col2im} (and their forms with each image's block
 * transposed), max pooling forward and backward.
 *
 * <p>Images are {@code (n, C, H, W)} row-major; a {@link ConvGeometry} gives C, H, W, the window, stride and pad.
 * These kernels split their work by image over {@link Parallel}, every task writing its own part of the output.
 *
 * <p>Every matrix is row-major and starts at the given offset in its array; every method exists for {@code float[]}
 * and {@code double[]}. A method writes only into the arguments its Javadoc names as output; an output may be the
 * same array region as an input only where the Javadoc says so. Obtain them from {@code Kernels.get().conv()}.
 */
public interface ConvKernels {

    /**
     * The book's {@code im2col}: unfolds {@code n} images {@code x} into {@code col (n·outH·outW, C·filterH·filterW)},
     * one row per output position (image, output row, output column), one column per window element (channel, window
     * row, window column):
     * {@code col[(i·outH + oy)·outW + ox][(c·filterH + ky)·filterW + kx] = x[i][c][oy·stride + ky − pad][ox·stride +
     * kx − pad]}, and 0 where that falls in the padding. {@code col} is the output, entirely overwritten.
     */
    void im2col(int n, ConvGeometry g, float[] x, int xOff, float[] col, int colOff);

    void im2col(int n, ConvGeometry g, double[] x, int xOff, double[] col, int colOff);

    /**
     * The book's {@code col2im}, the adjoint of {@link #im2col(int, ConvGeometry, float[], int, float[], int) im2col}:
     * each element of {@code col (n·outH·outW, C·filterH·filterW)} is added to the element of {@code x (n, C, H, W)}
     * that im2col read it from; elements that came from the padding are dropped. {@code x} is the output, overwritten
     * (it starts from zero).
     */
    void col2im(int n, ConvGeometry g, float[] col, int colOff, float[] x, int xOff);

    void col2im(int n, ConvGeometry g, double[] col, int colOff, double[] x, int xOff);

    /**
     * {@link #im2col(int, ConvGeometry, float[], int, float[], int) im2col} with each image's block transposed: one row
     * per window element and one column per output position,
     * {@code colT[i][(c·filterH + ky)·filterW + kx][oy·outW + ox] = x[i][c][oy·stride + ky − pad][ox·stride + kx −
     * pad]}, and 0 where that falls in the padding. {@code colT (n, C·filterH·filterW, outH·outW)} is the output,
     * entirely overwritten. This is the layout of the per-image product {@code W·colT[i]}, whose result is already
     * {@code (FN, outH, outW)}; a row is a copy of runs of input rows (contiguous for stride 1).
     */
    void im2colT(int n, ConvGeometry g, float[] x, int xOff, float[] colT, int colTOff);

    void im2colT(int n, ConvGeometry g, double[] x, int xOff, double[] colT, int colTOff);

    /**
     * The adjoint of {@link #im2colT(int, ConvGeometry, float[], int, float[], int) im2colT}: each element of
     * {@code colT (n, C·filterH·filterW, outH·outW)} is added to the element of {@code x (n, C, H, W)} that im2colT
     * read it from; elements that came from the padding are dropped. {@code x} is the output, overwritten.
     */
    void col2imT(int n, ConvGeometry g, float[] colT, int colTOff, float[] x, int xOff);

    void col2imT(int n, ConvGeometry g, double[] colT, int colTOff, double[] x, int xOff);

    /**
     * A convolution's forward pass, image by image: {@code out[i] = W·colT[i] + b·1ᵀ}, with {@code W (fn,
     * C·filterH·filterW)} row-major, {@code b (fn)} and {@code colT[i]} the block of image {@code i} that
     * {@link #im2colT(int, ConvGeometry, float[], int, float[], int) im2colT} makes; {@code out (n, fn,
     * outH·outW)} is the output. The same sums, in the same order, as {@code im2colT} followed by
     * {@link MatrixKernels#gemmBatch(int, boolean, int, int, int, float[], int, float[], int, float[], int, float[],
     * int) gemmBatch} of the same implementation, but each image's block lives only in a scratch array of the thread
     * that computes it, where it stays in the cache between the unfolding and the product (or, where an
     * implementation can read the window elements from the image itself, is not made at all).
     */
    void convForward(int n, ConvGeometry g, int fn, float[] x, int xOff, float[] w, int wOff, float[] b, int bOff,
                     float[] out, int outOff);

    void convForward(int n, ConvGeometry g, int fn, double[] x, int xOff, double[] w, int wOff, double[] b,
                     int bOff, double[] out, int outOff);

    /**
     * The input gradient of a convolution, image by image: {@code dx[i] = col2imT(Wᵀ·dout[i])}, with {@code W (fn,
     * C·filterH·filterW)} row-major and {@code dout (n, fn, outH·outW)}; {@code dx (n, C, H, W)} is the output,
     * overwritten. The same sums, in the same order, as {@code gemmBatch} with {@code W} transposed followed by
     * {@link #col2imT(int, ConvGeometry, float[], int, float[], int) col2imT}, each image's {@code Wᵀ·dout[i]} kept
     * in a scratch array of the thread that computes it.
     */
    void convBackwardInput(int n, ConvGeometry g, int fn, float[] dout, int doutOff, float[] w, int wOff, float[] dx,
                           int dxOff);

    void convBackwardInput(int n, ConvGeometry g, int fn, double[] dout, int doutOff, double[] w, int wOff,
                           double[] dx, int dxOff);

    /**
     * A convolution's weight gradient: {@code dW = doutT·col}, with {@code doutT (fn, n·outH·outW)} row-major ({@code
     * dout} with its first two axes swapped) and {@code col} the book's unfolding of {@code x} that
     * {@link #im2col(int, ConvGeometry, float[], int, float[], int) im2col} makes; {@code dW (fn, C·filterH·filterW)}
     * is the output, overwritten. The same sums, in the same order, as {@code im2col} followed by
     * {@link MatrixKernels#gemm(boolean, boolean, int, int, int, float[], int, float[], int, float[], int, boolean)
     * gemm} of the same implementation, but without {@code col} for the whole batch where the implementation can make
     * its parts as the product needs them.
     */
    void convBackwardWeights(int n, ConvGeometry g, int fn, float[] x, int xOff, float[] doutT, int doutTOff,
                             float[] dW, int dWOff);

    void convBackwardWeights(int n, ConvGeometry g, int fn, double[] x, int xOff, double[] doutT, int doutTOff,
                             double[] dW, int dWOff);

    /**
     * Max pooling of {@code n} images {@code x}: {@code out[i][c][oy][ox]} (shape {@code (n, C, outH, outW)}) is the
     * maximum of the window at {@code (oy·stride − pad, ox·stride − pad)}, padding counting as 0 (the book pools the
     * output of its {@code im2col}); {@code argMax} (same shape) is where the first maximum in the window's row-major
     * order lies, as NumPy's {@code argmax}: its index {@code iy·W + ix} in its channel's plane, or −1 in the padding.
     * A NaN in a window is its maximum (the first NaN, for argMax). {@code argMax} (from 0) and {@code out} are
     * outputs.
     */
    void maxPoolForward(int n, ConvGeometry g, float[] x, int xOff, int[] argMax, float[] out, int outOff);

    void maxPoolForward(int n, ConvGeometry g, double[] x, int xOff, int[] argMax, double[] out, int outOff);

    /**
     * Max pooling backward: {@code dx (n, C, H, W)} is zero but where {@code argMax} points, which receives the sum of
     * the {@code dout (n, C, outH, outW)} elements whose window chose it; {@code argMax} as left by
     * {@link #maxPoolForward(int, ConvGeometry, float[], int, int[], float[], int) maxPoolForward}. {@code dx} is the
     * output, overwritten.
     */
    void maxPoolBackward(int n, ConvGeometry g, float[] dout, int doutOff, int[] argMax, float[] dx, int dxOff);

    void maxPoolBackward(int n, ConvGeometry g, double[] dout, int doutOff, int[] argMax, double[] dx, int dxOff);
}
