package dev.layerwise.tensor;

import dev.layerwise.kernel.ConvGeometry;
import dev.layerwise.kernel.ConvKernels;
import dev.layerwise.kernel.ElementwiseKernels;
import dev.layerwise.kernel.KernelProvider;
import dev.layerwise.kernel.Kernels;
import dev.layerwise.kernel.MatrixKernels;

/**
 * The kernels on tensors: each function checks dtypes and shapes, then calls the active {@link Kernels} on the backing
 * arrays. The output is the last argument and the only one written.
 */
public final class Ops {
    private Ops() {
    }

    private static MatrixKernels matrix() {
        return KernelProvider.kernels().matrix();
    }

    private static ElementwiseKernels elementwise() {
        return KernelProvider.kernels().elementwise();
    }

    private static ConvKernels conv() {
        return KernelProvider.kernels().conv();
    }

    /** {@code out = a·b} for a (m, k), b (k, n), out (m, n). */
    public static void matmul(Tensor a, Tensor b, Tensor out) {
        gemm(false, false, a, b, out, false);
    }

    /** {@code out += a·b}. */
    public static void matmulAdd(Tensor a, Tensor b, Tensor out) {
        gemm(false, false, a, b, out, true);
    }

    /** {@code out = a·W + b}: a (m, k), W (k, n), bias b (n), out (m, n) — the affine layer, in one pass over out. */
    public static void matmulBias(Tensor a, Tensor W, Tensor b, Tensor out) {
        sameDType(a, W, b, out);
        if (a.rank() != 2 || W.rank() != 2 || out.rank() != 2 || a.dim(1) != W.dim(0) || b.size() != W.dim(1)
                || out.dim(0) != a.dim(0) || out.dim(1) != W.dim(1)) {
            throw new IllegalArgumentException("affine shapes do not match: " + shapes(a, W, b, out));
        }
        int m = a.dim(0);
        int n = W.dim(1);
        int k = a.dim(1);
        if (a.dtype() == DType.FLOAT32) {
            matrix().gemmBias(false, false, m, n, k, a.floats(), a.offset(), W.floats(), W.offset(), b.floats(),
                    b.offset(), out.floats(), out.offset());
        } else {
            matrix().gemmBias(false, false, m, n, k, a.doubles(), a.offset(), W.doubles(), W.offset(), b.doubles(),
                    b.offset(), out.doubles(), out.offset());
        }
    }

    /** {@code out = aᵀ·b} for a (k, m), b (k, n), out (m, n), without materialising {@code aᵀ}: {@code dW = xᵀ·dout}. */
    public static void matmulTransA(Tensor a, Tensor b, Tensor out) {
        gemm(true, false, a, b, out, false);
    }

    /** {@code out = a·bᵀ} for a (m, k), b (n, k), out (m, n), without materialising {@code bᵀ}: {@code dx = dout·Wᵀ}. */
    public static void matmulTransB(Tensor a, Tensor b, Tensor out) {
        gemm(false, true, a, b, out, false);
    }

    /** {@code out = op(a)·op(b)} ({@code +=} when {@code accumulate}), each operand transposed where its flag says. */
    public static void gemm(boolean transA, boolean transB, Tensor a, Tensor b, Tensor out, boolean accumulate) {
        sameDType(a, b, out);
        if (a.rank() != 2 || b.rank() != 2 || out.rank() != 2) {
            throw new IllegalArgumentException("matrix product needs 2-D operands, got " + shapes(a, b, out));
        }
        int m = transA ? a.dim(1) : a.dim(0);
        int k = transA ? a.dim(0) : a.dim(1);
        int kb = transB ? b.dim(1) : b.dim(0);
        int n = transB ? b.dim(0) : b.dim(1);
        if (k != kb || out.dim(0) != m || out.dim(1) != n) {
            throw new IllegalArgumentException("matrix product " + (transA ? "aᵀ" : "a") + "·" + (transB ? "bᵀ" : "b")
                    + " shapes do not match: " + shapes(a, b, out));
        }
        if (a.dtype() == DType.FLOAT32) {
            matrix().gemm(transA, transB, m, n, k, a.floats(), a.offset(), b.floats(), b.offset(),
                    out.floats(), out.offset(), accumulate);
        } else {
            matrix().gemm(transA, transB, m, n, k, a.doubles(), a.offset(), b.doubles(), b.offset(),
                    out.doubles(), out.offset(), accumulate);
        }
    }

