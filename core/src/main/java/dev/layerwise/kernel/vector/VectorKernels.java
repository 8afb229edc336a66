package dev.layerwise.kernel.vector;

import dev.layerwise.kernel.Kernels;
import java.util.function.Supplier;

/**
 * The {@link Kernels} on the Vector API ({@code jdk.incubator.vector}): SIMD matrix products, element-wise kernels,
 * im2col, max pooling and Adam's step; where vectors add nothing, the portable kernels handed in.
 *
 * <p>Made by {@link dev.layerwise.kernel.KernelProvider} by reflection, and only when the module is present; nothing
 * else may refer to this package, so that the library still links where the module is absent. Making it warms the
 * float32 kernels up (see {@link WarmUp}).
 */
public final class VectorKernels implements Supplier<Kernels> {
    private final WarmUp warmUp = new WarmUp();
    private final Kernels kernels;

    /**
     * Public for the provider's reflective instantiation; use {@code Kernels.get()}.
     *
     * @param portable the portable kernels, for what vectors do not speed up
     */
    public VectorKernels(Kernels portable) {
        kernels = new Kernels("vector", new VectorMatrix(warmUp),
                new VectorElementwise(warmUp, portable.elementwise()), new VectorConv(warmUp, portable.conv()),
                new VectorUpdate(warmUp, portable.update()));
        warmUp.attach(kernels);
        warmUp.floats();
    }

    /** The Vector API kernels. */
    @Override
    public Kernels get() {
        return kernels;
    }

    /** Whether the float64 kernels have warmed up (for the tests). */
    boolean doublesWarmedUp() {
        return warmUp.doublesWarmedUp();
    }
}
