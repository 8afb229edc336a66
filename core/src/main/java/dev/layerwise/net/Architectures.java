package dev.layerwise.net;

import dev.layerwise.tensor.DType;
import dev.layerwise.util.Rng;
import java.util.List;
import java.util.Map;

/**
 * The networks Layerwise can rebuild from an {@link Architecture}: an explicit list, no reflection, so that a model
 * file can only ever name one of these.
 */
public final class Architectures {
    /** Every network type, in the order they are listed to users. */
    public static final List<NetworkType> TYPES = List.of(TwoLayerNet.TYPE, MultiLayerNet.TYPE,
            MultiLayerNetExtend.TYPE, SimpleConvNet.TYPE, DeepConvNet.TYPE);

    private Architectures() {
    }

    /** The names {@link #build} accepts. */
    public static List<String> names() {
        return TYPES.stream().map(NetworkType::name).toList();
    }

    /**
     * The type called {@code name}.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static NetworkType type(String name) {
        for (NetworkType t : TYPES) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown architecture '" + name + "' (known: " + names() + ")");
    }

    /**
     * The names and shapes of the parameters a network of this architecture has, computed without allocating them:
     * a model file is checked against these before anything is built.
     *
     * @throws IllegalArgumentException for an unknown name or a bad field, naming it
     */
    public static List<Parameters.Spec> parameterSpecs(Architecture a) {
        return type(a.name()).parameterSpecs(a);
    }

    /**
     * The architecture of a network called {@code name} whose parameters have the given shapes (book names), for
     * parameters trained elsewhere (the book's {@code numpy.savez(**params)}). {@code options} supply what the shapes
     * cannot tell (an activation, a stride); unknown options are an error.
     *
     * @throws IllegalArgumentException naming a missing parameter, a shape that does not fit or an unknown name
     */
    public static Architecture infer(String name, Map<String, int[]> shapes, Map<String, Object> options) {
        return type(name).infer(shapes, options);
    }

    /** The shape of parameter {@code name}, required to have {@code rank} dimensions. */
    static int[] shape(Map<String, int[]> shapes, String name, int rank) {
        int[] s = shapes.get(name);
        if (s == null) {
            throw new IllegalArgumentException("missing parameter '" + name + "' (have " + shapes.keySet() + ")");
        }
        if (s.length != rank) {
            throw new IllegalArgumentException("parameter '" + name + "' has shape " + dev.layerwise.tensor.Shapes
                    .toString(s) + ", expected " + rank + " dimensions");
        }
        return s;
    }

    /** Image dimensions {@code (C, H, W)} from an option such as "1x28x28", checked against the channels of W1. */
    static List<Integer> dims(Object option, int channels) {
        String[] parts = String.valueOf(option).split("[x,×]");
        List<Integer> dims = new java.util.ArrayList<>();
        try {
            for (String p : parts) {
                dims.add(Integer.parseInt(p.trim()));
            }
        } catch (NumberFormatException e) {
            dims.clear();
        }
        if (dims.size() != 3) {
            throw new IllegalArgumentException("input_dim must be CxHxW such as 1x28x28, got " + option);
        }
        if (dims.get(0) != channels) {
            throw new IllegalArgumentException("input_dim " + option + " has " + dims.get(0) + " channels, W1 has "
                    + channels);
        }
        return dims;
    }

    /** A list of integers from an option such as "1,1,1,2,1,1", or {@code fallback} when the option is absent. */
    static List<Integer> intList(Object option, List<Integer> fallback, String name) {
        if (option == null) {
            return fallback;
        }
        List<Integer> out = new java.util.ArrayList<>();
        try {
            for (String p : String.valueOf(option).split(",")) {
                out.add(Integer.parseInt(p.trim()));
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a list of whole numbers such as 1,1,1,2,1,1, got "
                    + option);
        }
        return out;
    }

    /** Fails on options an architecture does not know. */
    static void onlyOptions(String architecture, Map<String, Object> options, String... known) {
        for (String k : options.keySet()) {
            if (!List.of(known).contains(k)) {
                throw new IllegalArgumentException(architecture + " has no option '" + k + "'"
                        + (known.length == 0 ? "" : " (known: " + List.of(known) + ")"));
            }
        }
    }

    /**
     * A new network of the given architecture and dtype, its parameters freshly initialised from {@code rng} (load
     * saved values into {@link Network#parameters()} afterwards).
     *
     * @throws IllegalArgumentException for an unknown name or a bad field, naming it
     */
    public static Network build(Architecture a, DType dtype, Rng rng) {
        return type(a.name()).build(a, dtype, rng);
    }
}
