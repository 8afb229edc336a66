package dev.layerwise.kernel;

/**
 * The numerical kernels the layers are built from: plain functions over arrays, output argument last.
 *
 * <p>Every matrix is row-major and starts at the given offset in its array. Every method exists for {@code float[]}
 * and {@code double[]}. A method writes only into the arguments its Javadoc names as output; an output may be the same
 * array region as an input only where the Javadoc says so.
 *
 * <p>Two implementations stand behind this interface: {@link PortableKernels} in plain Java, and a Vector API one
 * chosen by {@link KernelProvider} when {@code jdk.incubator.vector} is available. Use {@link #get()}; layers use the
 * tensor-level {@link Ops}.
 *
 * <p><b>Determinism</b>: for given inputs an implementation returns the same bits whatever {@link Parallel#threads()}
 * is; implementations may differ from each other in the last bits (fused multiply-add, summation order).
 */
public interface Kernels {

    /** The kernels chosen at start-up (see {@link KernelProvider}). */
    static Kernels get() {
        return KernelProvider.kernels();
    }

    /** A short name for logs and benchmarks, e.g. {@code portable} or {@code vector}. */
    String name();

    // ---- matrix products ------------------------------------------------------------------------------------------

    /**
     * General matrix product {@code C = op(A)·op(B)}, or {@code C += op(A)·op(B)} when {@code accumulate}.
     * {@code op(A)} is m×k and {@code op(B)} is k×n; with {@code transA} A is stored k×m (row-major) and read
     * transposed, with {@code transB} B is stored n×k. C (m×n) is the output and must not overlap A or B. An
     * implementation may skip the zero entries of A (the portable one does, as reference BLAS does: the input of a
     * first layer is mostly zeros), so where a zero of A meets an infinite or NaN entry of B the result may be 0
     * rather than NaN.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate);

    /** The float64 form of {@link #gemm(boolean, boolean, int, int, int, float[], int, float[], int, float[], int, boolean)}. */
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, boolean accumulate);

    /**
     * Matrix product plus a bias row: {@code C = op(A)·op(B) + 1·biasᵀ}, {@code bias} holding n values from
     * {@code biasOff} — the affine layer's {@code x·W + b} in one pass over C.
     */
    void gemmBias(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
                  float[] bias, int biasOff, float[] c, int cOff);

    void gemmBias(boolean transA, boolean transB, int m, int n, int k, double[] a, int aOff, double[] b, int bOff,
                  double[] bias, int biasOff, double[] c, int cOff);

    // ---- broadcasts and reductions --------------------------------------------------------------------------------

    /** {@code out[i][j] = x[i][j] + b[j]} for a rows×cols {@code x}; {@code out} (output) may be {@code x}. */
    void addRowVector(int rows, int cols, float[] x, int xOff, float[] b, int bOff, float[] out, int outOff);

    void addRowVector(int rows, int cols, double[] x, int xOff, double[] b, int bOff, double[] out, int outOff);

    /** Column sums {@code out[j] = Σ_i x[i][j]} of a rows×cols {@code x}; {@code out} (cols) is the output. */
    void sumColumns(int rows, int cols, float[] x, int xOff, float[] out, int outOff);

    void sumColumns(int rows, int cols, double[] x, int xOff, double[] out, int outOff);

    /** Row maxima {@code out[i] = max_j x[i][j]} of a rows×cols {@code x}; {@code out} (rows) is the output. */
    void rowMax(int rows, int cols, float[] x, int xOff, float[] out, int outOff);

    void rowMax(int rows, int cols, double[] x, int xOff, double[] out, int outOff);

    /** Index of the first maximum of each row of a rows×cols {@code x}; {@code out} (rows) is the output. */
    void argmaxRows(int rows, int cols, float[] x, int xOff, int[] out);

    void argmaxRows(int rows, int cols, double[] x, int xOff, int[] out);

    // ---- element-wise ---------------------------------------------------------------------------------------------

    /** {@code out[i] = exp(x[i])} for n elements; {@code out} (output) may be {@code x}. */
    void exp(int n, float[] x, int xOff, float[] out, int outOff);

    void exp(int n, double[] x, int xOff, double[] out, int outOff);

    /** {@code out[i] = log(x[i])} for n elements; {@code out} (output) may be {@code x}. */
    void log(int n, float[] x, int xOff, float[] out, int outOff);

    void log(int n, double[] x, int xOff, double[] out, int outOff);

    /**
     * ReLU forward: {@code mask[i] = x[i] <= 0}, {@code out[i] = mask[i] ? 0 : x[i]}. {@code mask} (from 0) and
     * {@code out} are outputs; {@code out} may be {@code x}.
     */
    void reluForward(int n, float[] x, int xOff, boolean[] mask, float[] out, int outOff);

    void reluForward(int n, double[] x, int xOff, boolean[] mask, double[] out, int outOff);

    /** ReLU backward: {@code dx[i] = mask[i] ? 0 : dout[i]}; {@code dx} (output) may be {@code dout}. */
    void reluBackward(int n, float[] dout, int doutOff, boolean[] mask, float[] dx, int dxOff);

    void reluBackward(int n, double[] dout, int doutOff, boolean[] mask, double[] dx, int dxOff);

    /**
     * Sigmoid {@code out[i] = 1 / (1 + exp(-x[i]))}, computed without overflow for any {@code x}; {@code out}
     * (output) may be {@code x}.
     */
    void sigmoidForward(int n, float[] x, int xOff, float[] out, int outOff);

    void sigmoidForward(int n, double[] x, int xOff, double[] out, int outOff);

    /** Sigmoid backward: {@code dx[i] = dout[i] · y[i] · (1 − y[i])}; {@code dx} (output) may be {@code dout}. */
    void sigmoidBackward(int n, float[] dout, int doutOff, float[] y, int yOff, float[] dx, int dxOff);

    void sigmoidBackward(int n, double[] dout, int doutOff, double[] y, int yOff, double[] dx, int dxOff);

    /**
     * Row-wise softmax with the row maximum subtracted first: {@code y[i][j] = exp(x[i][j] − m_i) / Σ_j exp(x[i][j] −
     * m_i)}. {@code y} (output) may be {@code x}.
     */
    void softmaxRows(int rows, int cols, float[] x, int xOff, float[] y, int yOff);

    void softmaxRows(int rows, int cols, double[] x, int xOff, double[] y, int yOff);

    /** {@code y[i] += alpha · x[i]} for n elements; {@code y} is the output. */
    void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff);

    void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff);

    /** {@code x[i] *= alpha} for n elements, in place. */
    void scale(int n, float alpha, float[] x, int xOff);

    void scale(int n, double alpha, double[] x, int xOff);

    /**
     * {@code out[i] = (x[i] & 0xFF) / divisor} for n bytes read as unsigned, the division in float32: the book's
     * {@code x.astype(np.float32) / 255.0} for images stored a byte a pixel. {@code out} is the output. Exact in
     * every implementation (a correctly rounded division), so the same bits everywhere.
     */
    void fromUnsignedBytes(int n, byte[] x, int xOff, float divisor, float[] out, int outOff);

    /** The float64 form of {@link #fromUnsignedBytes(int, byte[], int, float, float[], int)}. */
    void fromUnsignedBytes(int n, byte[] x, int xOff, double divisor, double[] out, int outOff);

    // ---- convolution and pooling (issue 5) -------------------------------------------------------------------------
    // Images are (n, C, H, W) row-major; a ConvGeometry gives C, H, W, the window, stride and pad. These kernels split
    // their work by image (or by row) over Parallel, every task writing its own part of the output.

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
     * A batch of matrix products with a shared left operand: {@code C_i = op(A)·B_i}, plus {@code bias[r]} on every
     * element of row r when {@code bias} is not null, for {@code i < batch} — a convolution's {@code W·colT[i] + b}
     * image by image. {@code op(A)} is m×k (with {@code transA}, A is stored k×m); B holds the {@code B_i} (k×n each,
     * row-major) one after the other, C (output) the {@code C_i} (m×n each). Each product is computed whole by one
     * thread, so the result does not depend on the thread count. C must not overlap A, B or bias.
     */
    void gemmBatch(int batch, boolean transA, int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
                   float[] bias, int biasOff, float[] c, int cOff);

    void gemmBatch(int batch, boolean transA, int m, int n, int k, double[] a, int aOff, double[] b, int bOff,
                   double[] bias, int biasOff, double[] c, int cOff);

    /**
     * Swaps the first two axes of {@code x (d0, d1, block)}: {@code out[j][i][:] = x[i][j][:]}, moving whole blocks.
     * {@code out (d1, d0, block)} is the output and must not overlap {@code x}.
     */
    void swapAxes01(int d0, int d1, int block, float[] x, int xOff, float[] out, int outOff);

    void swapAxes01(int d0, int d1, int block, double[] x, int xOff, double[] out, int outOff);

    /** Row sums {@code out[i] = Σ_j x[i][j]} of a rows×cols {@code x}; {@code out} (rows) is the output. */
    void sumRows(int rows, int cols, float[] x, int xOff, float[] out, int outOff);

    void sumRows(int rows, int cols, double[] x, int xOff, double[] out, int outOff);

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

    // ---- chapter 6: optimizer steps, batch normalisation, dropout, weight decay ------------------------------------
    //
    // The optimizer and batch-norm kernels follow the book's common/optimizer.py and common/layers.py operation by
    // operation, so that float64 results agree with NumPy to the last bits. Their scalar hyperparameters are double in
    // both overloads; the float32 overloads round each coefficient (lr, 1 − β1, …) to float once, as NumPy does when
    // it combines a Python float with a float32 array.

    /**
     * Momentum step (book §6.1.4, {@code Momentum.update}): {@code v = momentum·v − lr·g; w += v} for n elements.
     * {@code v} and {@code w} are outputs, updated in place; {@code g} is read.
     */
    void momentumUpdate(int n, double lr, double momentum, float[] g, int gOff, float[] v, int vOff,
                        float[] w, int wOff);

    void momentumUpdate(int n, double lr, double momentum, double[] g, int gOff, double[] v, int vOff,
                        double[] w, int wOff);

    /**
     * Nesterov's accelerated gradient in the book's formulation ({@code Nesterov.update}):
     * {@code w += momentum·momentum·v; w −= (1 + momentum)·lr·g; v *= momentum; v −= lr·g}. {@code v} and {@code w}
     * are outputs, updated in place.
     */
    void nesterovUpdate(int n, double lr, double momentum, float[] g, int gOff, float[] v, int vOff,
                        float[] w, int wOff);

    void nesterovUpdate(int n, double lr, double momentum, double[] g, int gOff, double[] v, int vOff,
                        double[] w, int wOff);

    /**
     * AdaGrad step (book §6.1.5): {@code h += g·g; w −= lr·g / (√h + eps)}, the ε added after the square root.
     * {@code h} and {@code w} are outputs, updated in place.
     */
    void adaGradUpdate(int n, double lr, double eps, float[] g, int gOff, float[] h, int hOff, float[] w, int wOff);

    void adaGradUpdate(int n, double lr, double eps, double[] g, int gOff, double[] h, int hOff,
                       double[] w, int wOff);

    /**
     * RMSprop step ({@code RMSprop.update}): {@code h *= decayRate; h += (1 − decayRate)·g·g;
     * w −= lr·g / (√h + eps)}. {@code h} and {@code w} are outputs, updated in place.
     */
    void rmsPropUpdate(int n, double lr, double decayRate, double eps, float[] g, int gOff, float[] h, int hOff,
                       float[] w, int wOff);

    void rmsPropUpdate(int n, double lr, double decayRate, double eps, double[] g, int gOff, double[] h, int hOff,
                       double[] w, int wOff);

    /**
     * Adam step in the book's form ({@code Adam.update}, §6.1.6): {@code m += (1 − β1)·(g − m);
     * v += (1 − β2)·(g² − v); w −= lrT·m / (√v + eps)}, where the caller has folded the bias correction into
     * {@code lrT = lr·√(1 − β2^t) / (1 − β1^t)}. {@code m}, {@code v} and {@code w} are outputs, updated in place.
     */
    void adamUpdate(int n, double lrT, double beta1, double beta2, double eps, float[] g, int gOff,
                    float[] m, int mOff, float[] v, int vOff, float[] w, int wOff);

    void adamUpdate(int n, double lrT, double beta1, double beta2, double eps, double[] g, int gOff,
                    double[] m, int mOff, double[] v, int vOff, double[] w, int wOff);

    /**
     * Batch normalisation in training mode (book §6.3.1, {@code BatchNormalization.__forward}) of a rows×cols
     * {@code x}, each column normalised over the rows: {@code mu = Σ_i x / N; xc = x − mu; var = Σ_i xc² / N;
     * std = √(var + eps); out = gamma·(xc / std) + beta}. Outputs: {@code mean}, {@code var}, {@code std} (cols
     * each), {@code xc} and {@code out} (rows×cols); {@code out} must not overlap {@code x}. Sums run over the rows in
     * order, as NumPy's {@code sum(axis=0)}.
     */
    void batchNormForward(int rows, int cols, float[] x, int xOff, float[] gamma, int gammaOff, float[] beta,
                          int betaOff, double eps, float[] mean, int meanOff, float[] var, int varOff,
                          float[] std, int stdOff, float[] xc, int xcOff, float[] out, int outOff);

    void batchNormForward(int rows, int cols, double[] x, int xOff, double[] gamma, int gammaOff, double[] beta,
                          int betaOff, double eps, double[] mean, int meanOff, double[] var, int varOff,
                          double[] std, int stdOff, double[] xc, int xcOff, double[] out, int outOff);

    /**
     * Batch normalisation in inference mode with running statistics: {@code out = gamma·((x − mean) /
     * √(var + eps)) + beta} for a rows×cols {@code x}; {@code out} (output) may be {@code x}.
     */
    void batchNormInference(int rows, int cols, float[] x, int xOff, float[] gamma, int gammaOff, float[] beta,
                            int betaOff, double eps, float[] mean, int meanOff, float[] var, int varOff,
                            float[] out, int outOff);

    void batchNormInference(int rows, int cols, double[] x, int xOff, double[] gamma, int gammaOff, double[] beta,
                            int betaOff, double eps, double[] mean, int meanOff, double[] var, int varOff,
                            double[] out, int outOff);

    /**
     * Batch normalisation backward ({@code BatchNormalization.__backward}), per column with {@code xn = xc / std}:
     * {@code dbeta = Σ_i dout; dgamma = Σ_i xn·dout; dxn = gamma·dout; dxc = dxn / std;
     * dstd = −Σ_i dxn·xc / (std·std); dvar = 0.5·dstd / std; dxc += (2 / N)·xc·dvar; dmu = Σ_i dxc;
     * dx = dxc − dmu / N}. Outputs: {@code dx} (rows×cols; must not overlap the inputs), {@code dgamma} and
     * {@code dbeta} (cols).
     */
    void batchNormBackward(int rows, int cols, float[] dout, int doutOff, float[] xc, int xcOff, float[] std,
                           int stdOff, float[] gamma, int gammaOff, float[] dx, int dxOff, float[] dgamma,
                           int dgammaOff, float[] dbeta, int dbetaOff);

    void batchNormBackward(int rows, int cols, double[] dout, int doutOff, double[] xc, int xcOff, double[] std,
                           int stdOff, double[] gamma, int gammaOff, double[] dx, int dxOff, double[] dgamma,
                           int dgammaOff, double[] dbeta, int dbetaOff);

    /**
     * Exponential moving average {@code avg = momentum·avg + (1 − momentum)·x} for n elements (batch norm's running
     * mean and variance); {@code avg} is the output, updated in place.
     */
    void movingAverage(int n, double momentum, float[] x, int xOff, float[] avg, int avgOff);

    void movingAverage(int n, double momentum, double[] x, int xOff, double[] avg, int avgOff);

    /**
     * Dropout's mask: {@code out[i] = mask[i] ? scale·x[i] : 0} for n elements, {@code mask} read from index 0
     * ({@code true} = kept). {@code out} (output) may be {@code x}.
     */
    void maskedScale(int n, float[] x, int xOff, boolean[] mask, double scale, float[] out, int outOff);

    void maskedScale(int n, double[] x, int xOff, boolean[] mask, double scale, double[] out, int outOff);

    /** The dot product {@code Σ x[i]·y[i]} of n elements, accumulated in double (weight decay's {@code ΣW²}). */
    double dot(int n, float[] x, int xOff, float[] y, int yOff);

    double dot(int n, double[] x, int xOff, double[] y, int yOff);
}
