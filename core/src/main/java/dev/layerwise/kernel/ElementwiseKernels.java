package dev.layerwise.kernel;

/**
 * Element-wise kernels and the broadcasts and reductions around them: activations and their gradients, softmax,
 * exp and log, row and column sums and maxima, {@code axpy}, scaling, the dot product, conversion of image bytes and
 * swapping the first two axes of an array.
 *
 * <p>Every matrix is row-major and starts at the given offset in its array; every method exists for {@code float[]}
 * and {@code double[]}. A method writes only into the arguments its Javadoc names as output; an output may be the
 * same array region as an input only where the Javadoc says so. Obtain them from {@code Kernels.get().elementwise()}.
 */
public interface ElementwiseKernels {

    /** {@code out[i][j] = x[i][j] + b[j]} for a rows×cols {@code x}; {@code out} (output) may be {@code x}. */
    void addRowVector(int rows, int cols, float[] x, int xOff, float[] b, int bOff, float[] out, int outOff);

    void addRowVector(int rows, int cols, double[] x, int xOff, double[] b, int bOff, double[] out, int outOff);

    /** Column sums {@code out[j] = Σ_i x[i][j]} of a rows×cols {@code x}; {@code out} (cols) is the output. */
    void sumColumns(int rows, int cols, float[] x, int xOff, float[] out, int outOff);

    void sumColumns(int rows, int cols, double[] x, int xOff, double[] out, int outOff);

    /** Row sums {@code out[i] = Σ_j x[i][j]} of a rows×cols {@code x}; {@code out} (rows) is the output. */
    void sumRows(int rows, int cols, float[] x, int xOff, float[] out, int outOff);

    void sumRows(int rows, int cols, double[] x, int xOff, double[] out, int outOff);

    /** Row maxima {@code out[i] = max_j x[i][j]} of a rows×cols {@code x}; {@code out} (rows) is the output. */
    void rowMax(int rows, int cols, float[] x, int xOff, float[] out, int outOff);

    void rowMax(int rows, int cols, double[] x, int xOff, double[] out, int outOff);

    /** Index of the first maximum of each row of a rows×cols {@code x}; {@code out} (rows) is the output. */
    void argmaxRows(int rows, int cols, float[] x, int xOff, int[] out);

    void argmaxRows(int rows, int cols, double[] x, int xOff, int[] out);

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
     * ReLU forward without a mask: {@code out} as {@link #reluForward(int, float[], int, boolean[], float[], int)}
     * leaves it, bit for bit ({@code +0} where {@code x[i] <= 0}). {@code out} (output) may be {@code x}.
     */
    void reluForward(int n, float[] x, int xOff, float[] out, int outOff);

    void reluForward(int n, double[] x, int xOff, double[] out, int outOff);

    /**
     * ReLU backward from the forward's output {@code y}: {@code dx[i] = y[i] <= 0 ? 0 : dout[i]}, the same bits as
     * {@link #reluBackward(int, float[], int, boolean[], float[], int) reluBackward} with the forward's mask, since
     * {@code y[i] <= 0} exactly where {@code x[i] <= 0} (a NaN stays NaN and is not masked). {@code dx} (output) may
     * be {@code dout}.
     */
    void reluBackwardFromOutput(int n, float[] dout, int doutOff, float[] y, int yOff, float[] dx, int dxOff);

    void reluBackwardFromOutput(int n, double[] dout, int doutOff, double[] y, int yOff, double[] dx, int dxOff);

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

    /** The dot product {@code Σ x[i]·y[i]} of n elements, accumulated in double (weight decay's {@code ΣW²}). */
    double dot(int n, float[] x, int xOff, float[] y, int yOff);

    double dot(int n, double[] x, int xOff, double[] y, int yOff);

    /**
     * {@code out[i] = (x[i] & 0xFF) / divisor} for n bytes read as unsigned, the division in float32: the book's
     * {@code x.astype(np.float32) / 255.0} for images stored a byte a pixel. {@code out} is the output. Exact in
     * every implementation (a correctly rounded division), so the same bits everywhere.
     */
    void fromUnsignedBytes(int n, byte[] x, int xOff, float divisor, float[] out, int outOff);

    /** The float64 form of {@link #fromUnsignedBytes(int, byte[], int, float, float[], int)}. */
    void fromUnsignedBytes(int n, byte[] x, int xOff, double divisor, double[] out, int outOff);

    /**
     * Swaps the first two axes of {@code x (d0, d1, block)}: {@code out[j][i][:] = x[i][j][:]}, moving whole blocks.
     * {@code out (d1, d0, block)} is the output and must not overlap {@code x}.
     */
    void swapAxes01(int d0, int d1, int block, float[] x, int xOff, float[] out, int outOff);

    void swapAxes01(int d0, int d1, int block, double[] x, int xOff, double[] out, int outOff);
}
