package dev.layerwise.kernel;

/**
 * Matrix products: the affine layer's {@code x·W + b} and its gradients, and the batches of products of a
 * convolution (one per image).
 *
 * <p>Every matrix is row-major and starts at the given offset in its array; every method exists for {@code float[]}
 * and {@code double[]}. A method writes only into the arguments its Javadoc names as output; an output may be the
 * same array region as an input only where the Javadoc says so. Obtain them from {@code Kernels.get().matrix()}.
 */
public interface MatrixKernels {

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

    /**
     * The float64 form of
     * {@link #gemm(boolean, boolean, int, int, int, float[], int, float[], int, float[], int, boolean)}.
     */
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
     * The pace no float32 product of this implementation can pass: {@code rounds} rounds of fused multiply-adds into
     * independent accumulators held in registers, at the widest vector length the implementation computes with, with
     * no memory traffic. Run on every thread at once and timed, it measures the machine's ceiling for the products.
     * Writes a value that depends on every multiply-add into {@code sink[0]}, so that the work cannot be left out, and
     * returns how many float multiply-adds it did.
     *
     * @throws IllegalArgumentException if {@code rounds} is negative or {@code sink} is empty
     */
    long fmaLoop(int rounds, float[] sink);
}
