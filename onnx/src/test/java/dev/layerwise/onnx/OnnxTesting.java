package dev.layerwise.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.layerwise.data.DataContract;
import dev.layerwise.layer.Dropout;
import dev.layerwise.layer.Parameter;
import dev.layerwise.model.Model;
import dev.layerwise.net.Activation;
import dev.layerwise.net.ConvParam;
import dev.layerwise.net.DeepConvNet;
import dev.layerwise.net.MultiLayerNet;
import dev.layerwise.net.MultiLayerNetExtend;
import dev.layerwise.net.Network;
import dev.layerwise.net.SimpleConvNet;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.net.WeightInit;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** The networks the ONNX tests export, seeded, and ONNX Runtime to run the files. */
final class OnnxTesting {
    private OnnxTesting() {
    }

    /** A network to export: a name for the test report and how to build it in a dtype. */
    record Case(String name, BiFunction<DType, Rng, Model> build) {
        Model model(DType dtype) {
            Model m = build.apply(dtype, new Rng(name.hashCode()));
            randomize(m.network(), new Rng(name.hashCode() + 1L));
            return m;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Every registered network, with each option that changes the graph (activation, batch norm, dropout mode). */
    /** Every case in every dtype, as JUnit arguments {@code (Case, DType)}. */
    static Stream<Arguments> casesByDType() {
        List<Arguments> args = new ArrayList<>();
        for (Case c : cases()) {
            for (DType d : DType.values()) {
                args.add(Arguments.of(c, d));
            }
        }
        return args.stream();
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("two-layer", (d, r) -> Model.of(new TwoLayerNet(784, 50, 10, 0.01, d, r))
                .withContract(DataContract.mnist())));
        cases.add(new Case("mlp-sigmoid", (d, r) -> Model.of(new MultiLayerNet(20, List.of(30, 16), 4,
                MultiLayerNet.Options.defaults().withActivation(Activation.SIGMOID)
                        .withWeightInit(WeightInit.xavier()), d, r))));
        cases.add(new Case("mlp-relu", (d, r) -> Model.of(new MultiLayerNet(784, List.of(64, 32, 32), 10,
                MultiLayerNet.Options.defaults(), d, r)).withContract(DataContract.mnist())));
        cases.add(new Case("mlp-batchnorm", (d, r) -> Model.of(new MultiLayerNetExtend(784, List.of(64, 32), 10,
                MultiLayerNetExtend.Options.defaults().withBatchnorm(true), d, r))
                .withContract(DataContract.mnist())));
        cases.add(new Case("mlp-batchnorm-book-dropout", (d, r) -> Model.of(new MultiLayerNetExtend(24,
                List.of(40, 20), 3, MultiLayerNetExtend.Options.defaults().withBatchnorm(true).withDropout(0.2)
                        .withActivation(Activation.SIGMOID), d, r))));
        cases.add(new Case("mlp-inverted-dropout", (d, r) -> Model.of(new MultiLayerNetExtend(784, List.of(48, 48),
                10, MultiLayerNetExtend.Options.defaults().withDropout(0.3).withDropoutMode(Dropout.Mode.INVERTED),
                d, r)).withContract(DataContract.mnist())));
        cases.add(new Case("simple-convnet", (d, r) -> Model.of(new SimpleConvNet(new int[] {1, 28, 28},
                ConvParam.of(8, 5, 0, 1), 32, 10, 0.01, d, r)).withContract(DataContract.mnist())));
        cases.add(new Case("simple-convnet-rgb-padded", (d, r) -> Model.of(new SimpleConvNet(new int[] {3, 17, 15},
                ConvParam.of(6, 3, 1, 2), 20, 5, 0.1, d, r)).withContract(DataContract.images(new int[] {3, 17, 15},
                List.of("a", "b", "c", "d", "e"), DataContract.ImageFit.RESIZE))));
        cases.add(new Case("deep-convnet", (d, r) -> Model.of(new DeepConvNet(new int[] {1, 28, 28},
                DeepConvNet.DEFAULT_CONV_PARAMS, 50, 10, d, r)).withContract(DataContract.mnist())));
        return cases;
    }

    /**
     * Gives every bias, γ and β random values, and batch norm's running statistics values far from their start (means
     * around 0.5, variances 0.2–2), so that a mistake in any of them shows in the scores.
     */
    static void randomize(Network net, Rng rng) {
        for (Parameter p : net.parameters()) {
            if (p.value().rank() == 1) {
                Tensor v = p.value();
                boolean gamma = p.name().startsWith("gamma");
                for (int i = 0; i < v.size(); i++) {
                    v.setDouble(i, (gamma ? 1 : 0) + 0.3 * rng.nextGaussian());
                }
            }
        }
        for (Map.Entry<String, Tensor> b : net.buffers().entrySet()) {
            Tensor t = b.getValue();
            boolean var = b.getKey().startsWith("running_var");
            for (int i = 0; i < t.size(); i++) {
                t.setDouble(i, var ? 0.2 + 1.8 * rng.nextDouble() : 0.5 + 0.5 * rng.nextGaussian());
            }
        }
    }