    /** {@code out[i][j] = x[i][j] + b[j]} for x and out (rows, cols), b (cols); out may be x. */
    public static void addRowVector(Tensor x, Tensor b, Tensor out) {
        sameDType(x, b, out);
        int cols = b.size();
        if (x.rank() != 2 || x.dim(1) != cols || !out.sameShape(x)) {
            throw new IllegalArgumentException("bias add shapes do not match: " + shapes(x, b, out));
        }
        int rows = x.dim(0);
        if (x.dtype() == DType.FLOAT32) {
            elementwise().addRowVector(rows, cols, x.floats(), x.offset(), b.floats(), b.offset(), out.floats(),
                    out.offset());
        } else {
            elementwise().addRowVector(rows, cols, x.doubles(), x.offset(), b.doubles(), b.offset(), out.doubles(),
                    out.offset());
        }
    }

    /** Column sums of x (rows, cols) into out (cols). */
    public static void sumColumns(Tensor x, Tensor out) {
        sameDType(x, out);
        if (x.rank() != 2 || out.size() != x.dim(1)) {
            throw new IllegalArgumentException("column sum shapes do not match: " + shapes(x, out));
        }
        if (x.dtype() == DType.FLOAT32) {
            elementwise().sumColumns(x.dim(0), x.dim(1), x.floats(), x.offset(), out.floats(), out.offset());
        } else {
            elementwise().sumColumns(x.dim(0), x.dim(1), x.doubles(), x.offset(), out.doubles(), out.offset());
        }
    }

    /** Row maxima of x (rows, cols) into out (rows). */
    public static void rowMax(Tensor x, Tensor out) {
        sameDType(x, out);
        if (x.rank() != 2 || out.size() != x.dim(0)) {
            throw new IllegalArgumentException("row max shapes do not match: " + shapes(x, out));
        }
        if (x.dtype() == DType.FLOAT32) {
            elementwise().rowMax(x.dim(0), x.dim(1), x.floats(), x.offset(), out.floats(), out.offset());
        } else {
            elementwise().rowMax(x.dim(0), x.dim(1), x.doubles(), x.offset(), out.doubles(), out.offset());
        }
    }

    /** Index of the first maximum of each row of x (rows, cols) into out (at least rows long). */
    public static void argmaxRows(Tensor x, int[] out) {
        if (x.rank() != 2 || out.length < x.dim(0)) {
            throw new IllegalArgumentException("argmax of " + Shapes.toString(x.shape()) + " into " + out.length
                    + " indices");
        }
        if (x.dtype() == DType.FLOAT32) {
            elementwise().argmaxRows(x.dim(0), x.dim(1), x.floats(), x.offset(), out);
        } else {
            elementwise().argmaxRows(x.dim(0), x.dim(1), x.doubles(), x.offset(), out);
        }
    }

    /** Element-wise {@code out = exp(x)}; out may be x. */
    public static void exp(Tensor x, Tensor out) {
        sameSize(x, out);
        if (x.dtype() == DType.FLOAT32) {
            elementwise().exp(x.size(), x.floats(), x.offset(), out.floats(), out.offset());
        } else {
            elementwise().exp(x.size(), x.doubles(), x.offset(), out.doubles(), out.offset());
        }
    }

    /** Element-wise {@code out = log(x)}; out may be x. */
    public static void log(Tensor x, Tensor out) {
        sameSize(x, out);
        if (x.dtype() == DType.FLOAT32) {
            elementwise().log(x.size(), x.floats(), x.offset(), out.floats(), out.offset());
        } else {
            elementwise().log(x.size(), x.doubles(), x.offset(), out.doubles(), out.offset());
        }
    }

