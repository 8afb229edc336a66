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
import java.util.List;
import java.util.Map;

/**
 * One worker's own copy of a model's network. Layers keep their forward buffers between calls, so a network must never
 * run two forward passes at once; each worker thread gets a replica that shares nothing mutable with the others. The
 * parameters are copied (they are small next to the activations of a batch: a 784-50-10 net is 320 KB, the book's
 * SimpleConvNet 3.5 MB, values and gradient buffers together, per worker).
 */
final class Replica {
    private final Network network;

    Replica(Model model) {
        Network source = model.network();
        network = Architectures.build(source.architecture(), source.dtype(), new Rng(0));
        network.parameters().setValues(source.parameters().values());
        Map<String, Tensor> buffers = network.buffers();
        source.buffers().forEach((name, b) -> buffers.get(name).copyFrom(b));
    }

    /** What a batch gives: the most likely class and the probabilities of every class, row by row. */
    record Answer(int[] classes, double[] probabilities, int classCount) {
    }

    /** The classes (argmax of the scores, as {@link Model#classify}) and probabilities of a batch. */
    Answer predict(Tensor x) {
        Tensor scores = network.predict(x);
        int[] classes = new int[scores.dim(0)];
        Ops.argmaxRows(scores, classes);
        return new Answer(classes, Functions.softmax(scores).toDoubleArray(), scores.dim(1));
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
        if (!(network instanceof Sequential seq)) {
            return out;
        }
        Tensor h = x;
        for (Map.Entry<String, Layer> e : seq.layers().entrySet()) {
            h = e.getValue().forward(h, false);
            int[] shape = h.shape();
            int[] one = java.util.Arrays.copyOfRange(shape, 1, shape.length);
            out.add(new LayerOutput(e.getKey(), one, h.toFloatArray()));
        }
        return out;
    }
}
