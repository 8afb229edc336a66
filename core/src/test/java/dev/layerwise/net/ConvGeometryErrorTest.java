package dev.layerwise.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.layer.Convolution;
import dev.layerwise.layer.Parameter;
import dev.layerwise.layer.Pooling;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad geometry fails when a network is built, naming the layer and the shapes; bad inputs fail at forward time with a
 * message naming the layer and the shapes; sizes that do not divide evenly round down, as in the book.
 */
class ConvGeometryErrorTest {

    private static void assertFails(Executable build, String... parts) {
        String message = assertThrows(IllegalArgumentException.class, build).getMessage();
        for (String p : parts) {
            assertTrue(message.contains(p), "message '" + message + "' lacks '" + p + "'");
        }
    }

    private static SimpleConvNet simple(int[] inputDim, ConvParam conv) {
        return new SimpleConvNet(inputDim, conv, 10, 10, 0.01, DType.FLOAT32, new Rng(0));
    }

    @Test
    void simpleConvNetRejectsBadGeometryWhenBuilt() {
        assertFails(() -> simple(new int[] {1, 3, 3}, ConvParam.of(30, 5, 0, 1)),
                "SimpleConvNet", "Conv1", "W1 (30, 1, 5, 5)", "5×5", "(1, 3, 3)");
        assertFails(() -> simple(new int[] {1, 28, 28}, ConvParam.of(30, 5, 0, 0)), "Conv1", "stride");
        assertFails(() -> simple(new int[] {1, 28, 28}, ConvParam.of(30, 5, 0, -2)), "Conv1", "stride");
        assertFails(() -> simple(new int[] {1, 28, 28}, ConvParam.of(30, 5, -1, 1)), "Conv1", "pad");
        assertFails(() -> simple(new int[] {1, 28, 28}, ConvParam.of(0, 5, 0, 1)), "Conv1", "filter_num");
        assertFails(() -> simple(new int[] {1, 28, 28}, ConvParam.of(30, 0, 0, 1)), "Conv1", "0×0");
        // The convolution fits (1×1 output), the 2×2 pooling after it does not.
        assertFails(() -> simple(new int[] {1, 5, 5}, ConvParam.of(30, 5, 0, 1)), "Pool1", "(30, 1, 1)", "2×2");
        assertFails(() -> simple(new int[] {1, 28}, ConvParam.of(30, 5, 0, 1)), "input_dim", "(1, 28)");
        assertFails(() -> new SimpleConvNet(new int[] {1, 28, 28}, ConvParam.of(30, 5, 0, 1), 0, 10, 0.01,
                DType.FLOAT32, new Rng(0)), "hidden_size");
    }

    @Test
    void deepConvNetRejectsBadGeometryWhenBuilt() {
        // 3×3 input: 3 → 3 → pool 1 → 1 → 3 (pad 2) → pool 1 → 1 → 1, and Pool3 cannot take a 1×1 map.
        assertFails(() -> new DeepConvNet(new int[] {1, 3, 3}, DeepConvNet.DEFAULT_CONV_PARAMS, 50, 10, DType.FLOAT32,
                new Rng(0)), "DeepConvNet", "Pool3", "(64, 1, 1)");
        List<ConvParam> zeroStride = new ArrayList<>(DeepConvNet.DEFAULT_CONV_PARAMS);
        zeroStride.set(4, ConvParam.of(64, 3, 1, 0));
        assertFails(() -> new DeepConvNet(new int[] {1, 28, 28}, zeroStride, 50, 10, DType.FLOAT32, new Rng(0)),
                "Conv5", "W5 (64, 32, 3, 3)", "stride");
        List<ConvParam> tooBig = new ArrayList<>(DeepConvNet.DEFAULT_CONV_PARAMS);
        tooBig.set(5, ConvParam.of(64, 9, 0, 1));
        assertFails(() -> new DeepConvNet(new int[] {1, 28, 28}, tooBig, 50, 10, DType.FLOAT32, new Rng(0)),
                "Conv6", "9×9", "(64, 8, 8)");
        assertFails(() -> new DeepConvNet(new int[] {1, 28, 28}, DeepConvNet.DEFAULT_CONV_PARAMS.subList(0, 5), 50, 10,
                DType.FLOAT32, new Rng(0)), "six");
    }

