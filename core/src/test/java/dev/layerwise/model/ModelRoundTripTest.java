package dev.layerwise.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.layerwise.layer.Parameter;
import dev.layerwise.net.Activation;
import dev.layerwise.net.Architectures;
import dev.layerwise.net.DeepConvNet;
import dev.layerwise.net.MultiLayerNet;
import dev.layerwise.net.MultiLayerNetExtend;
import dev.layerwise.net.Network;
import dev.layerwise.net.SimpleConvNet;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every network the project has survives save and load, and export to parameters and import, in both dtypes. */
class ModelRoundTripTest {
    @TempDir
    Path dir;

    /** One network of every registered architecture; a new architecture must be added here. */
    static final Map<String, BiFunction<DType, Rng, Network>> NETWORKS = new LinkedHashMap<>();
    /** What the parameter shapes of a network cannot tell, for the import. */
    static final Map<String, Map<String, Object>> IMPORT_OPTIONS = Map.of(
            MultiLayerNetExtend.ARCHITECTURE, Map.of("dropout_ratio", 0.3, "activation", "sigmoid"));

    static {
        NETWORKS.put(TwoLayerNet.ARCHITECTURE, (d, r) -> new TwoLayerNet(784, 50, 10, 0.1, d, r));
        NETWORKS.put(MultiLayerNet.ARCHITECTURE, (d, r) -> new MultiLayerNet(784, List.of(100, 50), 10,
                MultiLayerNet.Options.defaults(), d, r));
        NETWORKS.put(MultiLayerNetExtend.ARCHITECTURE, (d, r) -> new MultiLayerNetExtend(784, List.of(60, 40), 10,
                MultiLayerNetExtend.Options.defaults().withActivation(Activation.SIGMOID).withBatchnorm(true)
                        .withDropout(0.3), d, r));
        NETWORKS.put(SimpleConvNet.ARCHITECTURE, (d, r) -> new SimpleConvNet(new int[] {1, 28, 28},
                SimpleConvNet.DEFAULT_CONV_PARAM, 100, 10, 0.01, d, r));
        NETWORKS.put(DeepConvNet.ARCHITECTURE, (d, r) -> new DeepConvNet(new int[] {1, 28, 28},
                DeepConvNet.DEFAULT_CONV_PARAMS, 50, 10, d, r));
    }

    static Stream<Arguments> cases() {
        return NETWORKS.keySet().stream().flatMap(n -> Stream.of(DType.values()).map(d -> Arguments.of(n, d)));
    }

    @Test
    void everyRegisteredArchitectureIsCovered() {
        assertEquals(new TreeSet<>(Architectures.names()), new TreeSet<>(NETWORKS.keySet()));
    }

    static Tensor images(DType dtype, int n) {
        Rng rng = new Rng(11);
        Tensor x = Tensor.zeros(dtype, n, 1, 28, 28);
        for (int i = 0; i < x.size(); i++) {
            x.setDouble(i, rng.nextDouble());
        }
        return x;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void saveLoadAndImportKeepEveryPrediction(String name, DType dtype) throws IOException {
        Network net = NETWORKS.get(name).apply(dtype, new Rng(7));
        Tensor x = images(dtype, 8);
        net.gradient(x, Labels.of(new int[8])); // moves batch norm's running statistics off their initial values
        Tensor expected = net.predict(x);
        Path file = dir.resolve(name + ".lw");
        Model.of(net).save(file);
        Model loaded = Model.load(file);
        assertEquals(net.architecture(), loaded.network().architecture());
        assertArrayEquals(expected.toDoubleArray(), loaded.predict(x).toDoubleArray(), 0.0, "save and load");
        Map<String, Tensor> params = new LinkedHashMap<>();
        for (Parameter p : net.parameters()) {
            params.put(p.name(), p.value());
        }
        params.putAll(net.buffers());
        Model imported = Model.fromParameters(name, params, IMPORT_OPTIONS.getOrDefault(name, Map.of()), dtype);
        assertEquals(List.copyOf(net.parameters().names()), imported.network().parameters().names());
        assertArrayEquals(expected.toDoubleArray(), imported.predict(x).toDoubleArray(), 0.0, "import");
    }
}
