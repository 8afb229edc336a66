package dev.layerwise.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ServiceLoader;

/**
 * A file format other tools read and write models in (ONNX), provided by an optional module: core has no dependency,
 * so it finds the module's implementation through {@link ServiceLoader} when a model is exported or imported.
 *
 * <p>An implementation is registered in {@code META-INF/services/dev.layerwise.model.ModelExchange} of its module
 * ({@code layerwise-onnx} for {@code onnx}). Use it through {@link Model#exportOnnx(Path)} and
 * {@link Model#importOnnx(Path)}.
 */
public interface ModelExchange {

    /** The format's name, e.g. {@code onnx}. */
    String format();

    /**
     * Writes {@code model} to {@code file} atomically.
     *
     * @param version the version of the format to write (ONNX: the opset), or 0 for the implementation's default
     * @throws IllegalArgumentException for a model or version the format cannot express, naming what
     */
    void write(Model model, Path file, int version) throws IOException;

    /**
     * Reads a model from {@code file}.
     *
     * @throws dev.layerwise.io.FileFormatException naming the file and what in it is wrong or cannot be expressed
     */
    Model read(Path file) throws IOException;

    /**
     * The implementation of {@code format} on the class path.
     *
     * @param module the artifact that provides it, for the message when it is missing
     * @throws UnsupportedOperationException when no module on the class path provides it, naming the one to add
     */
    static ModelExchange find(String format, String module) {
        for (ModelExchange e : ServiceLoader.load(ModelExchange.class, ModelExchange.class.getClassLoader())) {
            if (e.format().equals(format)) {
                return e;
            }
        }
        throw new UnsupportedOperationException(format.toUpperCase(java.util.Locale.ROOT) + " needs the module "
                + module + " (Maven dev.layerwise:" + module + ") on the class path");
    }
}
