package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.layerwise.io.FileFormatException;
import dev.layerwise.io.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Standard output read strictly, as a script reads it: one JSON object, or JSON Lines (one object per line). */
final class JsonOutput {
    private JsonOutput() {
    }

    /** The whole of {@code out} as one JSON object; anything before or after it fails. */
    static Map<?, ?> object(String out) throws FileFormatException {
        return assertInstanceOf(Map.class, Json.parse(out, "standard output"), out);
    }

    /** Every line of {@code out} as one JSON object; an empty line or any other text fails. */
    static List<Map<?, ?>> lines(String out) throws FileFormatException {
        assertTrue(out.endsWith("\n"), "each line ends with a line break: " + out);
        List<Map<?, ?>> objects = new ArrayList<>();
        for (String line : out.substring(0, out.length() - 1).split("\n", -1)) {
            objects.add(assertInstanceOf(Map.class, Json.parse(line, "standard output line"), line));
        }
        return objects;
    }
}
