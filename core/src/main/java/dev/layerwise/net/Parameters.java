package dev.layerwise.net;

import dev.layerwise.layer.Parameter;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network's parameters in order, under the book's names, all held in one flat array (and their gradients in a
 * second one): each {@link Parameter}'s value and gradient are views into them. Saving, averaging across workers and
 * optimizer state can then work on one array each.
 *
 * <pre>{@code
 * Parameters params = Parameters.allocate(DType.FLOAT32,
 *         List.of(Parameters.spec("W1", 784, 50), Parameters.spec("b1", 50)));
 * Tensor W1 = params.get("W1").value();
 * }</pre>
 */
public final class Parameters implements Iterable<Parameter> {
    private final DType dtype;
    private final Tensor values;
    private final Tensor grads;
    private final Map<String, Parameter> byName;
    private final List<Parameter> list;

    /** The name and shape of one parameter. */
    public record Spec(String name, int[] shape) {
        public Spec {
            Shapes.checked(shape);
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("a parameter needs a name");
            }
            shape = shape.clone();
        }
    }

    /** A {@link Spec}. */
    public static Spec spec(String name, int... shape) {
        return new Spec(name, shape);
    }

    private Parameters(DType dtype, List<Spec> specs) {
        this.dtype = dtype;
        long total = 0;
        for (Spec s : specs) {
            total += Shapes.size(s.shape());
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("more than " + Integer.MAX_VALUE + " parameters");
        }
        this.values = Tensor.zeros(dtype, (int) total);
        this.grads = Tensor.zeros(dtype, (int) total);
        Map<String, Parameter> map = new LinkedHashMap<>();
        int offset = 0;
        for (Spec s : specs) {
            int size = Shapes.size(s.shape());
            Parameter p = new Parameter(s.name(), view(values, offset, s.shape()), view(grads, offset, s.shape()));
            if (map.put(s.name(), p) != null) {
                throw new IllegalArgumentException("duplicate parameter name " + s.name());
            }
            offset += size;
        }
        this.byName = Collections.unmodifiableMap(map);
        this.list = List.copyOf(map.values());
    }

    private static Tensor view(Tensor flat, int offset, int[] shape) {
        return flat.dtype() == DType.FLOAT32
                ? Tensor.view(flat.floats(), offset, shape)
                : Tensor.view(flat.doubles(), offset, shape);
    }

    /** Zero-filled parameters and gradients of the given shapes, in order. */
    public static Parameters allocate(DType dtype, List<Spec> specs) {
        return new Parameters(dtype, specs);
    }

    public DType dtype() {
        return dtype;
    }

    /** The parameter called {@code name}; the exception lists the names there are. */
    public Parameter get(String name) {
        Parameter p = byName.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no parameter named '" + name + "' (have " + byName.keySet() + ")");
        }
        return p;
    }

    /** Whether there is a parameter called {@code name}. */
    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** The parameters in order. */
    public List<Parameter> list() {
        return list;
    }

    /** The names in order. */
    public List<String> names() {
        return new ArrayList<>(byName.keySet());
    }

    /** All values as one flat tensor (a view: writing it writes the parameters). */
    public Tensor flatValues() {
        return values;
    }

    /** All gradients as one flat tensor (a view). */
    public Tensor flatGrads() {
        return grads;
    }

    /** The total number of scalars. */
    public int totalSize() {
        return values.size();
    }

    /**
     * Copies the given tensors into the parameters of the same names (converting dtype). Every parameter must be given,
     * with its exact shape, and no other name.
     */
    public void setValues(Map<String, Tensor> given) {
        for (String name : given.keySet()) {
            if (!byName.containsKey(name)) {
                throw new IllegalArgumentException("unknown parameter '" + name + "' (have " + byName.keySet() + ")");
            }
        }
        for (Parameter p : list) {
            Tensor t = given.get(p.name());
            if (t == null) {
                throw new IllegalArgumentException("missing parameter '" + p.name() + "'");
            }
            if (!t.sameShape(p.value())) {
                throw new IllegalArgumentException("parameter '" + p.name() + "' has shape "
                        + Shapes.toString(t.shape()) + ", expected " + Shapes.toString(p.value().shape()));
            }
        }
        for (Parameter p : list) {
            p.value().copyFrom(given.get(p.name()));
        }
    }

    /** Copies of the values, by name in order. */
    public Map<String, Tensor> values() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Parameter p : list) {
            m.put(p.name(), p.value().copy());
        }
        return m;
    }

    /** Copies of the gradients, by name in order. */
    public Map<String, Tensor> grads() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Parameter p : list) {
            m.put(p.name(), p.grad().copy());
        }
        return m;
    }

    @Override
    public Iterator<Parameter> iterator() {
        return list.iterator();
    }

    @Override
    public String toString() {
        return "Parameters(" + dtype + ", " + list + ")";
    }
}
