package dev.layerwise.kernel;

import dev.layerwise.kernel.portable.PortableConv;
import dev.layerwise.kernel.portable.PortableElementwise;
import dev.layerwise.kernel.portable.PortableMatrix;
import dev.layerwise.kernel.portable.PortableUpdate;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Chooses the {@link Kernels} implementation once, at first use, the way Apache Lucene chooses its vectorization
 * provider, and hands out its four kinds of kernels.
 *
 * <p>The Vector API implementation is taken when the {@code jdk.incubator.vector} module is in the boot layer (the
 * launcher and the tests pass {@code --add-modules jdk.incubator.vector}); otherwise the portable one is taken and one
 * line on standard error says how to get the faster one. The system property {@code layerwise.kernels} forces a choice:
 * {@code portable} or {@code vector}; a forced {@code vector} that cannot load is an error, not a silent fallback.
 */
public final class KernelProvider {
    /** The system property that forces an implementation: {@code portable} or {@code vector}. */
    public static final String PROPERTY = "layerwise.kernels";

    private static final String VECTOR_CLASS = "dev.layerwise.kernel.vector.VectorKernels";

    private static final Kernels PORTABLE = new Kernels("portable", new PortableMatrix(), new PortableElementwise(),
            new PortableConv(), new PortableUpdate());

    private KernelProvider() {
    }

    /**
     * The chosen kernels.
     *
     * @throws IllegalStateException if {@code layerwise.kernels} names no implementation, or forces one that cannot
     *     run here (on every call, from any thread)
     */
    public static Kernels kernels() {
        if (Holder.KERNELS == null) {
            throw new IllegalStateException(Holder.ERROR);
        }
        return Holder.KERNELS;
    }

    /** The portable, plain-Java kernels, always available. */
    public static Kernels portable() {
        return PORTABLE;
    }

    /**
     * The Vector API kernels, or {@code null} when this JVM cannot run them, with the reason in
     * {@link #vectorUnavailableReason()}.
     */
    public static Kernels vector() {
        return VectorHolder.KERNELS;
    }

    /** Why {@link #vector()} is {@code null}, or {@code null} when it is not. */
    public static String vectorUnavailableReason() {
        return VectorHolder.REASON;
    }

    /** The choice, made once; a bad property is kept as a message, not thrown from the class initialiser. */
    private static final class Holder {
        static final Kernels KERNELS;
        static final String ERROR;

        static {
            Kernels kernels = null;
            String error = null;
            try {
                kernels = choose();
            } catch (IllegalStateException e) {
                error = e.getMessage();
            }
            KERNELS = kernels;
            ERROR = error;
        }

        private static Kernels choose() {
            String forced = System.getProperty(PROPERTY, "").trim().toLowerCase(Locale.ROOT);
            switch (forced) {
                case "portable":
                    return portable();
                case "vector":
                    if (vector() == null) {
                        throw new IllegalStateException("-D" + PROPERTY + "=vector, but the Vector API kernels "
                                + "cannot run: " + vectorUnavailableReason());
                    }
                    return vector();
                case "":
                    if (vector() != null) {
                        return vector();
                    }
                    System.err.println("layerwise: using the portable kernels (" + vectorUnavailableReason() + ")");
                    return portable();
                default:
                    throw new IllegalStateException("-D" + PROPERTY + "=" + forced
                            + " is not a kernel implementation (expected portable or vector)");
            }
        }
    }

    private static final class VectorHolder {
        static final Kernels KERNELS;
        static final String REASON;

        static {
            Kernels kernels = null;
            String reason = null;
            if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
                reason = "the Vector API is not enabled; run java with --add-modules jdk.incubator.vector "
                        + "for SIMD kernels";
            } else {
                try {
                    // Made by name, so that this class links without the module.
                    @SuppressWarnings("unchecked")
                    Supplier<Kernels> vector = (Supplier<Kernels>) Class.forName(VECTOR_CLASS)
                            .getConstructor(Kernels.class).newInstance(PORTABLE);
                    kernels = vector.get();
                } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                    reason = "the Vector API kernels failed to load: " + e;
                }
            }
            KERNELS = kernels;
            REASON = reason;
        }
    }
}
