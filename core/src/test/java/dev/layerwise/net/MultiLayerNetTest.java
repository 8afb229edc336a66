package dev.layerwise.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.layer.BatchNormalization;
import dev.layerwise.layer.Dropout;
import dev.layerwise.layer.Relu;
import dev.layerwise.layer.Sigmoid;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The multi-layer nets: the book's names and layer order, initialisation, modes, architectures and bad settings. */
class MultiLayerNetTest {

    static Tensor input(int n, int features, long seed) {
        Rng rng = new Rng(seed);
        Tensor x = Tensor.zeros(DType.FLOAT32, n, features);
        for (int i = 0; i < x.size(); i++) {
            x.setDouble(i, rng.nextDouble());
        }
        return x;
    }

    static double std(Tensor t) {
        double s = 0;
        double sq = 0;
        for (int i = 0; i < t.size(); i++) {
            s += t.getDouble(i);
            sq += t.getDouble(i) * t.getDouble(i);
        }
        double mean = s / t.size();
        return Math.sqrt(sq / t.size() - mean * mean);
    }

    @Test
    void layersAndParametersAreNamedAsInTheBook() {
        MultiLayerNet net = new MultiLayerNet(784, List.of(100, 50), 10);
        assertEquals(List.of("Affine1", "Activation_function1", "Affine2", "Activation_function2", "Affine3"),
                List.copyOf(net.layers().keySet()));
        assertEquals(List.of("W1", "b1", "W2", "b2", "W3", "b3"), net.parameters().names());
        assertArrayEquals(new int[] {100, 50}, net.parameters().get("W2").value().shape());
        assertInstanceOf(Relu.class, net.layers().get("Activation_function1"));

        MultiLayerNetExtend ext = new MultiLayerNetExtend(784, List.of(100, 50), 10,
                MultiLayerNetExtend.Options.defaults().withBatchnorm(true).withDropout(0.2)
                        .withActivation(Activation.SIGMOID), DType.FLOAT32, new Rng(1));
        assertEquals(List.of("Affine1", "BatchNorm1", "Activation_function1", "Dropout1", "Affine2", "BatchNorm2",
                "Activation_function2", "Dropout2", "Affine3"), List.copyOf(ext.layers().keySet()));
        assertEquals(List.of("W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"),
                ext.parameters().names());
        assertInstanceOf(Sigmoid.class, ext.layers().get("Activation_function2"));
        assertEquals(2, ext.dropoutLayers().size());
        assertEquals(0.2, ext.dropoutLayers().get(0).ratio());
        assertEquals(List.of("running_mean1", "running_var1", "running_mean2", "running_var2"),
                List.copyOf(ext.buffers().keySet()));
        BatchNormalization bn1 = (BatchNormalization) ext.layers().get("BatchNorm1");
        assertTrue(ext.buffers().get("running_mean1") == bn1.runningMean(), "the live tensor, not a copy");
        for (int i = 0; i < 100; i++) {
            assertEquals(1.0, ext.parameters().get("gamma1").value().getDouble(i));
            assertEquals(0.0, ext.parameters().get("beta1").value().getDouble(i));
        }
        assertEquals(Map.of(), new MultiLayerNet(4, List.of(3), 2).buffers());
    }

    @Test
    void weightsAreDrawnWithTheScaleOfEachInit() {
        List<Integer> hidden = List.of(400, 400);
        MultiLayerNet he = new MultiLayerNet(784, hidden, 10);
        assertEquals(Math.sqrt(2.0 / 784), std(he.parameters().get("W1").value()), 0.002);
        assertEquals(Math.sqrt(2.0 / 400), std(he.parameters().get("W2").value()), 0.002);
        MultiLayerNet xavier = new MultiLayerNet(784, hidden, 10,
                MultiLayerNet.Options.defaults().withWeightInit(WeightInit.xavier()), DType.FLOAT64, new Rng(2));
        assertEquals(Math.sqrt(1.0 / 784), std(xavier.parameters().get("W1").value()), 0.002);
        assertEquals(Math.sqrt(1.0 / 400), std(xavier.parameters().get("W3").value()), 0.005);
        MultiLayerNet fixed = new MultiLayerNet(784, hidden, 10,
                MultiLayerNet.Options.defaults().withWeightInit(WeightInit.std(0.01)), DType.FLOAT64, new Rng(3));
        assertEquals(0.01, std(fixed.parameters().get("W2").value()), 0.0005);
        for (int i = 0; i < 400; i++) {
            assertEquals(0.0, fixed.parameters().get("b1").value().getDouble(i));
        }
        MultiLayerNet again = new MultiLayerNet(784, hidden, 10,
                MultiLayerNet.Options.defaults().withWeightInit(WeightInit.std(0.01)), DType.FLOAT64, new Rng(3));
        assertArrayEquals(fixed.parameters().flatValues().toDoubleArray(),
                again.parameters().flatValues().toDoubleArray(), "the same seed draws the same weights");
    }

