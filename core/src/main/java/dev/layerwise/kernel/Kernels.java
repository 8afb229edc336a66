package dev.layerwise.kernel;

import java.util.Objects;

/**
 * The numerical kernels the layers are built from, one small interface per concept: plain functions over arrays,
 * output argument last.
 *
 * <ul>
 *   <li>{@link #matrix()}: matrix products ({@link MatrixKernels});
 *   <li>{@link #elementwise()}: activations, softmax, exp and log, broadcasts and reductions ({@link
 *       ElementwiseKernels});
 *   <li>{@link #conv()}: im2col and col2im, max pooling ({@link ConvKernels});
 *   <li>{@link #update()}: optimizer steps, batch normalisation, dropout ({@link UpdateKernels}).
 * </ul>
 *
 * <p>Two implementations of each stand behind these interfaces: a plain-Java one in {@code kernel.portable}, and a
 * Vector API one in {@code kernel.vector}, chosen once by {@link KernelProvider} when {@code jdk.incubator.vector}
 * is available; where the Vector API adds nothing, the vector set holds the portable kernels. Use {@link #get()};
 * layers and optimizers use the tensor-level {@code Ops} and {@code UpdateOps}.
 *
 * <p><b>Determinism</b>: for given inputs an implementation returns the same bits whatever {@link Parallel#threads()}
 * is; implementations may differ from each other in the last bits (fused multiply-add, summation order).
 *
 * @param name a short name for logs and benchmarks, e.g. {@code portable} or {@code vector}
 * @param matrix the matrix products
 * @param elementwise the element-wise kernels, broadcasts and reductions
 * @param conv the convolution and pooling kernels
 * @param update the optimizer, batch-norm and dropout kernels
 */
public record Kernels(String name, MatrixKernels matrix, ElementwiseKernels elementwise, ConvKernels conv,
                      UpdateKernels update) {

    /** @throws NullPointerException if any argument is null */
    public Kernels {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(matrix, "matrix");
        Objects.requireNonNull(elementwise, "elementwise");
        Objects.requireNonNull(conv, "conv");
        Objects.requireNonNull(update, "update");
    }

    /** The kernels chosen at start-up (see {@link KernelProvider}). */
    public static Kernels get() {
        return KernelProvider.kernels();
    }
}
