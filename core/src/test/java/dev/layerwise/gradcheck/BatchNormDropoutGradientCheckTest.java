package dev.layerwise.gradcheck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.layer.BatchNormalization;
import dev.layerwise.layer.Dropout;
import dev.layerwise.layer.Layer;
import dev.layerwise.layer.Parameter;
import dev.layerwise.net.Activation;
import dev.layerwise.net.MultiLayerNet;
import dev.layerwise.net.MultiLayerNetExtend;
import dev.layerwise.net.Sequential;
import dev.layerwise.net.WeightInit;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Backpropagation against central differences for batch normalisation, dropout and the multi-layer networks, in
 * float64: batch norm on 2-D and 4-D input, dropout with a fixed mask in both modes, and the multi-layer nets with and
 * without batch norm, dropout and weight decay.
 */
class BatchNormDropoutGradientCheckTest {

    static Tensor gaussian(Rng rng, double scale, int... shape) {
        Tensor t = Tensor.zeros(DType.FLOAT64, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setDouble(i, scale * rng.nextGaussian());
        }
        return t;
    }

    /** Σ out·dout for a fixed dout: a scalar whose gradient with respect to the input is backward(dout). */
    static double probe(Layer layer, Tensor x, Tensor dout) {
        Tensor out = layer.forward(x, true);
        double s = 0;
        for (int i = 0; i < out.size(); i++) {
            s += out.getDouble(i) * dout.getDouble(i);
        }
        return s;
    }

    /** Checks dx and every parameter gradient of {@code layer} at {@code x}. */
    static void checkLayer(Layer layer, Tensor x, Rng rng) {
        Tensor dout = gaussian(rng, 1.0, x.shape());
        Tensor numericalDx = NumericalGradient.of(() -> probe(layer, x, dout), x);
        Map<Parameter, Tensor> numericalParams = new java.util.LinkedHashMap<>();
        for (Parameter p : layer.parameters()) {
            numericalParams.put(p, NumericalGradient.of(() -> probe(layer, x, dout), p.value()));
        }
        layer.forward(x, true);
        Tensor dx = layer.backward(dout);
        assertArrayEquals(x.shape(), dx.shape());
        GradientCheck.Entry e = GradientCheck.compare("dx", dx, numericalDx);
        assertTrue(e.maxRelError() < 1e-6 && e.maxAbsDiff() < 1e-8, layer + " " + e);
        for (Map.Entry<Parameter, Tensor> n : numericalParams.entrySet()) {
            GradientCheck.Entry pe = GradientCheck.compare(n.getKey().name(), n.getKey().grad(), n.getValue());
            assertTrue(pe.maxRelError() < 1e-6 && pe.maxAbsDiff() < 1e-8, layer + " " + pe);
        }
    }

    @Test
    void batchNormOnTwoDimensionalInput() {
        Rng rng = new Rng(1);
        BatchNormalization bn = new BatchNormalization(Parameter.of("gamma", gaussian(rng, 1.0, 4)),
                Parameter.of("beta", gaussian(rng, 1.0, 4)));
        checkLayer(bn, gaussian(rng, 2.0, 6, 4), rng);
    }

    @Test
    void batchNormOnFourDimensionalInput() {
        Rng rng = new Rng(2);
        BatchNormalization bn = new BatchNormalization(Parameter.of("gamma", gaussian(rng, 1.0, 12)),
                Parameter.of("beta", gaussian(rng, 1.0, 12)));
        checkLayer(bn, gaussian(rng, 1.5, 4, 3, 2, 2), rng);
    }

