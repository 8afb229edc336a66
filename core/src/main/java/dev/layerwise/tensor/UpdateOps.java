package dev.layerwise.tensor;

import dev.layerwise.kernel.KernelProvider;
import dev.layerwise.kernel.UpdateKernels;

/**
 * The update kernels on tensors: optimizer steps, batch normalisation and its running averages, dropout's mask. Each
 * function checks dtypes and shapes, then calls the active {@link UpdateKernels} on the backing arrays; it writes
 * only the tensors its Javadoc names.
 */
public final class UpdateOps {
    private UpdateOps() {
    }

    private static UpdateKernels update() {
        return KernelProvider.kernels().update();
    }

    /** Momentum step {@code v = momentum·v − lr·g; w += v}; v and w (same size as g) are updated in place. */
    public static void momentumUpdate(double lr, double momentum, Tensor g, Tensor v, Tensor w) {
        Ops.sameSize3(g, v, w);
        if (g.dtype() == DType.FLOAT32) {
            update().momentumUpdate(g.size(), lr, momentum, g.floats(), g.offset(), v.floats(), v.offset(),
                    w.floats(), w.offset());
        } else {
            update().momentumUpdate(g.size(), lr, momentum, g.doubles(), g.offset(), v.doubles(), v.offset(),
                    w.doubles(), w.offset());
        }
    }

    /** The book's Nesterov step; v and w are updated in place (see {@link UpdateKernels#nesterovUpdate}). */
    public static void nesterovUpdate(double lr, double momentum, Tensor g, Tensor v, Tensor w) {
        Ops.sameSize3(g, v, w);
        if (g.dtype() == DType.FLOAT32) {
            update().nesterovUpdate(g.size(), lr, momentum, g.floats(), g.offset(), v.floats(), v.offset(),
                    w.floats(), w.offset());
        } else {
            update().nesterovUpdate(g.size(), lr, momentum, g.doubles(), g.offset(), v.doubles(), v.offset(),
                    w.doubles(), w.offset());
        }
    }

    /** AdaGrad step {@code h += g·g; w −= lr·g / (√h + eps)}; h and w are updated in place. */
    public static void adaGradUpdate(double lr, double eps, Tensor g, Tensor h, Tensor w) {
        Ops.sameSize3(g, h, w);
        if (g.dtype() == DType.FLOAT32) {
            update().adaGradUpdate(g.size(), lr, eps, g.floats(), g.offset(), h.floats(), h.offset(),
                    w.floats(), w.offset());
        } else {
            update().adaGradUpdate(g.size(), lr, eps, g.doubles(), g.offset(), h.doubles(), h.offset(),
                    w.doubles(), w.offset());
        }
    }

    /** RMSprop step {@code h = d·h + (1 − d)·g·g; w −= lr·g / (√h + eps)}; h and w are updated in place. */
    public static void rmsPropUpdate(double lr, double decayRate, double eps, Tensor g, Tensor h, Tensor w) {
        Ops.sameSize3(g, h, w);
        if (g.dtype() == DType.FLOAT32) {
            update().rmsPropUpdate(g.size(), lr, decayRate, eps, g.floats(), g.offset(), h.floats(), h.offset(),
                    w.floats(), w.offset());
        } else {
            update().rmsPropUpdate(g.size(), lr, decayRate, eps, g.doubles(), g.offset(), h.doubles(), h.offset(),
                    w.doubles(), w.offset());
        }
    }

    /** The book's Adam step with the bias-corrected rate {@code lrT}; m, v and w are updated in place. */
    public static void adamUpdate(double lrT, double beta1, double beta2, double eps, Tensor g, Tensor m, Tensor v,
                                  Tensor w) {
        Ops.sameSize3(g, m, v);
        Ops.sameSize3(g, v, w);
        if (g.dtype() == DType.FLOAT32) {
            update().adamUpdate(g.size(), lrT, beta1, beta2, eps, g.floats(), g.offset(), m.floats(), m.offset(),
                    v.floats(), v.offset(), w.floats(), w.offset());
        } else {
            update().adamUpdate(g.size(), lrT, beta1, beta2, eps, g.doubles(), g.offset(), m.doubles(), m.offset(),
                    v.doubles(), v.offset(), w.doubles(), w.offset());
        }
    }

    /**
     * Batch normalisation in training mode of x (N, D), per column: writes the batch {@code mean}, {@code var} and
     * {@code std} (D each), the centred input {@code xc} and the output {@code out} (N, D); see
     * {@link UpdateKernels#batchNormForward}.
     */
    public static void batchNormForward(Tensor x, Tensor gamma, Tensor beta, double eps, Tensor mean, Tensor var,
                                        Tensor std, Tensor xc, Tensor out) {
        Ops.sameDType4(x, gamma, beta, mean);
        Ops.sameDType4(x, var, std, xc);
        Ops.sameDType4(x, out, out, out);
        int cols = checkBatchNorm(x, gamma, beta, mean, var);
        if (std.size() != cols || !xc.sameShape(x) || !out.sameShape(x)) {
            throw new IllegalArgumentException("batch norm buffers do not match: " + Ops.shapes(x, std, xc, out));
        }
        int rows = x.dim(0);
        if (x.dtype() == DType.FLOAT32) {
            update().batchNormForward(rows, cols, x.floats(), x.offset(), gamma.floats(), gamma.offset(), beta.floats(),
                    beta.offset(), eps, mean.floats(), mean.offset(), var.floats(), var.offset(), std.floats(),
                    std.offset(), xc.floats(), xc.offset(), out.floats(), out.offset());
        } else {
            update().batchNormForward(rows, cols, x.doubles(), x.offset(), gamma.doubles(), gamma.offset(),
                    beta.doubles(), beta.offset(), eps, mean.doubles(), mean.offset(), var.doubles(), var.offset(),
                    std.doubles(), std.offset(), xc.doubles(), xc.offset(), out.doubles(), out.offset());
        }
    }

