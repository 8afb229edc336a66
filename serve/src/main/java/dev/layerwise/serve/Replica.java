package dev.layerwise.serve;

import dev.layerwise.layer.Functions;
import dev.layerwise.layer.Layer;
import dev.layerwise.model.Model;
import dev.layerwise.net.Architectures;
import dev.layerwise.net.Network;
import dev.layerwise.net.Sequential;
import dev.layerwise.tensor.Ops;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One worker's own copies of a model's network. Layers keep their forward buffers between calls, so a network must
 * never run two forward passes at once; each worker thread gets a replica that shares nothing mutable with the others.
 * The parameters are copied, once per chunk size (they are small next to the activations of a batch: a 784-50-10 net
 * is 320 KB, the book's SimpleConvNet 3.5 MB, values and gradient buffers together, per copy).
 */
final class Replica {
    /**
     * Batches are run in chunks of these sizes, each on its own network. A layer reallocates its buffers whenever the
     * batch shape changes, and dynamic batching makes every batch a different size; a network that always sees the same
     * shape reuses them. Under load most batches are of dozens of examples; the book's networks cost less per example
     * in chunks of 16 and 32 than of 8, and the convnet more again in chunks of 64. A ragged remainder is
     * run as at most three chunks smaller than eight.
     */
    private static final int[] CHUNKS = {32, 16, 8, 4, 2, 1};
    /** The smallest chunk that costs about as little an example as the largest; a single example over twice as much. */
    static final int FULL_CHUNK = 8;

    /** {@code networks[i]} runs chunks of {@code CHUNKS[i]} examples, read from {@code inputs[i]}. */
    private final Network[] networks = new Network[CHUNKS.length];
    private final Tensor[] inputs = new Tensor[CHUNKS.length];
    private final int[] exampleShape;
    private final int features;

    Replica(Model model) {
        for (int i = 0; i < CHUNKS.length; i++) {
            networks[i] = copy(model.network());
        }
        exampleShape = model.contract().exampleShape();
        features = model.contract().features();
        for (int i = 0; i < CHUNKS.length; i++) {
            inputs[i] = Tensor.zeros(networks[i].dtype(), shape(CHUNKS[i]));
        }
    }

    private static Network copy(Network source) {
        Network network = Architectures.build(source.architecture(), source.dtype(), new Rng(0));
        network.parameters().setValues(source.parameters().values());
        Map<String, Tensor> buffers = network.buffers();
        source.buffers().forEach((name, b) -> buffers.get(name).copyFrom(b));
        return network;
    }

    /** What a batch gives: the most likely class and the probabilities of every class, row by row. */
    record Answer(int[] classes, double[] probabilities, int classCount) {
    }

    /**
     * The classes (argmax of the scores, as {@link Model#classify}) and probabilities of {@code rows} examples,
     * {@code x} row-major.
     */
    Answer predict(double[] x, int rows) {
        return predict(List.of(x), rows);
    }

    /**
     * As {@link #predict(double[], int)} for {@code rows} examples given in {@code parts}, each part whole examples
     * row-major, one after the other: the requests of a batch, read straight into the chunks' inputs without being
     * gathered into one array first.
     */
    Answer predict(List<double[]> parts, int rows) {
        int[] classes = new int[rows];
        double[] probabilities = null;
        int classCount = 0;
        int row = 0;
        int part = 0;
        int at = 0;
        for (int i = 0; i < CHUNKS.length; i++) {
            for (int n = CHUNKS[i]; rows - row >= n; row += n) {
                Tensor input = inputs[i];
                for (int filled = 0; filled < n * features; ) {
                    double[] x = parts.get(part);
                    int count = Math.min(n * features - filled, x.length - at);
                    copy(x, at, input, filled, count);
                    filled += count;
                    at += count;
                    if (at == x.length) {
                        part++;
                        at = 0;
                    }
                }
                Tensor scores = networks[i].predict(input);
                if (probabilities == null) {
                    classCount = scores.dim(1);
                    probabilities = new double[rows * classCount];
                }
                int[] c = new int[n];
                Ops.argmaxRows(scores, c);
                System.arraycopy(c, 0, classes, row, n);
                double[] p = Functions.softmax(scores).toDoubleArray();
                System.arraycopy(p, 0, probabilities, row * classCount, p.length);
            }
        }
        return new Answer(classes, probabilities, classCount);
    }

    /** {@code count} values of {@code x} from {@code from} into {@code input} from element {@code to}, as its dtype. */
    private static void copy(double[] x, int from, Tensor input, int to, int count) {
        if (input.floats() != null) {
            float[] f = input.floats();
            int o = input.offset() + to;
            for (int k = 0; k < count; k++) {
                f[o + k] = (float) x[from + k];
            }
        } else {
            System.arraycopy(x, from, input.doubles(), input.offset() + to, count);
        }
    }

    private int[] shape(int rows) {
        int[] s = new int[exampleShape.length + 1];
        s[0] = rows;
        System.arraycopy(exampleShape, 0, s, 1, exampleShape.length);
        return s;
    }

    /** One layer's output for one example: its name and shape (without the batch axis) and values. */
    record LayerOutput(String name, int[] shape, float[] values) {
    }

    /**
     * The output of every layer for one example {@code x} of shape {@code (1, …)}, in order, in inference mode, then
     * the answer: what the network computes, one layer at a time.
     */
    List<LayerOutput> layers(Tensor x) {
        List<LayerOutput> out = new ArrayList<>();
        if (!(networks[CHUNKS.length - 1] instanceof Sequential seq)) {
            return out;
        }
        Tensor h = x;
        for (Map.Entry<String, Layer> e : seq.layers().entrySet()) {
            h = e.getValue().forward(h, false);
            int[] shape = h.shape();
            int[] one = Arrays.copyOfRange(shape, 1, shape.length);
            out.add(new LayerOutput(e.getKey(), one, h.toFloatArray()));
        }
        return out;
    }
}
