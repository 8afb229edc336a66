package dev.layerwise.fuzz;

import dev.layerwise.io.NpyArray;
import dev.layerwise.io.Npz;
import dev.layerwise.model.Model;
import dev.layerwise.model.ModelFile;
import dev.layerwise.net.Activation;
import dev.layerwise.net.ConvParam;
import dev.layerwise.net.DeepConvNet;
import dev.layerwise.net.MultiLayerNet;
import dev.layerwise.net.MultiLayerNetExtend;
import dev.layerwise.net.Network;
import dev.layerwise.net.SimpleConvNet;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.tensor.DType;
import dev.layerwise.testing.TestImages;
import dev.layerwise.train.Trainer;
import dev.layerwise.util.Rng;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes the seed corpus of {@link FileReadersFuzzTest}: small valid files of every kind (each architecture and
 * dtype, each optimizer's checkpoint, each {@code .npy} dtype and version, stored and deflated {@code .npz}, raw and
 * gzip IDX, images of every format) and small versions of each hostile file the regression tests hold. Run it from
 * the module's test classpath with the inputs directory as argument; the fuzzer's own findings go to the same
 * directory.
 */
final class GenerateFuzzSeeds {
    private GenerateFuzzSeeds() {
    }

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0]
                : "core/src/test/resources/dev/layerwise/fuzz/FileReadersFuzzTestInputs");
        Path tmp = Files.createTempDirectory("seeds");
        models(root.resolve("modelFile"), tmp);
        checkpoints(root.resolve("checkpoint"), tmp);
        npy(root.resolve("npy"));
        npz(root.resolve("npz"), tmp);
        idx(root.resolve("idx"), root.resolve("idxGzip"));
        images(root.resolve("image"), tmp);
    }

    private static void write(Path dir, String name, byte[] bytes) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), bytes);
    }

    private static void models(Path dir, Path tmp) throws IOException {
        Map<String, java.util.function.BiFunction<DType, Rng, Network>> nets = new LinkedHashMap<>();
        nets.put("two-layer", (d, r) -> new TwoLayerNet(4, 3, 2, 0.1, d, r));
        nets.put("multi-layer", (d, r) -> new MultiLayerNet(4, List.of(3), 2, MultiLayerNet.Options.defaults(), d,
                r));
        nets.put("mlp-extend", (d, r) -> new MultiLayerNetExtend(4, List.of(3), 2, MultiLayerNetExtend.Options
                .defaults().withActivation(Activation.SIGMOID).withBatchnorm(true).withDropout(0.3), d, r));
        nets.put("simple-convnet", (d, r) -> new SimpleConvNet(new int[] {1, 6, 6}, ConvParam.of(2, 3, 0, 1), 3, 2,
                0.01, d, r));
        List<ConvParam> small = List.of(ConvParam.of(2, 3, 1, 1), ConvParam.of(2, 3, 1, 1), ConvParam.of(2, 3, 1, 1),
                ConvParam.of(2, 3, 2, 1), ConvParam.of(2, 3, 1, 1), ConvParam.of(2, 3, 1, 1));
        nets.put("deep-convnet", (d, r) -> new DeepConvNet(new int[] {1, 8, 8}, small, 3, 2, d, r));
        for (Map.Entry<String, java.util.function.BiFunction<DType, Rng, Network>> e : nets.entrySet()) {
            for (DType d : DType.values()) {
                Path f = tmp.resolve("m.lw");
                Model.of(e.getValue().apply(d, new Rng(1))).save(f);
                write(dir, e.getKey() + "-" + d.label() + ".lw", Files.readAllBytes(f));
            }
        }
        String head = HostileFiles.TWO_LAYER_HEAD;
        write(dir, "offset-near-2-63.lw", HostileFiles.modelFile(head + "[" + entry("param/W1", "float32", "[4, 3]",
                Long.MAX_VALUE - 63, 48) + "]}", 4096));
        StringBuilder overlap = new StringBuilder("[");
        for (int i = 0; i < 300; i++) {
            overlap.append(i == 0 ? "" : ", ").append(entry("state/a" + i, "float32", "[1024]", 0, 4096));
        }
        write(dir, "overlapping-arrays.lw", HostileFiles.modelFile(head + overlap + "]}", 4096));
        StringBuilder dup = new StringBuilder("[");
        for (int i = 0; i < 1000; i++) {
            dup.append(i == 0 ? "" : ",").append(entry("z" + i, "int32", "[0]", 0, 0));
        }
        dup.append(",").append(entry("z999", "int32", "[0]", 0, 0));
        write(dir, "duplicate-among-many.lw", HostileFiles.modelFile(head + dup + "]}", 0));
    }

    private static String entry(String name, String dtype, String shape, long offset, long bytes) {
        return "{\"name\": \"" + name + "\", \"dtype\": \"" + dtype + "\", \"shape\": " + shape + ", \"offset\": "
                + offset + ", \"bytes\": " + bytes + "}";
    }

    @SuppressWarnings("unchecked")
    private static void checkpoints(Path dir, Path tmp) throws IOException {
        Path adam = tmp.resolve("adam.lw");
        HostileFiles.checkpoint(adam, "adam", Trainer.Sampling.SHUFFLED_EPOCHS, DType.FLOAT32);
        write(dir, "adam-shuffle-float32.lw", Files.readAllBytes(adam));
        Path momentum = tmp.resolve("momentum.lw");
        HostileFiles.checkpoint(momentum, "momentum", Trainer.Sampling.WITH_REPLACEMENT, DType.FLOAT64);
        write(dir, "momentum-replacement-float64.lw", Files.readAllBytes(momentum));
        Path sgd = tmp.resolve("sgd.lw");
        HostileFiles.checkpoint(sgd, "sgd", Trainer.Sampling.WITH_REPLACEMENT, DType.FLOAT32);
        write(dir, "sgd-replacement-float32.lw", Files.readAllBytes(sgd));
        Map<String, Consumer<Map<String, Object>>> cases = new LinkedHashMap<>();
        cases.put("evaluations-number", t -> t.put("evaluations", List.of(1L)));
        cases.put("evaluations-empty-object", t -> t.put("evaluations", List.of(Map.of())));
        cases.put("optimizer-string", t -> t.put("optimizer", "sgd"));
        cases.put("lr-object", t -> settings(t).put("optimizer_params", Map.of("lr", Map.of())));
        cases.put("lr-zero", t -> settings(t).put("optimizer_params", Map.of("lr", 0.0)));
        cases.put("batch-size-missing", t -> settings(t).remove("batch_size"));
        cases.put("batch-size-zero", t -> settings(t).put("batch_size", 0L));
        cases.put("eval-sample-text", t -> settings(t).put("eval_sample", "all"));
        cases.put("seed-missing", t -> settings(t).remove("seed"));
        cases.put("rng-short", t -> t.put("rng", List.of("1", "2")));
        cases.put("evaluation-without-seconds",
            t -> ((List<Map<String, Object>>) t.get("evaluations")).get(0).remove("seconds"));
        cases.put("evaluation-without-epoch",
            t -> ((List<Map<String, Object>>) t.get("evaluations")).get(0).remove("epoch"));
        for (Map.Entry<String, Consumer<Map<String, Object>>> c : cases.entrySet()) {
            Path f = tmp.resolve(c.getKey() + ".lw");
            HostileFiles.alter(adam, c.getValue(), a -> a, f);
            write(dir, c.getKey() + ".lw", Files.readAllBytes(f));
        }
        int[] order = new int[40];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        order[7] = -3;
        Path f = tmp.resolve("order.lw");
        HostileFiles.alter(adam, t -> { }, a -> {
            a.replaceAll(e -> e.name().equals("state/order")
                    ? new ModelFile.Entry("state/order", "int32", new int[] {40}, order) : e);
            return a;
        }, f);
        write(dir, "order-negative.lw", Files.readAllBytes(f));
        HostileFiles.alter(adam, t -> { }, a -> {
            a.replaceAll(e -> e.name().equals("state/optimizer/m/W1")
                    ? new ModelFile.Entry(e.name(), "float32", new int[] {8, 20}, new float[160]) : e);
            return a;
        }, f);
        write(dir, "optimizer-state-reshaped.lw", Files.readAllBytes(f));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> settings(Map<String, Object> training) {
        return (Map<String, Object>) training.get("settings");
    }

    /** A .npy file of {@code descr} and {@code shape} in format {@code major}.0, holding {@code data}. */
    static byte[] npyFile(String descr, String shape, byte[] data, int major) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int prefix = major == 1 ? 10 : 12;
        String header = dict + " ".repeat(63 - (prefix + dict.length()) % 64) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            out.writeBytes(new byte[] {(byte) header.length(), (byte) (header.length() >> 8)});
        } else {
            out.writeBytes(ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(header.length())
                    .array());
        }
        out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static void npy(Path dir) throws IOException {
        byte[] six = new byte[48];
        for (int i = 0; i < six.length; i++) {
            six[i] = (byte) (i % 2);
        }
        String[][] types = {{"<f4", "4"}, {"<f8", "8"}, {"|i1", "1"}, {"<i2", "2"}, {"<i4", "4"}, {"<i8", "8"},
            {"|u1", "1"}, {"<u2", "2"}, {"<u4", "4"}, {"<u8", "8"}, {"|b1", "1"}, {">f8", "8"}, {">i4", "4"}};
        for (String[] t : types) {
            int size = Integer.parseInt(t[1]);
            write(dir, t[0].substring(1) + (t[0].charAt(0) == '>' ? "-big" : "") + ".npy",
                    npyFile(t[0], "(2, 3)", java.util.Arrays.copyOf(six, 6 * size), 1));
        }
        write(dir, "f8-version2.npy", npyFile("<f8", "(3,)", new byte[24], 2));
        write(dir, "f4-scalar.npy", npyFile("<f4", "()", new byte[4], 1));
        write(dir, "u1-lying-shape.npy", npyFile("|u1", "(100000000,)", new byte[16], 1));
    }

    private static void npz(Path dir, Path tmp) throws IOException {
        Path f = tmp.resolve("a.npz");
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        arrays.put("W1", NpyArray.ofDoubles(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
        arrays.put("b1", NpyArray.ofLongs(new long[] {7, 8, 9}, 3));
        Npz.write(f, arrays);
        write(dir, "deflated.npz", Files.readAllBytes(f));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            byte[] npy = npyFile("<f4", "(2,)", new byte[8], 1);
            ZipEntry e = new ZipEntry("x.npy");
            e.setMethod(ZipEntry.STORED);
            e.setSize(npy.length);
            CRC32 crc = new CRC32();
            crc.update(npy);
            e.setCrc(crc.getValue());
            zip.putNextEntry(e);
            zip.write(npy);
            zip.closeEntry();
        }
        write(dir, "stored.npz", bytes.toByteArray());
        write(dir, "zip-bomb-u1.npz", HostileFilesTest.zeroBomb(100_000_000));
    }

    /**
     * Small images of every format, grey and colour, of several sizes (digits and noise), and small versions of the
     * hostile images: a bare header declaring 30000×30000, valid images beyond the side limit and at the pixel limit,
     * truncated BMP, JPEG and PNG files.
     */
    private static void images(Path dir, Path tmp) throws IOException {
        Files.createDirectories(dir);
        java.awt.image.BufferedImage digit = new java.awt.image.BufferedImage(40, 30,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        java.awt.Graphics2D g = digit.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.setStroke(new java.awt.BasicStroke(3));
        g.drawLine(10, 6, 30, 6);
        g.drawLine(30, 6, 16, 26);
        g.dispose();
        Map<String, java.awt.image.BufferedImage> images = new LinkedHashMap<>();
        images.put("digit-grey-40x30", digit);
        images.put("grey-28x28", TestImages.grey(28, 28, 1));
        images.put("grey-7x3", TestImages.grey(7, 3, 2));
        images.put("rgb-20x12", TestImages.rgb(20, 12, 3));
        images.put("rgb-1x1", TestImages.rgb(1, 1, 4));
        for (Map.Entry<String, java.awt.image.BufferedImage> e : images.entrySet()) {
            for (String format : new String[] {"png", "jpg", "bmp", "gif"}) {
                Path f = TestImages.write(e.getValue(), format, tmp.resolve("i." + format));
                write(dir, e.getKey() + "." + format, Files.readAllBytes(f));
            }
        }
        write(dir, "header-30000x30000.png", TestImages.pngHeader(30000, 30000));
        TestImages.blackPng(tmp.resolve("wide.png"), 20000, 2);
        write(dir, "wide-20000x2.png", Files.readAllBytes(tmp.resolve("wide.png")));
        TestImages.blackPng(tmp.resolve("limit.png"), 16384, 4096);
        write(dir, "at-the-pixel-limit-16384x4096.png", Files.readAllBytes(tmp.resolve("limit.png")));
        for (String format : new String[] {"bmp", "jpg", "png"}) {
            Path f = TestImages.write(TestImages.rgb(32, 32, 5), format, tmp.resolve("t." + format));
            byte[] all = Files.readAllBytes(f);
            write(dir, "truncated." + format, java.util.Arrays.copyOf(all, all.length / 2));
        }
    }

    private static void idx(Path raw, Path gzipped) throws IOException {
        ByteBuffer images = ByteBuffer.allocate(4 + 12 + 2 * 3 * 3).putInt(0x00000803).putInt(2).putInt(3).putInt(3);
        for (int i = 0; i < 18; i++) {
            images.put((byte) (i * 14));
        }
        ByteBuffer labels = ByteBuffer.allocate(8 + 2).putInt(0x00000801).putInt(2).put((byte) 3).put((byte) 9);
        write(raw, "images.idx", images.array());
        write(raw, "labels.idx", labels.array());
        write(raw, "labels.idx.gz", FileReadersFuzzTest.gzip(labels.array()));
        byte[] billions = ByteBuffer.allocate(48).putInt(0x00000801).putInt(Integer.MAX_VALUE - 9).array();
        write(raw, "billions-of-labels.gz", FileReadersFuzzTest.gzip(billions));
        write(gzipped, "images.idx", images.array());
        write(gzipped, "labels.idx", labels.array());
        write(gzipped, "billions-of-labels.idx", billions);
    }
}