    @Test
    void layersRejectBadParametersWhenBuilt() {
        Parameter W = Parameter.of("W", Tensor.zeros(DType.FLOAT32, 4, 3, 3, 3));
        Parameter b = Parameter.of("b", Tensor.zeros(DType.FLOAT32, 4));
        assertFails(() -> new Convolution(W, b, 0, 0), "Convolution(W (4, 3, 3, 3), stride 0, pad 0)", "stride");
        assertFails(() -> new Convolution(W, b, 1, -1), "pad -1");
        assertFails(() -> new Convolution(Parameter.of("W", Tensor.zeros(DType.FLOAT32, 4, 9)), b), "(4, 9)");
        assertFails(() -> new Convolution(W, Parameter.of("b", Tensor.zeros(DType.FLOAT32, 3))), "(3,)");
        assertFails(() -> new Pooling(2, 2, 0), "Pooling(2×2, stride 0, pad 0)");
        assertFails(() -> new Pooling(0, 2, 1), "Pooling(0×2");
        Convolution conv = new Convolution(W, b, 1, 1);
        assertFails(() -> conv.outputShape(2, 6, 6), "Convolution(W (4, 3, 3, 3)", "(2, 6, 6)", "2 channels");
        assertFails(() -> new Pooling(3, 3, 1).outputShape(2, 2, 2), "Pooling(3×3", "(2, 2, 2)");
        assertArrayEquals(new int[] {4, 6, 6}, conv.outputShape(3, 6, 6));
    }

    @Test
    void wrongInputsFailAtForwardNamingTheLayerAndShapes() {
        SimpleConvNet net = simple(new int[] {1, 28, 28}, ConvParam.of(30, 5, 0, 1));
        Labels t = Labels.of(0, 1);
        assertFails(() -> net.gradient(Tensor.zeros(DType.FLOAT32, 2, 3, 28, 28), t),
                "Conv1", "(3, 28, 28)", "3 channels", "W has 1");
        assertFails(() -> net.gradient(Tensor.zeros(DType.FLOAT32, 2, 1, 3, 3), t), "Conv1", "5×5", "(1, 3, 3)");
        assertFails(() -> net.gradient(Tensor.zeros(DType.FLOAT32, 2, 100), t), "Conv1", "(2, 100)");
        assertFails(() -> net.gradient(Tensor.zeros(DType.FLOAT32, 2, 1, 32, 32), t), "Affine1", "(2, 30, 14, 14)");
        Convolution conv = (Convolution) net.layers().get("Conv1");
        conv.forward(Tensor.zeros(DType.FLOAT32, 2, 1, 28, 28));
        assertFails(() -> conv.backward(Tensor.zeros(DType.FLOAT32, 2, 30, 24, 23)), "(2, 30, 24, 23)",
                "(2, 30, 24, 24)");
        Pooling pool = new Pooling(2, 2, 2);
        assertFails(() -> pool.forward(Tensor.zeros(DType.FLOAT32, 2, 28)), "Pooling(2×2", "(2, 28)");
        pool.forward(Tensor.zeros(DType.FLOAT32, 2, 3, 6, 6));
        assertFails(() -> pool.backward(Tensor.zeros(DType.FLOAT32, 2, 3, 3, 2)), "(2, 3, 3, 2)", "(2, 3, 3, 3)");
    }

    @Test
    void sizesThatDoNotDivideEvenlyRoundDownAsInTheBook() {
        // The book: out_h = int(1 + (H + 2·pad − FH) / stride); 1 + (7 − 2) / 2 = 3.5 → 3.
        assertArrayEquals(new int[] {3, 3, 3}, new Pooling(2, 2, 2).outputShape(3, 7, 7));
        Parameter W = Parameter.of("W", Tensor.zeros(DType.FLOAT64, 2, 1, 3, 3));
        Parameter b = Parameter.of("b", Tensor.zeros(DType.FLOAT64, 2));
        assertArrayEquals(new int[] {2, 3, 2}, new Convolution(W, b, 2, 0).outputShape(1, 8, 6));
        // 25×25 after a 4×4 convolution of 28×28: the book's SimpleConvNet would size W2 as int(30·12.5·12.5) = 4687
        // and fail at its first forward pass; here W2 follows the pooled shape (30, 12, 12).
        SimpleConvNet net = simple(new int[] {1, 28, 28}, ConvParam.of(30, 4, 0, 1));
        assertArrayEquals(new int[] {30 * 12 * 12, 10}, net.parameters().get("W2").value().shape());
        net.predict(Tensor.zeros(DType.FLOAT32, 2, 1, 28, 28));
    }
}
