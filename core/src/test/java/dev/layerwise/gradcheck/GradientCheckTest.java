package dev.layerwise.gradcheck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.layer.Parameter;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.testing.Fixtures;
import dev.layerwise.util.Rng;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GradientCheckTest {

    @Test
    void backpropAgreesWithNumericalGradientInFloat64() {
        Rng rng = new Rng(3);
        // Moderate weights: with confident wrong predictions (y_t near 1e-6) the δ = 1e-7 inside the loss's log makes
        // the numerical gradient differ from the book's backprop (y − t)/N, which is the gradient without δ.
        TwoLayerNet net = new TwoLayerNet(20, 8, 5, 0.1, DType.FLOAT64, rng);
        Tensor x = Tensor.zeros(DType.FLOAT64, 4, 20);
        for (int i = 0; i < x.size(); i++) {
            x.setDouble(i, rng.nextGaussian());
        }
        Labels t = Labels.of(0, 3, 4, 1);
        double[] before = net.parameters().flatValues().toDoubleArray();
        GradientCheck.Report report = GradientCheck.check(net, x, t);
        assertArrayEquals(before, net.parameters().flatValues().toDoubleArray(), "parameters restored");
        assertEquals(List.of("W1", "b1", "W2", "b2"), report.entries().stream().map(GradientCheck.Entry::name).toList());
        assertTrue(report.maxMeanAbsDiff() < 1e-7, report.toString());
        assertTrue(report.maxRelError() < 1e-4, report.toString());
    }

    @Test
    void numericalGradientOfTheBooksNetMatchesTheFixtureGradients() {
        Fixtures f = Fixtures.load("two_layer_net");
        TwoLayerNet net = new TwoLayerNet(784, 50, 10, 0.01, DType.FLOAT64, new Rng(0));
        net.parameters().setValues(Map.of("W1", f.tensor("W1", DType.FLOAT64), "b1", f.tensor("b1", DType.FLOAT64),
                "W2", f.tensor("W2", DType.FLOAT64), "b2", f.tensor("b2", DType.FLOAT64)));
        Tensor x = f.tensor("x", DType.FLOAT64).rows(0, 3);
        Labels t = Labels.of(java.util.Arrays.copyOf(f.ints("t"), 3));
        Map<String, Tensor> numerical = net.numericalGradient(x, t);
        net.gradient(x, t);
        for (Parameter p : net.parameters()) {
            GradientCheck.Entry e = GradientCheck.compare(p.name(), p.grad(), numerical.get(p.name()));
            // The book's gradient_check.py reports 1e-10 to 1e-7 for these mean differences.
            assertTrue(e.meanAbsDiff() < 1e-6, e.toString());
        }
    }

    @Test
    void aWrongGradientIsCaught() {
        Tensor a = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3}, 3);
        Tensor b = Tensor.of(DType.FLOAT64, new double[] {1, 2.5, 3}, 3);
        GradientCheck.Entry e = GradientCheck.compare("W", a, b);
        assertEquals(0.5 / 3, e.meanAbsDiff(), 1e-15);
        assertEquals(0.5, e.maxAbsDiff());
        assertEquals(0.2, e.maxRelError(), 1e-15);
    }

    @Test
    void numericalGradientOfASquareIsTwoX() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {3, -4, 0.5}, 3);
        Tensor g = NumericalGradient.of(() -> {
            double s = 0;
            for (int i = 0; i < 3; i++) {
                s += x.getDouble(i) * x.getDouble(i);
            }
            return s;
        }, x);
        assertArrayEquals(new double[] {6, -8, 1}, g.toDoubleArray(), 1e-9);
        assertArrayEquals(new double[] {3, -4, 0.5}, x.toDoubleArray(), 0);
    }
}
