package dev.layerwise.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Layerwise's version, from the build, for the producer and metadata of exported files. */
final class Versions {
    private Versions() {
    }

    static String layerwise() {
        Properties p = new Properties();
        try (InputStream in = Versions.class.getResourceAsStream("/layerwise-onnx.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }
}