    @Test
    void architecturesRebuildTheSameNetwork() {
        MultiLayerNet mlp = new MultiLayerNet(20, List.of(7, 5), 3,
                MultiLayerNet.Options.defaults().withActivation(Activation.SIGMOID)
                        .withWeightInit(WeightInit.std(0.05)).withWeightDecay(0.1), DType.FLOAT64, new Rng(4));
        Architecture a = mlp.architecture();
        assertEquals("mlp", a.name());
        assertEquals(List.of(7, 5), a.intList("hidden_sizes"));
        assertEquals("sigmoid", a.stringValue("activation"));
        assertEquals("0.05", a.stringValue("weight_init_std"));
        Network rebuilt = Architectures.build(a, DType.FLOAT64, new Rng(4));
        assertInstanceOf(MultiLayerNet.class, rebuilt);
        assertEquals(a, rebuilt.architecture());
        assertArrayEquals(mlp.parameters().flatValues().toDoubleArray(),
                rebuilt.parameters().flatValues().toDoubleArray());

        MultiLayerNetExtend ext = new MultiLayerNetExtend(20, List.of(7, 5), 3,
                MultiLayerNetExtend.Options.defaults().withBatchnorm(true).withDropout(0.25)
                        .withDropoutMode(Dropout.Mode.INVERTED).withWeightDecay(0.01), DType.FLOAT32, new Rng(5));
        Architecture b = ext.architecture();
        assertEquals("mlp-extend", b.name());
        assertEquals(true, b.booleanValue("use_batchnorm"));
        assertEquals("inverted", b.stringValue("dropout_mode"));
        MultiLayerNetExtend rebuiltExt = (MultiLayerNetExtend) Architectures.build(b, DType.FLOAT32, new Rng(5));
        assertEquals(b, rebuiltExt.architecture());
        assertEquals(ext.parameters().names(), rebuiltExt.parameters().names());
        assertEquals(Dropout.Mode.INVERTED, rebuiltExt.dropoutLayers().get(1).mode());
        assertTrue(Architectures.names().containsAll(List.of("two-layer", "mlp", "mlp-extend")));
    }

    @Test
    void trainingAndInferenceModes() {
        MultiLayerNetExtend net = new MultiLayerNetExtend(12, List.of(16, 16), 4,
                MultiLayerNetExtend.Options.defaults().withBatchnorm(true).withDropout(0.5), DType.FLOAT32,
                new Rng(6));
        Tensor x = input(8, 12, 7);
        Labels t = Labels.of(0, 1, 2, 3, 0, 1, 2, 3);
        double inference = net.loss(x, t);
        assertEquals(inference, net.loss(x, t), 0, "inference mode is deterministic");
        assertEquals(inference, net.loss(x, t, false), 0);
        double train1 = net.loss(x, t, true);
        double train2 = net.loss(x, t, true);
        assertNotEquals(train1, train2, "each training-mode forward draws new dropout masks");
        // Predicting row by row equals predicting the batch: inference does not depend on the batch (up to float32
        // rounding, since a matrix product may sum in another order for another number of rows).
        Tensor all = net.predict(x);
        for (int i = 0; i < 8; i++) {
            Tensor one = net.predict(x.rows(i, i + 1));
            for (int j = 0; j < 4; j++) {
                double expected = all.getDouble(i * 4 + j);
                assertEquals(expected, one.getDouble(j), 1e-5 * Math.max(1, Math.abs(expected)));
            }
        }
        double acc = net.accuracy(x, t);
        assertTrue(acc >= 0 && acc <= 1);
    }

    @Test
    void dropoutNetworksRepeatWithTheSameSeed() {
        MultiLayerNetExtend.Options o = MultiLayerNetExtend.Options.defaults().withDropout(0.3);
        Tensor x = input(5, 10, 8).to(DType.FLOAT64);
        Labels t = Labels.of(0, 1, 2, 0, 1);
        MultiLayerNetExtend a = new MultiLayerNetExtend(10, List.of(9), 3, o, DType.FLOAT64, new Rng(9));
        MultiLayerNetExtend b = new MultiLayerNetExtend(10, List.of(9), 3, o, DType.FLOAT64, new Rng(9));
        for (int i = 0; i < 3; i++) {
            assertEquals(a.gradient(x, t), b.gradient(x, t));
            assertArrayEquals(a.parameters().flatGrads().toDoubleArray(), b.parameters().flatGrads().toDoubleArray());
        }
    }

