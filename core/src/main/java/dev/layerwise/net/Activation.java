package dev.layerwise.net;

import dev.layerwise.layer.Layer;
import dev.layerwise.layer.Relu;
import dev.layerwise.layer.Sigmoid;
import java.util.Locale;

/** The hidden-layer activations of the book's multi-layer nets: {@code activation='relu'} or {@code 'sigmoid'}. */
public enum Activation {
    RELU,
    SIGMOID;

    /** A new layer of this activation. */
    public Layer newLayer() {
        return this == RELU ? new Relu() : new Sigmoid();
    }

    /** Parses {@code relu} or {@code sigmoid} (any case). */
    public static Activation parse(String text) {
        switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "relu":
                return RELU;
            case "sigmoid":
                return SIGMOID;
            default:
                throw new IllegalArgumentException("unknown activation '" + text + "' (expected relu or sigmoid)");
        }
    }

    /** The book's name: {@code relu} or {@code sigmoid}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
