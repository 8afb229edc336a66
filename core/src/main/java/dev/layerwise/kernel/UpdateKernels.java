package dev.layerwise.kernel;

/**
 * The kernels of training's updates and training-only layers: optimizer steps, batch normalisation and its running
 * averages, and dropout's mask.
 *
 * <p>The optimizer and batch-norm kernels follow the book's {@code common/optimizer.py} and {@code common/layers.py}
 * operation by operation, so that float64 results agree with NumPy to the last bits. Their scalar hyperparameters are
 * double in both overloads; the float32 overloads round each coefficient (lr, 1 − β1, …) to float once, as NumPy does
 * when it combines a Python float with a float32 array.
 *
 * <p>Every matrix is row-major and starts at the given offset in its array; every method exists for {@code float[]}
 * and {@code double[]}. A method writes only into the arguments its Javadoc names as output; an output may be the
 * same array region as an input only where the Javadoc says so. Obtain them from {@code Kernels.get().update()}.
 */
public interface UpdateKernels {

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
}