    @Test
    void badSettingsAreRejectedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MultiLayerNet(784, List.of(), 10));
        assertTrue(e.getMessage().contains("hiddenSizes") && e.getMessage().contains("at least one"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MultiLayerNet(784, List.of(100, 0), 10));
        assertTrue(e.getMessage().contains("hidden size"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MultiLayerNetExtend(0, List.of(10), 10));
        assertTrue(e.getMessage().contains("inputSize"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MultiLayerNet.Options.defaults().withWeightDecay(-0.1));
        assertTrue(e.getMessage().contains("weight decay"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MultiLayerNetExtend.Options.defaults().withDropout(1.0));
        assertTrue(e.getMessage().contains("dropout ratio must be in [0, 1)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MultiLayerNetExtend.Options.defaults().withDropout(-0.1));
        e = assertThrows(IllegalArgumentException.class, () -> Activation.parse("tanh"));
        assertTrue(e.getMessage().contains("relu or sigmoid"), e.getMessage());
        MultiLayerNet net = new MultiLayerNet(784, List.of(10), 10);
        e = assertThrows(IllegalArgumentException.class,
                () -> net.gradient(Tensor.zeros(DType.FLOAT32, 2, 783), Labels.of(0, 1)));
        assertTrue(e.getMessage().contains("Affine1"), e.getMessage());
    }

    static Map<String, int[]> shapes(Network net) {
        Map<String, int[]> shapes = new java.util.LinkedHashMap<>();
        for (dev.layerwise.layer.Parameter p : net.parameters()) {
            shapes.put(p.name(), p.value().shape());
        }
        return shapes;
    }

    @Test
    void parameterSpecsAndArchitecturesInferredFromShapes() {
        MultiLayerNet mlp = new MultiLayerNet(30, List.of(20, 10), 5,
                MultiLayerNet.Options.defaults().withActivation(Activation.SIGMOID), DType.FLOAT32, new Rng(1));
        List<Parameters.Spec> specs = MultiLayerNet.parameterSpecs(mlp.architecture());
        assertEquals(mlp.parameters().names(), specs.stream().map(Parameters.Spec::name).toList());
        for (Parameters.Spec s : specs) {
            assertArrayEquals(mlp.parameters().get(s.name()).value().shape(), s.shape(), s.name());
        }
        Architecture inferred = MultiLayerNet.inferArchitecture(shapes(mlp), Map.of("activation", "sigmoid"));
        assertEquals(mlp.architecture(), inferred);

        MultiLayerNetExtend ext = new MultiLayerNetExtend(30, List.of(20, 10), 5,
                MultiLayerNetExtend.Options.defaults().withBatchnorm(true).withDropout(0.3), DType.FLOAT64,
                new Rng(2));
        List<Parameters.Spec> extSpecs = MultiLayerNetExtend.parameterSpecs(ext.architecture());
        assertEquals(ext.parameters().names(), extSpecs.stream().map(Parameters.Spec::name).toList());
        assertEquals(ext.architecture(), MultiLayerNetExtend.inferArchitecture(shapes(ext),
                Map.of("dropout_ratio", "0.3")));
        MultiLayerNetExtend noBn = new MultiLayerNetExtend(30, List.of(20), 5);
        assertEquals(noBn.architecture(), MultiLayerNetExtend.inferArchitecture(shapes(noBn), Map.of()));

        Map<String, int[]> broken = shapes(mlp);
        broken.put("W2", new int[] {21, 10});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MultiLayerNet.inferArchitecture(broken, Map.of()));
        assertTrue(e.getMessage().contains("W2") && e.getMessage().contains("20 outputs of W1"), e.getMessage());
        Map<String, int[]> noGamma = shapes(ext);
        noGamma.remove("gamma2");
        e = assertThrows(IllegalArgumentException.class,
                () -> MultiLayerNetExtend.inferArchitecture(noGamma, Map.of()));
        assertTrue(e.getMessage().contains("gamma2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MultiLayerNet.inferArchitecture(shapes(mlp), Map.of("dropout_ratio", 0.5)));
        assertTrue(e.getMessage().contains("no option 'dropout_ratio'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MultiLayerNet.inferArchitecture(Map.of("W1", new int[] {3, 2}, "b1", new int[] {2}),
                        Map.of()));
        assertTrue(e.getMessage().contains("at least one hidden layer"), e.getMessage());
    }
}
