package dev.layerwise.net;

import dev.layerwise.tensor.DType;
import dev.layerwise.util.Rng;
import java.util.List;

/**
 * The networks Layerwise can rebuild from an {@link Architecture}: an explicit list, no reflection, so that a model
 * file can only ever name one of these.
 */
public final class Architectures {
    private Architectures() {
    }

    /** The names {@link #build} accepts. */
    public static List<String> names() {
        return List.of(TwoLayerNet.ARCHITECTURE, MultiLayerNet.ARCHITECTURE, MultiLayerNetExtend.ARCHITECTURE);
    }

    /**
     * A new network of the given architecture and dtype, its parameters freshly initialised from {@code rng} (load
     * saved values into {@link Network#parameters()} afterwards).
     *
     * @throws IllegalArgumentException for an unknown name or a bad field, naming it
     */
    public static Network build(Architecture a, DType dtype, Rng rng) {
        switch (a.name()) {
            case TwoLayerNet.ARCHITECTURE:
                return TwoLayerNet.fromArchitecture(a, dtype, rng);
            case MultiLayerNet.ARCHITECTURE:
                return MultiLayerNet.fromArchitecture(a, dtype, rng);
            case MultiLayerNetExtend.ARCHITECTURE:
                return MultiLayerNetExtend.fromArchitecture(a, dtype, rng);
            default:
                throw new IllegalArgumentException("unknown architecture '" + a.name() + "' (known: " + names() + ")");
        }
    }
}
