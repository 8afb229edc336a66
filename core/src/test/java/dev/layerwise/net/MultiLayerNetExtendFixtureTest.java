package dev.layerwise.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.layer.Parameter;
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

/**
 * The book's {@code MultiLayerNetExtend} 784-20-20-10 with ReLU, batch norm and weight decay λ 0.1 on 8 MNIST images,
 * in training mode: the loss (with 0.5·λ·ΣW²) and every gradient (with λ·W).
 */
class MultiLayerNetExtendFixtureTest {

    static MultiLayerNetExtend netFrom(Fixtures f, DType dtype) {
        double lambda = f.scalar("weight_decay_lambda");
        assertEquals(0.1, lambda);
        MultiLayerNetExtend net = new MultiLayerNetExtend(784, List.of(20, 20), 10,
                MultiLayerNetExtend.Options.defaults().withBatchnorm(true).withWeightDecay(lambda), dtype,
                new Rng(5));
        Map<String, Tensor> values = new LinkedHashMap<>();
        for (String name : net.parameters().names()) {
            values.put(name, f.tensor(name, dtype));
        }
        net.parameters().setValues(values);
        return net;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void lossAndEveryGradientMatchBook(DType dtype) {
        Fixtures f = Fixtures.load("multi_layer_net_extend_bn_wd");
        MultiLayerNetExtend net = netFrom(f, dtype);
        assertEquals(List.of("W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"),
                net.parameters().names(), "the book's names, in layer order");
        Tensor x = f.tensor("x", dtype);
        Labels t = f.labels("t");
        f.assertMatches("loss_train", net.loss(x, t, true), dtype);
        double loss = net.gradient(x, t);
        f.assertMatches("loss_train", loss, dtype);
        for (Parameter p : net.parameters()) {
            if (p.name().equals("b1") || p.name().equals("b2")) {
                // A bias followed by batch norm has no effect on the output (the batch mean is subtracted), so its
                // gradient is exactly zero; the book's values are rounding noise of about 1e-17. Check that ours is
                // zero to the rounding of the gradients around it.
                double scale = maxAbs(f.tensor("dW1", DType.FLOAT64));
                double atol = (dtype == DType.FLOAT64 ? 1e-14 : 1e-6) * scale;
                for (int i = 0; i < p.grad().size(); i++) {
                    assertTrue(Math.abs(p.grad().getDouble(i)) <= atol, "d" + p.name() + "[" + i + "] = "
                            + p.grad().getDouble(i) + " should be 0 within " + atol);
                    assertTrue(Math.abs(f.tensor("d" + p.name(), DType.FLOAT64).getDouble(i)) <= 1e-14 * scale,
                            "the book's d" + p.name() + " is rounding noise too");
                }
                continue;
            }
            f.assertMatches("d" + p.name(), p.grad());
        }
    }

    static double maxAbs(Tensor t) {
        double m = 0;
        for (int i = 0; i < t.size(); i++) {
            m = Math.max(m, Math.abs(t.getDouble(i)));
        }
        return m;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void weightDecayIsHalfLambdaTimesTheSumOfSquaredWeights(DType dtype) {
        Fixtures f = Fixtures.load("multi_layer_net_extend_bn_wd");
        MultiLayerNetExtend net = netFrom(f, dtype);
        MultiLayerNetExtend plain = new MultiLayerNetExtend(784, List.of(20, 20), 10,
                MultiLayerNetExtend.Options.defaults().withBatchnorm(true), dtype, new Rng(5));
        plain.parameters().setValues(net.parameters().values());
        Tensor x = f.tensor("x", dtype);
        Labels t = f.labels("t");
        double sumSquares = 0;
        for (String w : List.of("W1", "W2", "W3")) {
            Tensor W = f.tensor(w, DType.FLOAT64);
            for (int i = 0; i < W.size(); i++) {
                sumSquares += W.getDouble(i) * W.getDouble(i);
            }
        }
        double expected = plain.loss(x, t, true) + 0.5 * 0.1 * sumSquares;
        Fixtures.assertClose(expected, net.loss(x, t, true), Fixtures.rtol(dtype), "loss with decay");
        plain.gradient(x, t);
        net.gradient(x, t);
        for (String b : List.of("b1", "gamma1", "beta1", "b3")) {
            Fixtures.assertClose(plain.parameters().get(b).grad(), net.parameters().get(b).grad(), 0, "d" + b
                    + " has no decay term");
        }
    }
}
