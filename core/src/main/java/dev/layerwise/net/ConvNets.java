package dev.layerwise.net;

import dev.layerwise.kernel.ConvGeometry;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;

/**
 * What the convolutional networks share: working out the shapes layer by layer when a network is built, so that bad
 * geometry fails there with the layer's name and the shapes, not at the first forward pass.
 */
final class ConvNets {
    private ConvNets() {
    }

    /** Checks an {@code input_dim} {@code (C, H, W)}; returns a copy. */
    static int[] inputDim(String net, int[] inputDim) {
        if (inputDim.length != 3 || inputDim[0] < 1 || inputDim[1] < 1 || inputDim[2] < 1) {
            throw new IllegalArgumentException(net + ": input_dim " + Shapes.toString(inputDim)
                    + " must be (channels, height, width), each at least 1");
        }
        return inputDim.clone();
    }

    /** The geometry of convolution {@code layer} over per-sample input {@code (C, H, W)}. */
    static ConvGeometry conv(String net, String layer, String weight, int[] in, ConvParam p) {
        String what = net + ": layer " + layer + " (" + weight + " " + Shapes.toString(p.filterNum(), in[0],
                p.filterSize(), p.filterSize()) + ", stride " + p.stride() + ", pad " + p.pad() + ")";
        if (p.filterNum() < 1) {
            throw new IllegalArgumentException(what + ": filter_num must be at least 1");
        }
        try {
            return new ConvGeometry(in[0], in[1], in[2], p.filterSize(), p.filterSize(), p.stride(), p.pad());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
    }

    /** The geometry of the book's 2×2, stride-2 max pooling {@code layer} over per-sample input {@code (C, H, W)}. */
    static ConvGeometry pool(String net, String layer, int[] in) {
        try {
            return new ConvGeometry(in[0], in[1], in[2], 2, 2, 2, 0);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(net + ": layer " + layer + " (2×2 max pooling, stride 2): "
                    + e.getMessage(), e);
        }
    }

    /** The per-sample output shape of a convolution. */
    static int[] out(ConvGeometry g, int filterNum) {
        return new int[] {filterNum, g.outH(), g.outW()};
    }

    /** The per-sample output shape of a pooling. */
    static int[] out(ConvGeometry g) {
        return new int[] {g.channels(), g.outH(), g.outW()};
    }

    /** Checks a size such as {@code hidden_size}. */
    static void checkSize(String net, String name, int size) {
        if (size < 1) {
            throw new IllegalArgumentException(net + ": " + name + " must be at least 1, got " + size);
        }
    }

    /**
     * Images {@code (N, C, H, W)} as given, or flattened ones {@code (N, C·H·W)} (the book's {@code flatten=True}) seen
     * as images; anything else is passed on for the first layer to reject.
     */
    static Tensor images(Tensor x, int[] inputDim) {
        if (x.rank() == 2 && x.dim(1) == inputDim[0] * inputDim[1] * inputDim[2]) {
            return x.reshape(x.dim(0), inputDim[0], inputDim[1], inputDim[2]);
        }
        return x;
    }

    static java.util.List<Integer> list(int... values) {
        java.util.List<Integer> list = new java.util.ArrayList<>();
        for (int v : values) {
            list.add(v);
        }
        return list;
    }

    /** The number of values in an input of dimensions {@code dims}, e.g. 784 for {@code (1, 28, 28)}. */
    static int size(int[] dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    static int[] array(java.util.List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }
}
