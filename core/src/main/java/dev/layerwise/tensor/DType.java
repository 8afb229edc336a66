package dev.layerwise.tensor;

import java.util.Locale;

/**
 * The element type of a {@link Tensor}.
 *
 * <p>{@code FLOAT32} is the default for training; {@code FLOAT64} is there for gradient checks, which reach the book's
 * agreement (1e-10 and below) only in double precision, and for users who need it.
 */
public enum DType {
    FLOAT32(4, "float32"),
    FLOAT64(8, "float64");

    private final int bytes;
    private final String label;

    DType(int bytes, String label) {
        this.bytes = bytes;
        this.label = label;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The NumPy name of the type: {@code float32} or {@code float64}. */
    public String label() {
        return label;
    }

    /**
     * Parses {@code float32}, {@code float64} (also {@code f32}, {@code f64}, {@code float}, {@code double}).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static DType parse(String text) {
        switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "float32": case "f32": case "float":
                return FLOAT32;
            case "float64": case "f64": case "double":
                return FLOAT64;
            default:
                throw new IllegalArgumentException("unknown dtype '" + text + "' (expected float32 or float64)");
        }
    }

    @Override
    public String toString() {
        return label;
    }
}
