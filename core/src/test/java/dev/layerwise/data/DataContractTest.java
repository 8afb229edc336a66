package dev.layerwise.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.io.FileFormatException;
import dev.layerwise.io.Json;
import dev.layerwise.model.Model;
import dev.layerwise.net.ConvParam;
import dev.layerwise.net.SimpleConvNet;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.tensor.DType;
import dev.layerwise.util.Rng;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataContractTest {
    @TempDir
    Path dir;

    private static DataContract iris() {
        return new DataContract(DataContract.Kind.FEATURES, new int[] {4}, List.of("setosa", "versicolor",
                "virginica"), new DataContract.Normalization.Standardize(new double[] {5.8, 3.0, 3.8, 1.2},
                new double[] {0.8, 0.4, 1.8, 0.8}), null, List.of("sepal_length", "sepal_width", "petal_length",
                "petal_width"));
    }

    @Test
    void theDigitFitMakesOnlyMnistShapedImages() throws Exception {
        Map<String, Object> m = new java.util.LinkedHashMap<>(DataContract.mnist().toMap());
        m.put("shape", List.of(3L, 28L, 28L));
        FileFormatException e = assertThrows(FileFormatException.class,
                () -> DataContract.fromMap(Json.parse(Json.write(m), "test"), "m.lw"));
        assertTrue(e.getMessage().startsWith("m.lw"), e.getMessage());
        assertTrue(e.getMessage().contains("the mnist-digit fit makes images of (1, 28, 28), not (3, 28, 28)"),
                e.getMessage());
    }

    @Test
    void survivesTheHeaderAsJson() throws Exception {
        for (DataContract c : List.of(iris(), DataContract.mnist(),
                DataContract.images(new int[] {3, 32, 32}, List.of("a", "b"), DataContract.ImageFit.RESIZE))) {
            Object parsed = Json.parse(Json.write(c.toMap()), "test");
            assertEquals(c, DataContract.fromMap(parsed, "m.lw"));
        }
    }

    @Test
    void badFieldsAreNamed() {
        Map<String, Object> m = iris().toMap();
        m.put("class_names", List.of("only"));
        FileFormatException e = assertThrows(FileFormatException.class, () -> DataContract.fromMap(m, "m.lw"));
        assertTrue(e.getMessage().startsWith("m.lw: header field 'data': "), e.getMessage());
        assertTrue(e.getMessage().contains("at least 2 classes"), e.getMessage());
        Map<String, Object> s = iris().toMap();
        s.put("shape", List.of(4, "x"));
        e = assertThrows(FileFormatException.class, () -> DataContract.fromMap(s, "m.lw"));
        assertEquals("m.lw: header field 'data': 'shape'[1] must be a number, got x", e.getMessage());
        Map<String, Object> n = iris().toMap();
        n.put("normalization", Map.of("kind", "standardize", "mean", List.of(0, 0, 0, 0), "std", List.of(1, 1, 0, 1)));
        e = assertThrows(FileFormatException.class, () -> DataContract.fromMap(n, "m.lw"));
        assertTrue(e.getMessage().contains("feature 2: mean 0.0, std 0.0"), e.getMessage());
        Map<String, Object> f = DataContract.mnist().toMap();
        f.remove("image_fit");
        e = assertThrows(FileFormatException.class, () -> DataContract.fromMap(f, "m.lw"));
        assertEquals("m.lw: header field 'data': images need an 'image_fit' (resize or mnist-digit)", e.getMessage());
    }

    @Test
    void aModelKeepsItsContract() throws Exception {
        TwoLayerNet net = new TwoLayerNet(4, 5, 3, 0.01, DType.FLOAT32, new Rng(1));
        Path file = dir.resolve("iris.lw");
        Model.of(net).withContract(iris()).save(file);
        Model loaded = Model.load(file);
        assertEquals(iris(), loaded.contract());
        assertArrayEquals(new int[] {4}, loaded.contract().exampleShape());
    }

    @Test
    void aFileWithoutContractIsAnMnistModel() throws Exception {
        Path file = dir.resolve("old.lw");
        Model.of(new TwoLayerNet(784, 50, 10)).save(file);
        assertEquals(DataContract.mnist(), Model.load(file).contract());
    }

    @Test
    void aContractMustFitTheNetwork() {
        TwoLayerNet net = new TwoLayerNet(4, 5, 3, 0.01, DType.FLOAT32, new Rng(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Model.of(net).withContract(DataContract.mnist()));
        assertTrue(e.getMessage().contains("(1, 28, 28)"), e.getMessage());
        DataContract twoClasses = new DataContract(DataContract.Kind.FEATURES, new int[] {4}, List.of("a", "b"),
                new DataContract.Normalization.Scale(1), null, List.of());
        e = assertThrows(IllegalArgumentException.class, () -> Model.of(net).withContract(twoClasses));
        assertEquals("the network scores 3 classes, the data has 2 [a, b]", e.getMessage());
        SimpleConvNet conv = new SimpleConvNet(new int[] {3, 8, 8}, new ConvParam(4, 5, 0, 1), 6, 3, 0.01, DType.FLOAT32,
                new Rng(2));
        Model.of(conv).withContract(DataContract.images(new int[] {3, 8, 8}, List.of("a", "b", "c"),
                DataContract.ImageFit.RESIZE));
    }
}
