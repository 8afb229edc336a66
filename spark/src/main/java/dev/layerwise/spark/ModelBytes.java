package dev.layerwise.spark;

import dev.layerwise.data.DataContract;
import dev.layerwise.layer.Parameter;
import dev.layerwise.model.Model;
import dev.layerwise.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A model as the bytes of its file ({@link dev.layerwise.model.ModelFile}), the form in which it travels to the
 * executors: the file format is the one a model is checked against when loaded, so an executor rebuilds exactly the
 * network, buffers and contract the driver holds, and nothing of Layerwise has to be {@link java.io.Serializable}.
 */
final class ModelBytes {
    private ModelBytes() {
    }

    /**
     * The bytes of {@code model}'s file. A model without a contract gets one of raw table features, its input
     * size read from its first weight: a file without a contract reads as an MNIST model, which it may not be.
     */
    static byte[] of(Model model) {
        model = withContract(model);
        try {
            Path tmp = Files.createTempFile("layerwise-model", ".lw");
            try {
                model.save(tmp);
                return Files.readAllBytes(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not serialise the model: " + e.getMessage(), e);
        }
    }

    /** {@code model}, with a contract of raw features when it has none. */
    static Model withContract(Model model) {
        if (model.contract() != null) {
            return model;
        }
        List<Parameter> params = model.network().parameters().list();
        Tensor w1 = params.get(0).value();
        if (w1.rank() != 2) {
            throw new IllegalArgumentException("the model has no data contract and its input shape cannot be told"
                    + " from its parameters; give it one with Model.withContract");
        }
        int classes = params.get(params.size() - 1).value().dim(0);
        return model.withContract(new DataContract(DataContract.Kind.FEATURES, new int[] {w1.dim(0)},
                DataContract.numbered(classes), new DataContract.Normalization.Scale(1), null, List.of()));
    }

    /** The model those bytes hold. */
    static Model load(byte[] bytes) {
        try {
            Path tmp = Files.createTempFile("layerwise-model", ".lw");
            try {
                Files.write(tmp, bytes);
                return Model.load(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the model sent to this executor: " + e.getMessage(), e);
        }
    }
}
