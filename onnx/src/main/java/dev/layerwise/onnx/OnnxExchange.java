package dev.layerwise.onnx;

import dev.layerwise.io.AtomicFiles;
import dev.layerwise.model.Model;
import dev.layerwise.model.ModelExchange;
import java.io.IOException;
import java.nio.file.Path;

/**
 * ONNX for {@link Model#exportOnnx} and {@link Model#importOnnx}, registered for {@link java.util.ServiceLoader}:
 * {@link OnnxExporter} writes, {@link OnnxImporter} reads.
 */
public final class OnnxExchange implements ModelExchange {
    /** The opset written when none is asked for. */
    public static final int DEFAULT_OPSET = OnnxExporter.DEFAULT_OPSET;
    /** The lowest opset written. */
    public static final int MIN_OPSET = OnnxExporter.MIN_OPSET;
    /** The highest opset written. */
    public static final int MAX_OPSET = OnnxExporter.MAX_OPSET;

    @Override
    public String format() {
        return "onnx";
    }

    @Override
    public void write(Model model, Path file, int opset) throws IOException {
        byte[] bytes = OnnxExporter.export(model, opset).toByteArray();
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    @Override
    public Model read(Path file) throws IOException {
        return OnnxImporter.read(file);
    }
}
