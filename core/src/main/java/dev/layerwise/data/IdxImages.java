package dev.layerwise.data;

import dev.layerwise.io.FileFormatException;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Shapes;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A pair of IDX files of any image size and class count (MNIST's layout: images (N, H, W) of unsigned bytes, labels
 * (N)), as Fashion-MNIST and EMNIST ship.
 */
record IdxImages(int height, int width, byte[] pixels, int[] labels) {
    /** Reads {@code imagesName} and {@code labelsName} (each raw or {@code .gz}) from {@code dir}, checked. */
    static IdxImages read(Path dir, String imagesName, String labelsName) throws IOException {
        Path imagesFile = Mnist.locate(dir, imagesName);
        Path labelsFile = Mnist.locate(dir, labelsName);
        Idx.Array labels = Idx.read(labelsFile);
        if (labels.dims().length != 1) {
            throw new FileFormatException(labelsFile + ": expected a 1-D label file, got shape "
                    + Shapes.toString(labels.dims()));
        }
        Idx.Array images = Idx.read(imagesFile);
        int[] dims = images.dims();
        if (dims.length != 3 || dims[1] < 1 || dims[2] < 1) {
            throw new FileFormatException(imagesFile + ": expected images of shape (N, H, W), got "
                    + Shapes.toString(dims));
        }
        if (dims[0] != labels.dims()[0]) {
            throw new FileFormatException(labelsFile + " holds " + labels.dims()[0] + " labels but " + imagesFile
                    + " holds " + dims[0] + " images");
        }
        if (dims[0] == 0) {
            throw new FileFormatException(imagesFile + ": holds no images");
        }
        int[] t = new int[dims[0]];
        for (int i = 0; i < t.length; i++) {
            t[i] = labels.get(i);
        }
        return new IdxImages(dims[1], dims[2], images.data(), t);
    }

    /** The images as (N, 1, H, W), read as {@code pixel / 255} in {@code dtype}; the bytes are kept, not copied. */
    DataSet toDataSet(DType dtype) {
        return DataSet.ofUnsignedBytes(pixels, new int[] {labels.length, 1, height, width}, 255.0, dtype,
                Labels.of(labels));
    }
}
