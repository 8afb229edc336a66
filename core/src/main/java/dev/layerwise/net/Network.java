package dev.layerwise.net;

import dev.layerwise.data.DataSet;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;

/**
 * A trainable classifier with the book's API: {@code predict}, {@code loss}, {@code accuracy} and {@code gradient}
 * (backpropagation). Parameters live in {@link #parameters()} under the book's names.
 */
public interface Network {

    /** The dtype of the parameters; inputs must have it too. */
    DType dtype();

    /** The registered name and hyperparameters that rebuild this network (see {@link Architectures}). */
    Architecture architecture();

    /**
     * State that is not learned by gradient descent but belongs to the model and must be saved with it, such as batch
     * normalisation's running mean and variance, by name in order ({@code running_mean1}, …). The tensors themselves,
     * not copies: a model loader writes saved values into them. None by default.
     */
    default java.util.Map<String, Tensor> buffers() {
        return java.util.Map.of();
    }

    /** The parameters and their gradients, in order. */
    Parameters parameters();

    /**
     * The states of the random generators the network draws from in training (dropout masks), by layer name, for
     * checkpoints: a resumed run draws the same masks as an uninterrupted one. None by default.
     */
    default java.util.Map<String, long[]> randomState() {
        return java.util.Map.of();
    }

    /** Restores {@link #randomState()}; the names must be the same. */
    default void restoreRandomState(java.util.Map<String, long[]> state) {
        if (!state.isEmpty()) {
            throw new IllegalArgumentException("this network draws no random numbers, got " + state.keySet());
        }
    }

    /** The scores (before softmax) for a batch, in inference mode: a new tensor {@code (N, classes)}. */
    Tensor predict(Tensor x);

    /**
     * The loss for a batch, as the book's {@code loss(x, t)}: in inference mode where the network distinguishes the
     * modes (batch norm, dropout), as the book's {@code MultiLayerNetExtend.loss(x, t, train_flg=False)}; including
     * any weight-decay term.
     */
    double loss(Tensor x, Labels t);

    /** The fraction of rows whose highest score is the label, in inference mode. */
    double accuracy(Tensor x, Labels t);

    /** {@link #accuracy(Tensor, Labels)} over a data set; a network may read it a part at a time. */
    default double accuracy(DataSet data) {
        return accuracy(data.x(), data.t());
    }

    /**
     * Backpropagation: one forward and one backward pass in training mode, leaving the gradient of every parameter in
     * its {@code grad} tensor. Returns the loss of the forward pass.
     */
    double gradient(Tensor x, Labels t);
}