    /** Row-wise softmax of x (rows, cols) into y of the same shape (max subtracted first); y may be x. */
    public static void softmaxRows(Tensor x, Tensor y) {
        sameDType(x, y);
        if (x.rank() != 2 || !y.sameShape(x)) {
            throw new IllegalArgumentException("softmax shapes do not match: " + shapes(x, y));
        }
        if (x.dtype() == DType.FLOAT32) {
            elementwise().softmaxRows(x.dim(0), x.dim(1), x.floats(), x.offset(), y.floats(), y.offset());
        } else {
            elementwise().softmaxRows(x.dim(0), x.dim(1), x.doubles(), x.offset(), y.doubles(), y.offset());
        }
    }

    /** ReLU forward: {@code mask = x <= 0}, {@code out = x} where not masked, 0 elsewhere. */
    public static void reluForward(Tensor x, boolean[] mask, Tensor out) {
        sameSize(x, out);
        if (x.dtype() == DType.FLOAT32) {
            elementwise().reluForward(x.size(), x.floats(), x.offset(), mask, out.floats(), out.offset());
        } else {
            elementwise().reluForward(x.size(), x.doubles(), x.offset(), mask, out.doubles(), out.offset());
        }
    }

    /** ReLU forward without a mask: {@code out = x} where {@code x > 0}, +0 elsewhere; out may be x. */
    public static void reluForward(Tensor x, Tensor out) {
        sameSize(x, out);
        if (x.dtype() == DType.FLOAT32) {
            elementwise().reluForward(x.size(), x.floats(), x.offset(), out.floats(), out.offset());
        } else {
            elementwise().reluForward(x.size(), x.doubles(), x.offset(), out.doubles(), out.offset());
        }
    }

    /**
     * ReLU backward from the forward's output {@code y}: {@code dx = dout} where {@code y > 0} (or NaN), 0 elsewhere;
     * the same as with the forward's mask, which is {@code y <= 0}. dx may be dout.
     */
    public static void reluBackwardFromOutput(Tensor dout, Tensor y, Tensor dx) {
        sameSize(dout, y, dx);
        if (dout.dtype() == DType.FLOAT32) {
            elementwise().reluBackwardFromOutput(dout.size(), dout.floats(), dout.offset(), y.floats(), y.offset(),
                    dx.floats(), dx.offset());
        } else {
            elementwise().reluBackwardFromOutput(dout.size(), dout.doubles(), dout.offset(), y.doubles(), y.offset(),
                    dx.doubles(), dx.offset());
        }
    }

    /** ReLU backward: {@code dx = dout} where not masked, 0 elsewhere; dx may be dout. */
    public static void reluBackward(Tensor dout, boolean[] mask, Tensor dx) {
        sameSize(dout, dx);
        if (dout.dtype() == DType.FLOAT32) {
            elementwise().reluBackward(dout.size(), dout.floats(), dout.offset(), mask, dx.floats(), dx.offset());
        } else {
            elementwise().reluBackward(dout.size(), dout.doubles(), dout.offset(), mask, dx.doubles(), dx.offset());
        }
    }

    /** Sigmoid {@code out = 1 / (1 + exp(-x))}; out may be x. */
    public static void sigmoidForward(Tensor x, Tensor out) {
        sameSize(x, out);
        if (x.dtype() == DType.FLOAT32) {
            elementwise().sigmoidForward(x.size(), x.floats(), x.offset(), out.floats(), out.offset());
        } else {
            elementwise().sigmoidForward(x.size(), x.doubles(), x.offset(), out.doubles(), out.offset());
        }
    }