    /**
     * Batch normalisation in inference mode of x (N, D) with the running {@code mean} and {@code var}; out may be x.
     */
    public static void batchNormInference(Tensor x, Tensor gamma, Tensor beta, double eps, Tensor mean, Tensor var,
                                          Tensor out) {
        Ops.sameDType4(x, gamma, beta, mean);
        Ops.sameDType4(x, var, out, out);
        int cols = checkBatchNorm(x, gamma, beta, mean, var);
        if (!out.sameShape(x)) {
            throw new IllegalArgumentException("batch norm output does not match: " + Ops.shapes(x, out));
        }
        int rows = x.dim(0);
        if (x.dtype() == DType.FLOAT32) {
            update().batchNormInference(rows, cols, x.floats(), x.offset(), gamma.floats(), gamma.offset(),
                    beta.floats(), beta.offset(), eps, mean.floats(), mean.offset(), var.floats(), var.offset(),
                    out.floats(), out.offset());
        } else {
            update().batchNormInference(rows, cols, x.doubles(), x.offset(), gamma.doubles(), gamma.offset(),
                    beta.doubles(), beta.offset(), eps, mean.doubles(), mean.offset(), var.doubles(), var.offset(),
                    out.doubles(), out.offset());
        }
    }

    /**
     * Batch normalisation backward for dout (N, D) given the forward's {@code xc} (N, D) and {@code std} (D): writes
     * {@code dx} (N, D), {@code dgamma} and {@code dbeta} (D); see {@link UpdateKernels#batchNormBackward}.
     */
    public static void batchNormBackward(Tensor dout, Tensor xc, Tensor std, Tensor gamma, Tensor dx, Tensor dgamma,
                                         Tensor dbeta) {
        Ops.sameDType4(dout, xc, std, gamma);
        Ops.sameDType4(dout, dx, dgamma, dbeta);
        if (dout.rank() != 2 || !xc.sameShape(dout) || !dx.sameShape(dout)) {
            throw new IllegalArgumentException("batch norm backward shapes do not match: "
                    + Ops.shapes(dout, xc, dx));
        }
        int rows = dout.dim(0);
        int cols = dout.dim(1);
        if (std.size() != cols || gamma.size() != cols || dgamma.size() != cols || dbeta.size() != cols) {
            throw new IllegalArgumentException("batch norm backward shapes do not match: "
                    + Ops.shapes(dout, std, gamma, dgamma, dbeta));
        }
        if (dout.dtype() == DType.FLOAT32) {
            update().batchNormBackward(rows, cols, dout.floats(), dout.offset(), xc.floats(), xc.offset(), std.floats(),
                    std.offset(), gamma.floats(), gamma.offset(), dx.floats(), dx.offset(), dgamma.floats(),
                    dgamma.offset(), dbeta.floats(), dbeta.offset());
        } else {
            update().batchNormBackward(rows, cols, dout.doubles(), dout.offset(), xc.doubles(), xc.offset(),
                    std.doubles(), std.offset(), gamma.doubles(), gamma.offset(), dx.doubles(), dx.offset(),
                    dgamma.doubles(), dgamma.offset(), dbeta.doubles(), dbeta.offset());
        }
    }

    private static int checkBatchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor mean, Tensor var) {
        if (x.rank() != 2) {
            throw new IllegalArgumentException("batch norm takes (N, D), got " + Ops.shapes(x));
        }
        int cols = x.dim(1);
        if (gamma.size() != cols || beta.size() != cols || mean.size() != cols || var.size() != cols) {
            throw new IllegalArgumentException("batch norm shapes do not match: "
                    + Ops.shapes(x, gamma, beta, mean, var));
        }
        return cols;
    }

    /** {@code avg = momentum·avg + (1 − momentum)·x}, in place in avg (same size as x). */
    public static void movingAverage(double momentum, Tensor x, Tensor avg) {
        Ops.sameSize3(x, avg, avg);
        if (x.dtype() == DType.FLOAT32) {
            update().movingAverage(x.size(), momentum, x.floats(), x.offset(), avg.floats(), avg.offset());
        } else {
            update().movingAverage(x.size(), momentum, x.doubles(), x.offset(), avg.doubles(), avg.offset());
        }
    }

    /**
     * {@code out = mask ? scale·x : 0} element-wise (mask {@code true} = kept, at least x.size() long); out may be x.
     */
    public static void maskedScale(Tensor x, boolean[] mask, double scale, Tensor out) {
        Ops.sameSize3(x, out, out);
        if (mask.length < x.size()) {
            throw new IllegalArgumentException("a mask of " + mask.length + " elements for " + Ops.shapes(x));
        }
        if (x.dtype() == DType.FLOAT32) {
            update().maskedScale(x.size(), x.floats(), x.offset(), mask, scale, out.floats(), out.offset());
        } else {
            update().maskedScale(x.size(), x.doubles(), x.offset(), mask, scale, out.doubles(), out.offset());
        }
    }
}
