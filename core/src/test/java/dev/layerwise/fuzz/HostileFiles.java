package dev.layerwise.fuzz;

import dev.layerwise.data.DataSet;
import dev.layerwise.io.Json;
import dev.layerwise.model.ModelFile;
import dev.layerwise.net.Activation;
import dev.layerwise.net.MultiLayerNetExtend;
import dev.layerwise.net.Network;
import dev.layerwise.optim.Optimizers;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.train.Checkpoints;
import dev.layerwise.train.RunSettings;
import dev.layerwise.train.Trainer;
import dev.layerwise.util.Rng;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/** Builders of valid and hostile files for the regression and fuzz tests of the readers. */
final class HostileFiles {
    private HostileFiles() {
    }

    private static final byte[] MAGIC = {(byte) 0x89, 'L', 'W', 'M', 0x0D, 0x0A, 0x1A, 0x0A};

    /** A model file with the given header text, {@code dataBytes} zero bytes of data and a correct checksum. */
    static byte[] modelFile(String header, int dataBytes) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC);
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(json.length).array());
        out.writeBytes(json);
        int padded = (16 + json.length + 63) / 64 * 64;
        out.writeBytes(new byte[padded - 16 - json.length + dataBytes]);
        out.writeBytes(new byte[32]);
        return reseal(out.toByteArray());
    }

    /** {@code b} with its trailing SHA-256 recomputed, so that a reader goes past the checksum to the parser. */
    static byte[] reseal(byte[] b) {
        if (b.length < 32) {
            return b;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Arrays.copyOf(b, b.length - 32));
            byte[] out = b.clone();
            System.arraycopy(digest, 0, out, b.length - 32, 32);
            return out;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The start of a two-layer model header, to be followed by the array table and a closing brace. */
    static final String TWO_LAYER_HEAD = "{\"format\": \"layerwise-model\", \"dtype\": \"float32\", \"architecture\": "
            + "{\"name\": \"two-layer\", \"config\": {\"input_size\": 4, \"hidden_size\": 3, \"output_size\": 2, "
            + "\"weight_init_std\": 0.01}}, \"arrays\": ";

    /** A tiny classification set: 4 classes of 20 features. */
    static DataSet data(int n, long seed, DType dtype) {
        Rng rng = new Rng(seed);
        Tensor x = Tensor.zeros(dtype, n, 20);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = i % 4;
            for (int j = 0; j < 20; j++) {
                x.setDouble(i * 20 + j, (j % 4 == t[i] ? 1.0 : 0) + 0.5 * rng.nextGaussian());
            }
        }
        return new DataSet(x, Labels.of(t));
    }

    /**
     * Saves a checkpoint of a small run (batch norm and dropout, so that it holds random states, an epoch order and
     * optimizer moments) to {@code file}.
     */
    static void checkpoint(Path file, String optimizer, Trainer.Sampling sampling, DType dtype) throws IOException {
        Network net = new MultiLayerNetExtend(20, List.of(8), 4, MultiLayerNetExtend.Options.defaults()
                .withActivation(Activation.RELU).withBatchnorm(true).withDropout(0.2), dtype, new Rng(3));
        DataSet train = data(40, 1, dtype);
        Trainer trainer = Trainer.builder(net, Optimizers.create(optimizer), train, data(20, 9, dtype))
                .batchSize(10).seed(5).sampling(sampling).iterations(6).build();
        trainer.run();
        RunSettings settings = new RunSettings("mlp-extend", optimizer, Optimizers.defaults(optimizer), "constant",
                6, 10, null, 0, sampling, 5, dtype, 6);
        Checkpoints.save(trainer, settings, file);
    }

    /**
     * Writes to {@code out} the model file {@code in} with its training header altered by {@code meta} and its arrays
     * by {@code arrays}.
     */
    static void alter(Path in, Consumer<Map<String, Object>> meta, UnaryOperator<List<ModelFile.Entry>> arrays,
                      Path out) throws IOException {
        ModelFile.Contents c = ModelFile.read(in);
        @SuppressWarnings("unchecked")
        Map<String, Object> header = (Map<String, Object>) Json.parse(Json.write(c.header()), "copy");
        @SuppressWarnings("unchecked")
        Map<String, Object> training = (Map<String, Object>) header.get("training");
        meta.accept(training);
        ModelFile.write(out, header, arrays.apply(new ArrayList<>(c.entries())));
    }
}
