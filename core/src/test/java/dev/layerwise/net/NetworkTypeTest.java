package dev.layerwise.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.layerwise.layer.Dropout;
import dev.layerwise.tensor.DType;
import dev.layerwise.util.Rng;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry of network types: one list, each type building networks that carry its name. */
class NetworkTypeTest {
    private static NetworkType.Choices defaults(NetworkType t) {
        return new NetworkType.Choices(t.training().hiddenSizes(), Activation.RELU, t.training().init(), false, null,
                Dropout.Mode.BOOK, 0);
    }

    private static List<String> describe(List<Parameters.Spec> specs) {
        return specs.stream().map(p -> p.name() + Arrays.toString(p.shape())).toList();
    }

    @Test
    void eachTypeCreatesANetworkOfItsNameThatItsArchitectureRebuilds() {
        assertEquals(List.of("two-layer", "mlp", "mlp-extend", "simple-convnet", "deep-convnet"),
                Architectures.names());
        for (NetworkType t : Architectures.TYPES) {
            assertSame(t, Architectures.type(t.name()));
            Network net = t.create(defaults(t), new int[] {1, 28, 28}, 10, DType.FLOAT32, new Rng(1));
            assertEquals(t.name(), net.architecture().name());
            Network again = Architectures.build(net.architecture(), DType.FLOAT32, new Rng(1));
            assertEquals(net.architecture(), again.architecture());
            assertEquals(describe(t.parameterSpecs(net.architecture())),
                    describe(Architectures.parameterSpecs(again.architecture())));
            assertEquals(describe(t.parameterSpecs(net.architecture())), net.parameters().list().stream()
                    .map(p -> p.name() + Arrays.toString(p.value().shape())).toList());
        }
        assertThrows(IllegalArgumentException.class, () -> Architectures.type("convnet"));
    }

    @Test
    void mlpWithBatchNormOrDropoutIsTheExtendedNet() {
        NetworkType.Choices c = defaults(MultiLayerNet.TYPE);
        Network bn = MultiLayerNet.TYPE.create(new NetworkType.Choices(c.hiddenSizes(), c.activation(), c.init(),
                true, null, c.dropoutMode(), 0), new int[] {1, 28, 28}, 10, DType.FLOAT32, new Rng(1));
        assertEquals(MultiLayerNetExtend.ARCHITECTURE, bn.architecture().name());
        Network dropout = MultiLayerNet.TYPE.create(new NetworkType.Choices(c.hiddenSizes(), c.activation(),
                c.init(), false, 0.3, c.dropoutMode(), 0), new int[] {1, 28, 28}, 10, DType.FLOAT32, new Rng(1));
        assertEquals(MultiLayerNetExtend.ARCHITECTURE, dropout.architecture().name());
    }
}