    @ParameterizedTest
    @EnumSource(Dropout.Mode.class)
    void dropoutWithAFixedMask(Dropout.Mode mode) {
        Rng rng = new Rng(3);
        Dropout dropout = new Dropout(0.4, mode, new Rng(9));
        Tensor x = gaussian(rng, 1.0, 5, 7);
        boolean[] mask = new boolean[x.size()];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = rng.nextDouble() > 0.4;
        }
        dropout.setMask(mask);
        checkLayer(dropout, x, rng);
    }

    static Stream<Arguments> networks() {
        MultiLayerNetExtend.Options ext = MultiLayerNetExtend.Options.defaults();
        return Stream.of(
                Arguments.of("mlp relu", (NetFactory) rng -> new MultiLayerNet(10, List.of(8, 6), 4,
                        MultiLayerNet.Options.defaults(), DType.FLOAT64, rng)),
                Arguments.of("mlp sigmoid xavier, weight decay", (NetFactory) rng -> new MultiLayerNet(10,
                        List.of(8, 6), 4, MultiLayerNet.Options.defaults().withActivation(Activation.SIGMOID)
                        .withWeightInit(WeightInit.xavier()).withWeightDecay(0.1), DType.FLOAT64, rng)),
                Arguments.of("extend plain", (NetFactory) rng -> new MultiLayerNetExtend(10, List.of(8, 6), 4,
                        ext, DType.FLOAT64, rng)),
                Arguments.of("extend batch norm", (NetFactory) rng -> new MultiLayerNetExtend(10, List.of(8, 6), 4,
                        ext.withBatchnorm(true), DType.FLOAT64, rng)),
                Arguments.of("extend dropout", (NetFactory) rng -> new MultiLayerNetExtend(10, List.of(8, 6), 4,
                        ext.withDropout(0.3), DType.FLOAT64, rng)),
                Arguments.of("extend inverted dropout", (NetFactory) rng -> new MultiLayerNetExtend(10,
                        List.of(8, 6), 4, ext.withDropout(0.3).withDropoutMode(Dropout.Mode.INVERTED), DType.FLOAT64,
                        rng)),
                Arguments.of("extend batch norm, dropout, weight decay", (NetFactory) rng -> new MultiLayerNetExtend(
                        10, List.of(8, 6, 5), 4, ext.withBatchnorm(true).withDropout(0.2).withWeightDecay(0.05),
                        DType.FLOAT64, rng)),
                Arguments.of("extend sigmoid, batch norm", (NetFactory) rng -> new MultiLayerNetExtend(10,
                        List.of(8, 6), 4, ext.withActivation(Activation.SIGMOID).withWeightInit(WeightInit.xavier())
                        .withBatchnorm(true), DType.FLOAT64, rng)));
    }

    interface NetFactory {
        Sequential create(Rng rng);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void networkBackpropAgreesWithNumericalGradient(String name, NetFactory factory) {
        Rng rng = new Rng(name.hashCode());
        Sequential net = factory.create(rng);
        // Non-zero biases: with zero biases a row that ReLU and dropout zero out entirely puts the next layer's
        // inputs exactly on the ReLU kink, where central differences are meaningless.
        for (Parameter p : net.parameters()) {
            if (p.name().startsWith("b")) {
                for (int i = 0; i < p.value().size(); i++) {
                    p.value().setDouble(i, 0.2 * rng.nextGaussian());
                }
            }
        }
        int n = 6;
        Tensor x = gaussian(rng, 0.5, n, 10);
        Labels t = Labels.of(0, 3, 1, 2, 3, 0);
        if (net instanceof MultiLayerNetExtend) {
            for (Dropout d : ((MultiLayerNetExtend) net).dropoutLayers()) {
                boolean[] mask = new boolean[n * hiddenWidth((MultiLayerNetExtend) net, d)];
                for (int i = 0; i < mask.length; i++) {
                    mask[i] = rng.nextDouble() > d.ratio();
                }
                d.setMask(mask);
            }
        }
        double[] before = net.parameters().flatValues().toDoubleArray();
        Map<String, Tensor> buffersBefore = copies(net.buffers());
        GradientCheck.Report report = GradientCheck.check(net, x, t);
        assertArrayEquals(before, net.parameters().flatValues().toDoubleArray(), "parameters restored");
        assertEquals(net.parameters().names(), report.entries().stream().map(GradientCheck.Entry::name).toList());
        // The loss is −log(y + 1e-7) but backprop differentiates −log(y): the two differ by about 1e-7 / y relative,
        // so differences of 1e-8 to 1e-6 are the book's semantics (its gradient_check.py shows the same). A wrong
        // gradient differs at the size of the gradient itself; require agreement to 1e-4 of each gradient's scale.
        assertTrue(report.maxMeanAbsDiff() < 1e-5, name + "\n" + report);
        for (Parameter p : net.parameters()) {
            Tensor numerical = NumericalGradient.of(() -> net.loss(x, t, true), p.value());
            double scale = 0;
            for (int i = 0; i < numerical.size(); i++) {
                scale = Math.max(scale, Math.abs(numerical.getDouble(i)));
            }
            GradientCheck.Entry e = GradientCheck.compare(p.name(), p.grad(), numerical);
            assertTrue(e.maxAbsDiff() <= 1e-4 * scale + 1e-10, name + ": " + e + " against a gradient scale of "
                    + scale);
        }
        // The numerical gradient restores the running statistics; the one backprop step then moves them as training
        // does.
        for (String b : buffersBefore.keySet()) {
            assertTrue(!java.util.Arrays.equals(buffersBefore.get(b).toDoubleArray(),
                    net.buffers().get(b).toDoubleArray()), b + " moved by the training-mode forward");
        }
    }

    private static int hiddenWidth(MultiLayerNetExtend net, Dropout d) {
        int idx = net.dropoutLayers().indexOf(d);
        return net.hiddenSizes().get(idx);
    }

    private static Map<String, Tensor> copies(Map<String, Tensor> buffers) {
        Map<String, Tensor> m = new java.util.LinkedHashMap<>();
        buffers.forEach((k, v) -> m.put(k, v.copy()));
        return m;
    }

    @Test
    void theNumericalGradientLeavesRunningStatisticsAsTheyWere() {
        MultiLayerNetExtend net = new MultiLayerNetExtend(6, List.of(5), 3,
                MultiLayerNetExtend.Options.defaults().withBatchnorm(true), DType.FLOAT64, new Rng(4));
        Rng rng = new Rng(5);
        Tensor x = gaussian(rng, 1.0, 4, 6);
        net.gradient(x, Labels.of(0, 1, 2, 0));
        double[] mean = net.buffers().get("running_mean1").toDoubleArray();
        double[] var = net.buffers().get("running_var1").toDoubleArray();
        net.numericalGradient(x, Labels.of(0, 1, 2, 0));
        assertArrayEquals(mean, net.buffers().get("running_mean1").toDoubleArray());
        assertArrayEquals(var, net.buffers().get("running_var1").toDoubleArray());
    }
}