    /** A batch of {@code n} examples of {@code model}'s input shape, uniform in [0, 1). */
    static Tensor input(Model model, int n, Rng rng) {
        int[] example = exampleShape(model);
        int[] shape = new int[example.length + 1];
        shape[0] = n;
        System.arraycopy(example, 0, shape, 1, example.length);
        Tensor x = Tensor.zeros(model.network().dtype(), shape);
        for (int i = 0; i < x.size(); i++) {
            x.setDouble(i, rng.nextDouble());
        }
        return x;
    }

    /** The example shape the exported graph takes. */
    static int[] exampleShape(Model model) {
        if (model.contract() != null) {
            return model.contract().exampleShape();
        }
        return new int[] {model.network().parameters().get("W1").value().dim(0)};
    }

    /** ONNX Runtime's outputs {@code logits} and {@code probabilities} for {@code x}, as doubles (N, classes). */
    static double[][][] runtime(Path file, Tensor x) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(file.toString(), options)) {
            String inputName = session.getInputNames().iterator().next();
            long[] shape = new long[x.rank()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = x.dim(i);
            }
            try (OnnxTensor t = x.dtype() == DType.FLOAT32
                    ? OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()), shape)
                    : OnnxTensor.createTensor(env, DoubleBuffer.wrap(x.toDoubleArray()), shape);
                 OrtSession.Result r = session.run(Map.of(inputName, t))) {
                double[][][] out = new double[r.size()][][];
                for (int k = 0; k < r.size(); k++) {
                    out[k] = doubles(r.get(k).getValue());
                }
                return out;
            }
        }
    }

    /**
     * The same graph in float32: ONNX Runtime's CPU provider has no float64 {@code Conv}, so a float64 convolutional
     * graph is run with its tensors rounded to float32 (and compared at float32's tolerance).
     */
    static Path asFloat32(Path file, Path out) throws java.io.IOException {
        ai.onnx.proto.OnnxMl.ModelProto.Builder m = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(
                java.nio.file.Files.readAllBytes(file)).toBuilder();
        ai.onnx.proto.OnnxMl.GraphProto.Builder g = m.getGraphBuilder();
        for (ai.onnx.proto.OnnxMl.TensorProto.Builder t : g.getInitializerBuilderList()) {
            if (t.getDataType() == OnnxTensors.DOUBLE) {
                java.nio.ByteBuffer in = t.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
                java.nio.ByteBuffer f = java.nio.ByteBuffer.allocate(in.remaining() / 2)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
                while (in.hasRemaining()) {
                    f.putFloat((float) in.getDouble());
                }
                t.setDataType(OnnxTensors.FLOAT).setRawData(com.google.protobuf.ByteString.copyFrom(f.array()));
            }
        }
        for (ai.onnx.proto.OnnxMl.ValueInfoProto.Builder v : g.getInputBuilderList()) {
            v.getTypeBuilder().getTensorTypeBuilder().setElemType(OnnxTensors.FLOAT);
        }
        for (ai.onnx.proto.OnnxMl.ValueInfoProto.Builder v : g.getOutputBuilderList()) {
            v.getTypeBuilder().getTensorTypeBuilder().setElemType(OnnxTensors.FLOAT);
        }
        java.nio.file.Files.write(out, m.build().toByteArray());
        return out;
    }

    private static double[][] doubles(Object value) {
        if (value instanceof double[][] d) {
            return d;
        }
        float[][] f = (float[][]) value;
        double[][] d = new double[f.length][];
        for (int i = 0; i < f.length; i++) {
            d[i] = new double[f[i].length];
            for (int j = 0; j < f[i].length; j++) {
                d[i][j] = f[i][j];
            }
        }
        return d;
    }

    /** The largest |a − b| over the largest |b|: the error relative to the scale of the scores. */
    static double relativeError(double[][] a, Tensor b) {
        double maxDiff = 0;
        double maxAbs = 0;
        int cols = b.dim(1);
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < cols; j++) {
                double expected = b.getDouble(i * cols + j);
                maxDiff = Math.max(maxDiff, Math.abs(a[i][j] - expected));
                maxAbs = Math.max(maxAbs, Math.abs(expected));
            }
        }
        return maxDiff / Math.max(maxAbs, Double.MIN_NORMAL);
    }

    static int[] argmax(double[][] rows) {
        int[] out = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 1; j < rows[i].length; j++) {
                if (rows[i][j] > rows[i][out[i]]) {
                    out[i] = j;
                }
            }
        }
        return out;
    }
}
