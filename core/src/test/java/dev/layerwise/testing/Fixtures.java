package dev.layerwise.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.layerwise.io.NpyArray;
import dev.layerwise.io.Npz;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Reference values from the book's own NumPy code ({@code src/test/resources/fixtures}, copied from
 * {@code shared/fixtures}), read through the project's own {@code .npz} reader, and comparisons with explicit
 * tolerances.
 */
public final class Fixtures {
    /** Relative tolerance in float64: the book's code and ours differ only in summation order. */
    public static final double RTOL_64 = 1e-10;
    /** Relative tolerance in float32. */
    public static final double RTOL_32 = 1e-4;

    private final String name;
    private final Map<String, NpyArray> arrays;

    private Fixtures(String name, Map<String, NpyArray> arrays) {
        this.name = name;
        this.arrays = arrays;
    }

    /** Loads {@code fixtures/NAME.npz}. */
    public static Fixtures load(String name) {
        URL url = Fixtures.class.getResource("/fixtures/" + name + ".npz");
        if (url == null) {
            throw new IllegalArgumentException("no fixture " + name + ".npz on the test class path");
        }
        try {
            return new Fixtures(name, Npz.read(Path.of(url.toURI())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Array {@code key} as a tensor of {@code dtype}. */
    public Tensor tensor(String key, DType dtype) {
        return array(key).toTensor(dtype);
    }

    /** Array {@code key} as ints (labels, indices). */
    public int[] ints(String key) {
        return array(key).toIntArray();
    }

    /** Array {@code key} as class-index labels. */
    public Labels labels(String key) {
        return Labels.of(ints(key));
    }

    /** The scalar {@code key}. */
    public double scalar(String key) {
        return array(key).scalar();
    }

    /** The raw array {@code key}. */
    public NpyArray array(String key) {
        NpyArray a = arrays.get(key);
        if (a == null) {
            throw new IllegalArgumentException(name + ".npz has no '" + key + "' (has " + arrays.keySet() + ")");
        }
        return a;
    }

    /** Whether the fixture has array {@code key}. */
    public boolean has(String key) {
        return arrays.containsKey(key);
    }

    /** Asserts that {@code actual} matches fixture array {@code key} within the tolerance for its dtype. */
    public void assertMatches(String key, Tensor actual) {
        assertClose(tensor(key, DType.FLOAT64), actual, rtol(actual.dtype()), name + "." + key);
    }

    /** Asserts that {@code actual} matches fixture scalar {@code key}. */
    public void assertMatches(String key, double actual, DType dtype) {
        assertClose(scalar(key), actual, rtol(dtype), name + "." + key);
    }

    public static double rtol(DType dtype) {
        return dtype == DType.FLOAT64 ? RTOL_64 : RTOL_32;
    }

    /**
     * Asserts same shape and {@code |a − e| <= rtol · max(|e|, floor)} elementwise, where {@code floor} is the largest
     * |e| of the array times 1e-3 in float64 and 1e-2 in float32, so that elements near zero are judged against the
     * array's magnitude, as NumPy's {@code atol} does. (In float32, {@code y·(1 − y)} near saturation loses digits to
     * cancellation whatever the implementation.)
     */
    public static void assertClose(Tensor expected, Tensor actual, double rtol, String what) {
        assertClose(expected, actual, rtol, actual.dtype() == DType.FLOAT32 ? 1e-2 : 1e-3, what);
    }

    /** As {@link #assertClose(Tensor, Tensor, double, String)} with an explicit floor factor. */
    public static void assertClose(Tensor expected, Tensor actual, double rtol, double floorFactor, String what) {
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            fail(what + ": shape " + Shapes.toString(actual.shape()) + ", expected "
                    + Shapes.toString(expected.shape()));
        }
        double maxAbs = 0;
        for (int i = 0; i < expected.size(); i++) {
            maxAbs = Math.max(maxAbs, Math.abs(expected.getDouble(i)));
        }
        double floor = Math.max(maxAbs * floorFactor, 1e-300);
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.getDouble(i);
            double a = actual.getDouble(i);
            double tol = rtol * Math.max(Math.abs(e), floor);
            if (!(Math.abs(a - e) <= tol)) {
                fail(String.format("%s: element %d is %.17g, expected %.17g (|diff| %.3g > tol %.3g)", what, i, a, e,
                        Math.abs(a - e), tol));
            }
        }
    }

    /** Asserts {@code |actual − expected| <= rtol · |expected|}. */
    public static void assertClose(double expected, double actual, double rtol, String what) {
        double tol = rtol * Math.abs(expected);
        if (!(Math.abs(actual - expected) <= tol)) {
            assertEquals(expected, actual, tol, what);
        }
    }
}
