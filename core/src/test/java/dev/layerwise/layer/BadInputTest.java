package dev.layerwise.layer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import org.junit.jupiter.api.Test;

/** Wrong shapes and labels get an error that names the layer and both shapes, never an index error from deep down. */
class BadInputTest {

    private static void assertMessageContains(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }

    private static Affine affine(int in, int out) {
        return new Affine(Parameter.of("W", Tensor.zeros(DType.FLOAT32, in, out)),
                Parameter.of("b", Tensor.zeros(DType.FLOAT32, out)));
    }

    @Test
    void affineRejectsInputOfTheWrongWidthOrDtype() {
        Affine a = affine(784, 50);
        assertMessageContains(assertThrows(IllegalArgumentException.class,
                () -> a.forward(Tensor.zeros(DType.FLOAT32, 100, 785))), "Affine", "(100, 785)", "(784, 50)");
        assertMessageContains(assertThrows(IllegalArgumentException.class,
                () -> a.forward(Tensor.zeros(DType.FLOAT64, 100, 784))), "float64", "float32");
        assertMessageContains(assertThrows(IllegalArgumentException.class,
                () -> a.forward(Tensor.zeros(DType.FLOAT32, 784))), "(784,)");
        a.forward(Tensor.zeros(DType.FLOAT32, 100, 784));
        assertMessageContains(assertThrows(IllegalArgumentException.class,
                () -> a.backward(Tensor.zeros(DType.FLOAT32, 100, 49))), "(100, 49)", "(100, 50)");
        assertMessageContains(assertThrows(IllegalArgumentException.class,
                () -> new Affine(Parameter.of("W", Tensor.zeros(DType.FLOAT32, 3, 4)),
                        Parameter.of("b", Tensor.zeros(DType.FLOAT32, 5)))), "(3, 4)", "(5,)");
    }

    @Test
    void reluAndSigmoidRejectAGradientOfAnotherShape() {
        Relu relu = new Relu();
        relu.forward(Tensor.zeros(DType.FLOAT32, 2, 3));
        assertMessageContains(assertThrows(RuntimeException.class,
                () -> relu.backward(Tensor.zeros(DType.FLOAT32, 3, 3))), "Relu", "(3, 3)", "(2, 3)");
        Sigmoid sigmoid = new Sigmoid();
        sigmoid.forward(Tensor.zeros(DType.FLOAT32, 2, 3));
        assertMessageContains(assertThrows(IllegalArgumentException.class,
                () -> sigmoid.backward(Tensor.zeros(DType.FLOAT32, 2, 4))), "Sigmoid", "(2, 4)", "(2, 3)");
    }

    @Test
    void softmaxWithLossRejectsBadLabels() {
        SoftmaxWithLoss last = new SoftmaxWithLoss();
        Tensor x = Tensor.zeros(DType.FLOAT64, 3, 10);
        assertMessageContains(assertThrows(IllegalArgumentException.class,
                () -> last.forward(x, Labels.of(1, 10, 2))), "SoftmaxWithLoss", "label 10 at row 1", "10 classes");
        assertMessageContains(assertThrows(IllegalArgumentException.class,
                () -> last.forward(x, Labels.of(1, 2))), "2 labels for 3 rows");
        assertMessageContains(assertThrows(IllegalArgumentException.class,
                () -> last.forward(x, Labels.oneHot(Tensor.zeros(DType.FLOAT64, 3, 9)))), "(3, 9)");
        assertMessageContains(assertThrows(IllegalArgumentException.class,
                () -> last.forward(Tensor.zeros(DType.FLOAT64, 30), Labels.of(1))), "(30,)");
    }

    @Test
    void networkNamesTheLayerThatFailed() {
        TwoLayerNet net = new TwoLayerNet(784, 50, 10, 0.01, DType.FLOAT32, new Rng(0));
        assertMessageContains(assertThrows(IllegalArgumentException.class,
                () -> net.gradient(Tensor.zeros(DType.FLOAT32, 5, 100), Labels.of(0, 1, 2, 3, 4))),
                "Affine1", "(5, 100)", "(784, 50)");
        assertMessageContains(assertThrows(IllegalArgumentException.class,
                () -> net.gradient(Tensor.zeros(DType.FLOAT32, 2, 784), Labels.of(0, 11))), "label 11");
        assertMessageContains(assertThrows(IllegalArgumentException.class,
                () -> net.gradient(Tensor.zeros(DType.FLOAT64, 2, 784), Labels.of(0, 1))), "float64", "float32");
        assertMessageContains(assertThrows(IllegalArgumentException.class,
                () -> new TwoLayerNet(784, 0, 10)), "hiddenSize");
    }
}
