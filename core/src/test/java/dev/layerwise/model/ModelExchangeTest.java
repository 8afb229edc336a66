package dev.layerwise.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.layerwise.net.TwoLayerNet;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Without the module layerwise-onnx on the class path (as in core's own tests), ONNX says which module to add. */
class ModelExchangeTest {
    private static final String MESSAGE = "ONNX needs the module layerwise-onnx (Maven dev.layerwise:layerwise-onnx) "
            + "on the class path";

    @Test
    void exportAndImportNameTheMissingModule() {
        Model model = Model.of(new TwoLayerNet(4, 3, 2));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> model.exportOnnx(Path.of("m.onnx")));
        assertEquals(MESSAGE, e.getMessage());
        e = assertThrows(UnsupportedOperationException.class, () -> Model.importOnnx(Path.of("m.onnx")));
        assertEquals(MESSAGE, e.getMessage());
    }
}
