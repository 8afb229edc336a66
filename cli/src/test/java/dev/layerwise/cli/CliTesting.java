package dev.layerwise.cli;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the command line in-process (or in a JVM of its own), and writes a tiny learnable MNIST so that commands run
 * without the network.
 */
final class CliTesting {
    private CliTesting() {
    }

    /** What a run printed and returned. */
    record Run(int exit, String out, String err) {
        String lastLine() {
            String[] lines = out.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    /** {@code layerwise train --data DATA ARGS…}. */
    static Run train(Path data, String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "train";
        all[1] = "--data";
        all[2] = data.toString();
        System.arraycopy(args, 0, all, 3, args.length);
        return run(all);
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    /**
     * Runs the command line in a JVM of its own, with the Vector API's module and {@code jvmOptions}: for what happens
     * once per JVM (the choice of kernels) or takes the JVM down (running out of heap).
     */
    static Run runInNewJvm(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--add-modules", "jdk.incubator.vector"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        // To files, not pipes: reading one pipe to its end while the child fills the other would hang, and would
        // leave the time limit below unchecked.
        Path outFile = Files.createTempFile("layerwise-out", ".txt");
        Path errFile = Files.createTempFile("layerwise-err", ".txt");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(outFile.toFile()).redirectError(errFile.toFile())
                    .start();
            boolean ended = p.waitFor(2, TimeUnit.MINUTES);
            if (!ended) {
                p.destroyForcibly().waitFor();
            }
            String out = Files.readString(outFile, StandardCharsets.UTF_8);
            String err = Files.readString(errFile, StandardCharsets.UTF_8);
            if (!ended) {
                throw new AssertionError("the run did not end within 2 minutes: " + out + err);
            }
            return new Run(p.exitValue(), out, err);
        } finally {
            Files.deleteIfExists(outFile);
            Files.deleteIfExists(errFile);
        }
    }

    /**
     * The four MNIST files with {@code train} and {@code test} images in {@code dir}: image i shows digit i % 10 as a
     * bright 4×4 block at a position of its own (plus a little deterministic noise), so a network can learn it.
     */
    static Path tinyMnist(Path dir, int train, int test) throws IOException {
        write(dir, "train", train, 1);
        write(dir, "t10k", test, 2);
        return dir;
    }

    private static void write(Path dir, String split, int count, int seed) throws IOException {
        try (OutputStream f = Files.newOutputStream(dir.resolve(split + "-images-idx3-ubyte"));
             DataOutputStream images = new DataOutputStream(new BufferedOutputStream(f))) {
            images.writeInt(0x00000803);
            images.writeInt(count);
            images.writeInt(28);
            images.writeInt(28);
            long state = seed;
            for (int i = 0; i < count; i++) {
                int digit = i % 10;
                int top = 2 + (digit / 5) * 12;
                int left = 2 + (digit % 5) * 5;
                for (int r = 0; r < 28; r++) {
                    for (int c = 0; c < 28; c++) {
                        state = state * 6364136223846793005L + 1442695040888963407L;
                        boolean block = r >= top && r < top + 4 && c >= left && c < left + 4;
                        int noise = (int) ((state >>> 33) % 40);
                        images.writeByte(block ? 255 - noise : noise);
                    }
                }
            }
        }
        try (OutputStream f = Files.newOutputStream(dir.resolve(split + "-labels-idx1-ubyte"));
             DataOutputStream labels = new DataOutputStream(f)) {
            labels.writeInt(0x00000801);
            labels.writeInt(count);
            for (int i = 0; i < count; i++) {
                labels.writeByte(i % 10);
            }
        }
    }
}
