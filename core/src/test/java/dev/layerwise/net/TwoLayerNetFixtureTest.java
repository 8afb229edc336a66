package dev.layerwise.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.layerwise.layer.Parameter;
import dev.layerwise.optim.SGD;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.testing.Fixtures;
import dev.layerwise.util.Rng;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The book's 784-50-10 network: loss, backprop gradients and 50 SGD steps against ch05/two_layer_net.py. */
class TwoLayerNetFixtureTest {

    static TwoLayerNet netWith(Fixtures f, String prefix, DType dtype) {
        TwoLayerNet net = new TwoLayerNet(784, 50, 10, 0.01, dtype, new Rng(1));
        Map<String, Tensor> values = new LinkedHashMap<>();
        for (String name : List.of("W1", "b1", "W2", "b2")) {
            values.put(name, f.tensor(prefix + name, dtype));
        }
        net.parameters().setValues(values);
        return net;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void lossAndBackpropGradientsMatchBook(DType dtype) {
        Fixtures f = Fixtures.load("two_layer_net");
        TwoLayerNet net = netWith(f, "", dtype);
        Tensor x = f.tensor("x", dtype);
        Labels t = f.labels("t");
        f.assertMatches("loss", net.loss(x, t), dtype);
        double loss = net.gradient(x, t);
        f.assertMatches("loss", loss, dtype);
        for (Parameter p : net.parameters()) {
            f.assertMatches("d" + p.name(), p.grad());
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void oneHotLabelsGiveTheSameGradients(DType dtype) {
        Fixtures f = Fixtures.load("two_layer_net");
        TwoLayerNet net = netWith(f, "", dtype);
        Tensor x = f.tensor("x", dtype);
        net.gradient(x, Labels.oneHot(Labels.toOneHot(f.ints("t"), 10, dtype)));
        for (Parameter p : net.parameters()) {
            f.assertMatches("d" + p.name(), p.grad());
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void fiftySgdStepsFollowTheBooksTrajectory(DType dtype) {
        Fixtures f = Fixtures.load("sgd_trajectory");
        TwoLayerNet net = netWith(f, "init_", dtype);
        Tensor images = f.tensor("images_uint8", DType.FLOAT64);
        int[] labels = f.ints("labels");
        int[] batches = f.ints("batch_indices");
        double lr = f.scalar("lr");
        assertEquals(0.1, lr);
        SGD sgd = new SGD(lr);
        double[] losses = f.array("losses_after_step").toDoubleArray();
        Tensor x = Tensor.zeros(dtype, 100, 784);
        int[] t = new int[100];
        double worst = 0;
        for (int step = 0; step < 50; step++) {
            for (int i = 0; i < 100; i++) {
                int row = batches[step * 100 + i];
                // The book's load_mnist normalises in float32 (astype(float32) / 255), then the float64 parameters
                // promote the products; doing the same makes the float64 trajectory agree to ~1e-15.
                for (int p = 0; p < 784; p++) {
                    x.setDouble(i * 784 + p, (float) images.getDouble(row * 784 + p) / 255f);
                }
                t[i] = labels[row];
            }
            net.gradient(x, Labels.of(t));
            sgd.update(net.parameters());
            double loss = net.loss(x, Labels.of(t));
            worst = Math.max(worst, Math.abs(loss - losses[step]) / losses[step]);
            Fixtures.assertClose(losses[step], loss, Fixtures.rtol(dtype), "loss after step " + step);
        }
        System.out.printf("%s: worst relative loss difference over 50 steps %.2e%n", dtype, worst);
        for (String name : List.of("W1", "b1", "W2", "b2")) {
            Tensor expected = f.tensor("final_" + name, DType.FLOAT64);
            Fixtures.assertClose(expected, net.parameters().get(name).value(),
                    Fixtures.rtol(dtype), "final " + name);
        }
    }
}