    /** Sigmoid backward {@code dx = dout · (1 − y) · y}; dx may be dout. */
    public static void sigmoidBackward(Tensor dout, Tensor y, Tensor dx) {
        sameSize(dout, y, dx);
        if (dout.dtype() == DType.FLOAT32) {
            elementwise().sigmoidBackward(dout.size(), dout.floats(), dout.offset(), y.floats(), y.offset(),
                    dx.floats(), dx.offset());
        } else {
            elementwise().sigmoidBackward(dout.size(), dout.doubles(), dout.offset(), y.doubles(), y.offset(),
                    dx.doubles(), dx.offset());
        }
    }

    /** {@code y += alpha · x}. */
    public static void axpy(double alpha, Tensor x, Tensor y) {
        sameSize(x, y);
        if (x.dtype() == DType.FLOAT32) {
            elementwise().axpy(x.size(), (float) alpha, x.floats(), x.offset(), y.floats(), y.offset());
        } else {
            elementwise().axpy(x.size(), alpha, x.doubles(), x.offset(), y.doubles(), y.offset());
        }
    }

    /** {@code x *= alpha}, in place. */
    public static void scale(double alpha, Tensor x) {
        if (x.dtype() == DType.FLOAT32) {
            elementwise().scale(x.size(), (float) alpha, x.floats(), x.offset());
        } else {
            elementwise().scale(x.size(), alpha, x.doubles(), x.offset());
        }
    }

    // The checks take their tensors one by one, not as varargs: a call must not allocate an array, so that a training
    // step allocates nothing once warm.
    private static void sameDType(Tensor a, Tensor b) {
        if (b.dtype() != a.dtype()) {
            throw new IllegalArgumentException("mixed dtypes: " + shapes(a, b));
        }
    }

    private static void sameDType(Tensor a, Tensor b, Tensor c) {
        if (b.dtype() != a.dtype() || c.dtype() != a.dtype()) {
            throw new IllegalArgumentException("mixed dtypes: " + shapes(a, b, c));
        }
    }

    private static void sameDType(Tensor a, Tensor b, Tensor c, Tensor d) {
        sameDType4(a, b, c, d);
    }

    private static void sameSize(Tensor a, Tensor b) {
        sameDType(a, b);
        if (b.size() != a.size()) {
            throw new IllegalArgumentException("sizes do not match: " + shapes(a, b));
        }
    }

    private static void sameSize(Tensor a, Tensor b, Tensor c) {
        sameDType(a, b, c);
        if (b.size() != a.size() || c.size() != a.size()) {
            throw new IllegalArgumentException("sizes do not match: " + shapes(a, b, c));
        }
    }

    static String shapes(Tensor... ts) {
        StringBuilder sb = new StringBuilder();
        for (Tensor t : ts) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(t.dtype()).append(Shapes.toString(t.shape()));
        }
        return sb.toString();
    }

    // ---- convolution and pooling ------------------------------------------------------------------------------------

    /**
     * The book's {@code im2col}: {@code x (N, C, H, W)} → {@code col (N·outH·outW, C·filterH·filterW)}, one row per
     * output position and one column per window element (see {@link ConvKernels#im2col}); {@code col} is overwritten.
     */
    public static void im2col(Tensor x, ConvGeometry g, Tensor col) {
        sameDType(x, col);
        int n = images(x, g, "im2col");
        if (!col.hasShape(n * g.positions(), g.patchSize())) {
            throw new IllegalArgumentException("im2col of " + shapes(x) + " with a " + g + " needs col ("
                    + n * g.positions() + ", " + g.patchSize() + "), got " + shapes(col));
        }
        if (x.dtype() == DType.FLOAT32) {
            conv().im2col(n, g, x.floats(), x.offset(), col.floats(), col.offset());
        } else {
            conv().im2col(n, g, x.doubles(), x.offset(), col.doubles(), col.offset());
        }
    }

    /**
     * The book's {@code col2im}, the adjoint of {@link #im2col}: sums {@code col (N·outH·outW, C·filterH·filterW)} back
     * onto {@code x (N, C, H, W)}, which is overwritten.
     */
    public static void col2im(Tensor col, ConvGeometry g, Tensor x) {
        sameDType(x, col);
        int n = images(x, g, "col2im");
        if (!col.hasShape(n * g.positions(), g.patchSize())) {
            throw new IllegalArgumentException("col2im into " + shapes(x) + " with a " + g + " needs col ("
                    + n * g.positions() + ", " + g.patchSize() + "), got " + shapes(col));
        }
        if (x.dtype() == DType.FLOAT32) {
            conv().col2im(n, g, col.floats(), col.offset(), x.floats(), x.offset());
        } else {
            conv().col2im(n, g, col.doubles(), col.offset(), x.doubles(), x.offset());
        }
    }

    /**
     * {@link #im2col} with each image's block transposed: {@code x (N, C, H, W)} → {@code colT (N, C·filterH·filterW,
     * outH·outW)} (see {@link ConvKernels#im2colT}); {@code colT} is overwritten.
     */
    public static void im2colT(Tensor x, ConvGeometry g, Tensor colT) {
        sameDType(x, colT);
        int n = images(x, g, "im2colT");
        if (!colT.hasShape(n, g.patchSize(), g.positions())) {
            throw new IllegalArgumentException("im2colT of " + shapes(x) + " with a " + g + " needs colT (" + n
                    + ", " + g.patchSize() + ", " + g.positions() + "), got " + shapes(colT));
        }
        if (x.dtype() == DType.FLOAT32) {
            conv().im2colT(n, g, x.floats(), x.offset(), colT.floats(), colT.offset());
        } else {
            conv().im2colT(n, g, x.doubles(), x.offset(), colT.doubles(), colT.offset());
        }
    }

    /**
     * The adjoint of {@link #im2colT}: sums {@code colT (N, C·filterH·filterW, outH·outW)} back onto
     * {@code x (N, C, H, W)}, which is overwritten.
     */
    public static void col2imT(Tensor colT, ConvGeometry g, Tensor x) {
        sameDType(x, colT);
        int n = images(x, g, "col2imT");
        if (!colT.hasShape(n, g.patchSize(), g.positions())) {
            throw new IllegalArgumentException("col2imT into " + shapes(x) + " with a " + g + " needs colT (" + n
                    + ", " + g.patchSize() + ", " + g.positions() + "), got " + shapes(colT));
        }
        if (x.dtype() == DType.FLOAT32) {
            conv().col2imT(n, g, colT.floats(), colT.offset(), x.floats(), x.offset());
        } else {
            conv().col2imT(n, g, colT.doubles(), colT.offset(), x.doubles(), x.offset());
        }
    }

    /**
     * A convolution's forward pass: {@code out[i] = W·colT[i] + b·1ᵀ} for images {@code x (N, C, H, W)}, filters
     * {@code W (FN, C·filterH·filterW)}, bias {@code b (FN)} and {@code colT} as {@link #im2colT} makes it, into
     * {@code out (N, FN, outH, outW)}, which is overwritten. The same values as {@code im2colT} then
     * {@link #matmulBatch}, without the whole {@code colT} (see {@link ConvKernels#convForward}).
     */
    public static void convForward(Tensor x, ConvGeometry g, Tensor W, Tensor b, Tensor out) {
        sameDType(x, W, b, out);
        int n = images(x, g, "convolution");
        int fn = W.rank() == 2 ? W.dim(0) : -1;
        if (fn < 0 || W.dim(1) != g.patchSize() || !b.hasShape(fn) || !out.hasShape(n, fn, g.outH(), g.outW())) {
            throw new IllegalArgumentException("convolution of " + shapes(x) + " with a " + g + " needs W (FN, "
                    + g.patchSize() + "), b (FN) and out (" + n + ", FN, " + g.outH() + ", " + g.outW() + "), got "
                    + shapes(W, b, out));
        }
        if (x.dtype() == DType.FLOAT32) {
            conv().convForward(n, g, fn, x.floats(), x.offset(), W.floats(), W.offset(), b.floats(), b.offset(),
                    out.floats(), out.offset());
        } else {
            conv().convForward(n, g, fn, x.doubles(), x.offset(), W.doubles(), W.offset(), b.doubles(), b.offset(),
                    out.doubles(), out.offset());
        }
    }

    /**
     * A convolution's input gradient: {@code dx = col2imT(Wᵀ·dout[i])} image by image, for {@code dout (N, FN, outH,
     * outW)} and filters {@code W (FN, C·filterH·filterW)}, into {@code dx (N, C, H, W)}, which is overwritten. The
     * same values as {@link #matmulBatch} with {@code W} transposed then {@link #col2imT}, without the whole
     * {@code dcolT} (see {@link ConvKernels#convBackwardInput}).
     */
    public static void convBackwardInput(Tensor dout, ConvGeometry g, Tensor W, Tensor dx) {
        sameDType(dout, W, dx);
        int n = images(dx, g, "convolution backward");
        int fn = W.rank() == 2 ? W.dim(0) : -1;
        if (fn < 0 || W.dim(1) != g.patchSize() || !dout.hasShape(n, fn, g.outH(), g.outW())) {
            throw new IllegalArgumentException("convolution backward into " + shapes(dx) + " with a " + g
                    + " needs W (FN, " + g.patchSize() + ") and dout (" + n + ", FN, " + g.outH() + ", " + g.outW()
                    + "), got " + shapes(W, dout));
        }
        if (dx.dtype() == DType.FLOAT32) {
            conv().convBackwardInput(n, g, fn, dout.floats(), dout.offset(), W.floats(), W.offset(), dx.floats(),
                    dx.offset());
        } else {
            conv().convBackwardInput(n, g, fn, dout.doubles(), dout.offset(), W.doubles(), W.offset(), dx.doubles(),
                    dx.offset());
        }
    }

    /**
     * A convolution's weight gradient: {@code dW = doutT·col}, for {@code doutT (FN, N·outH·outW)} ({@code dout} with
     * its first two axes swapped) and the book's {@code col} of {@code x (N, C, H, W)}, into {@code dW (FN,
     * C·filterH·filterW)}, which is overwritten. The same values as {@link #im2col} then {@link #matmul}, without the
     * whole {@code col} (see {@link ConvKernels#convBackwardWeights}).
     */
    public static void convBackwardWeights(Tensor x, ConvGeometry g, Tensor doutT, Tensor dW) {
        sameDType(x, doutT, dW);
        int n = images(x, g, "convolution backward");
        int fn = dW.rank() == 2 ? dW.dim(0) : -1;
        if (fn < 0 || dW.dim(1) != g.patchSize() || !doutT.hasShape(fn, n * g.positions())) {
            throw new IllegalArgumentException("convolution weight gradient of " + shapes(x) + " with a " + g
                    + " needs dW (FN, " + g.patchSize() + ") and doutT (FN, " + n * g.positions() + "), got "
                    + shapes(dW, doutT));
        }
        if (x.dtype() == DType.FLOAT32) {
            conv().convBackwardWeights(n, g, fn, x.floats(), x.offset(), doutT.floats(), doutT.offset(), dW.floats(),
                    dW.offset());
        } else {
            conv().convBackwardWeights(n, g, fn, x.doubles(), x.offset(), doutT.doubles(), doutT.offset(),
                    dW.doubles(), dW.offset());
        }
    }

    /**
     * One product per entry of a batch, with a shared left operand: {@code out[i] = op(a)·b[i] + bias·1ᵀ} for
     * {@code a (m, k)} (stored {@code (k, m)} when {@code transA}), {@code b (batch, k, n)}, {@code bias (m)} or null,
     * {@code out (batch, m, n)} — a convolution's {@code W·colT[i] + b}, and {@code Wᵀ·dout[i]} (see
     * {@link MatrixKernels#gemmBatch}). Trailing dimensions of {@code b} and {@code out} past the second are flattened.
     */
    public static void matmulBatch(boolean transA, Tensor a, Tensor b, Tensor bias, Tensor out) {
        if (bias == null) {
            sameDType(a, b, out);
        } else {
            sameDType(a, b, bias, out);
        }
        int batch = b.rank() >= 2 ? b.dim(0) : -1;
        int m = a.rank() == 2 ? a.dim(transA ? 1 : 0) : -1;
        int k = a.rank() == 2 ? a.dim(transA ? 0 : 1) : -1;
        int n = b.rank() >= 3 && b.dim(1) == k ? b.size() / Math.max(1, batch * k) : -1;
        if (a.rank() != 2 || batch < 0 || n < 0 || out.rank() < 2 || out.dim(0) != batch || out.dim(1) != m
                || (long) batch * m * n != out.size() || (bias != null && bias.size() != m)) {
            throw new IllegalArgumentException("batched product " + (transA ? "aᵀ" : "a") + "·b[i]"
                    + (bias == null ? "" : " + bias") + " shapes do not match: "
                    + (bias == null ? shapes(a, b, out) : shapes(a, b, bias, out)));
        }
        if (a.dtype() == DType.FLOAT32) {
            matrix().gemmBatch(batch, transA, m, n, k, a.floats(), a.offset(), b.floats(), b.offset(),
                    bias == null ? null : bias.floats(), bias == null ? 0 : bias.offset(), out.floats(),
                    out.offset());
        } else {
            matrix().gemmBatch(batch, transA, m, n, k, a.doubles(), a.offset(), b.doubles(), b.offset(),
                    bias == null ? null : bias.doubles(), bias == null ? 0 : bias.offset(), out.doubles(),
                    out.offset());
        }
    }

    /**
     * {@code out = x} with the first two axes swapped, as NumPy's {@code swapaxes(x, 0, 1)} made contiguous:
     * {@code x (d0, d1, …)} → {@code out (d1, d0, …)}; out must not overlap x.
     */
    public static void swapAxes01(Tensor x, Tensor out) {
        sameDType(x, out);
        int block = swappedBlock(x, out);
        if (x.dtype() == DType.FLOAT32) {
            elementwise().swapAxes01(x.dim(0), x.dim(1), block, x.floats(), x.offset(), out.floats(), out.offset());
        } else {
            elementwise().swapAxes01(x.dim(0), x.dim(1), block, x.doubles(), x.offset(), out.doubles(), out.offset());
        }
    }

    /** Row sums of x (rows, cols) into out (rows). */
    public static void sumRows(Tensor x, Tensor out) {
        sameDType(x, out);
        if (x.rank() != 2 || out.size() != x.dim(0)) {
            throw new IllegalArgumentException("row sum shapes do not match: " + shapes(x, out));
        }
        if (x.dtype() == DType.FLOAT32) {
            elementwise().sumRows(x.dim(0), x.dim(1), x.floats(), x.offset(), out.floats(), out.offset());
        } else {
            elementwise().sumRows(x.dim(0), x.dim(1), x.doubles(), x.offset(), out.doubles(), out.offset());
        }
    }

    /**
     * Max pooling: {@code x (N, C, H, W)} → {@code out (N, C, outH, outW)}, and in {@code argMax} (at least
     * {@code out.size()} long) where each maximum was (see {@link ConvKernels#maxPoolForward}).
     */
    public static void maxPoolForward(Tensor x, ConvGeometry g, int[] argMax, Tensor out) {
        sameDType(x, out);
        int n = images(x, g, "max pooling");
        if (!out.hasShape(n, g.channels(), g.outH(), g.outW()) || argMax.length < out.size()) {
            throw new IllegalArgumentException("max pooling of " + shapes(x) + " with a " + g + " needs out ("
                    + n + ", " + g.channels() + ", " + g.outH() + ", " + g.outW() + ") and as many indices, got "
                    + shapes(out) + " and " + argMax.length);
        }
        if (x.dtype() == DType.FLOAT32) {
            conv().maxPoolForward(n, g, x.floats(), x.offset(), argMax, out.floats(), out.offset());
        } else {
            conv().maxPoolForward(n, g, x.doubles(), x.offset(), argMax, out.doubles(), out.offset());
        }
    }

    /** Max pooling backward: {@code dx (N, C, H, W)} gets each element of {@code dout} where {@code argMax} says. */
    public static void maxPoolBackward(Tensor dout, ConvGeometry g, int[] argMax, Tensor dx) {
        sameDType(dout, dx);
        int n = images(dx, g, "max pooling backward");
        if (!dout.hasShape(n, g.channels(), g.outH(), g.outW()) || argMax.length < dout.size()) {
            throw new IllegalArgumentException("max pooling backward into " + shapes(dx) + " with a " + g
                    + " needs dout (" + n + ", " + g.channels() + ", " + g.outH() + ", " + g.outW()
                    + ") and as many indices, got " + shapes(dout) + " and " + argMax.length);
        }
        if (dout.dtype() == DType.FLOAT32) {
            conv().maxPoolBackward(n, g, dout.floats(), dout.offset(), argMax, dx.floats(), dx.offset());
        } else {
            conv().maxPoolBackward(n, g, dout.doubles(), dout.offset(), argMax, dx.doubles(), dx.offset());
        }
    }

    /** The batch size of images {@code x}, after checking that they are {@code (N, C, H, W)} as {@code g} says. */
    private static int images(Tensor x, ConvGeometry g, String what) {
        if (x.rank() != 4 || x.dim(1) != g.channels() || x.dim(2) != g.height() || x.dim(3) != g.width()) {
            throw new IllegalArgumentException(what + " needs images (N, " + g.channels() + ", " + g.height() + ", "
                    + g.width() + "), got " + shapes(x));
        }
        return x.dim(0);
    }

    /** The size of the block moved by a swap of the first two axes of x into out, after checking the shapes. */
    private static int swappedBlock(Tensor x, Tensor out) {
        if (x.rank() < 2) {
            throw new IllegalArgumentException("swapping axes 0 and 1 needs at least 2 dimensions, got " + shapes(x));
        }
        if (!out.hasSwappedShape(x)) {
            int[] swapped = x.shape();
            swapped[0] = x.dim(1);
            swapped[1] = x.dim(0);
            throw new IllegalArgumentException("swapping axes 0 and 1 of " + shapes(x) + " needs out "
                    + Shapes.toString(swapped) + ", got " + shapes(out));
        }
        int rows = x.dim(0);
        int cols = x.dim(1);
        return rows == 0 || cols == 0 ? 0 : x.size() / (rows * cols);
    }

    // ---- weight decay -----------------------------------------------------------------------------------------------

    /** {@code Σ x·y} over all elements, accumulated in double. */
    public static double dot(Tensor x, Tensor y) {
        sameSize3(x, y, y);
        if (x.dtype() == DType.FLOAT32) {
            return elementwise().dot(x.size(), x.floats(), x.offset(), y.floats(), y.offset());
        }
        return elementwise().dot(x.size(), x.doubles(), x.offset(), y.doubles(), y.offset());
    }

    // Checks without varargs, also for UpdateOps: the optimizer and batch-norm wrappers are too large for the JIT to
    // inline, so a varargs array created in them would be allocated on every call (a training step is meant to
    // allocate nothing).

    static void sameDType4(Tensor a, Tensor b, Tensor c, Tensor d) {
        DType t = a.dtype();
        if (b.dtype() != t || c.dtype() != t || d.dtype() != t) {
            throw new IllegalArgumentException("mixed dtypes: " + shapes(a, b, c, d));
        }
    }

    static void sameSize3(Tensor a, Tensor b, Tensor c) {
        sameDType4(a, b, c, c);
        if (b.size() != a.size() || c.size() != a.size()) {
            throw new IllegalArgumentException("sizes do not match: " + shapes(a, b, c));
        }
    }
}
