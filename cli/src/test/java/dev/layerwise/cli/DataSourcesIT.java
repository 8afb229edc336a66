package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.data.Mnist;
import dev.layerwise.data.MnistFetcher;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real MNIST through the other sources: the same images as IDX files read with {@code --idx}, and as CSV tables
 * (a label column and 784 pixel columns, as Kaggle's digit-recognizer files are laid out) read with {@code --csv},
 * train the book's two-layer net to the accuracy of the usual route with the same seed and steps. Run by
 * {@code mvn verify}.
 */
class DataSourcesIT {
    @TempDir
    static Path tmp;

    /** Writes one MNIST split as a CSV table: {@code label,pixel0,…,pixel783}, pixels 0–255. */
    private static Path csv(Path dir, String images, String labels, String name) throws IOException {
        Mnist.Split s = Mnist.readSplit(dir, images, labels);
        Path f = tmp.resolve(name);
        try (BufferedWriter w = Files.newBufferedWriter(f)) {
            StringBuilder head = new StringBuilder("label");
            for (int p = 0; p < Mnist.PIXELS; p++) {
                head.append(",pixel").append(p);
            }
            w.write(head.append('\n').toString());
            StringBuilder row = new StringBuilder();
            for (int i = 0; i < s.count(); i++) {
                row.setLength(0);
                row.append(s.labels()[i]);
                for (int p = 0; p < Mnist.PIXELS; p++) {
                    row.append(',').append(s.pixel(i, p));
                }
                w.write(row.append('\n').toString());
            }
        }
        return f;
    }

    @Test
    void mnistAsIdxAndAsCsvTrainsTheTwoLayerNetToTheUsualAccuracy() throws IOException {
        Path dir = new MnistFetcher().fetch();
        CliTesting.Run usual = CliTesting.run("train", "--data", dir.toString(), "--json", "-q");
        assertEquals(0, usual.exit(), usual.err());
        double expected = MnistEndToEndIT.field(usual.lastLine(), "test_accuracy");

        // The same bytes as any IDX set: the same network, batches and arithmetic, so the same figures.
        CliTesting.Run idx = CliTesting.run("train", "--idx", dir.toString(), "--json", "-q");
        assertEquals(0, idx.exit(), idx.err());
        assertEquals(expected, MnistEndToEndIT.field(idx.lastLine(), "test_accuracy"), 0.0);

        Path train = csv(dir, Mnist.TRAIN_IMAGES, Mnist.TRAIN_LABELS, "mnist_train.csv");
        Path test = csv(dir, Mnist.TEST_IMAGES, Mnist.TEST_LABELS, "mnist_test.csv");
        CliTesting.Run table = CliTesting.run("train", "--csv", train.toString(), "--test-csv", test.toString(),
                "--label", "label", "--normalize", "255", "--json", "-q");
        assertEquals(0, table.exit(), table.err());
        double fromCsv = MnistEndToEndIT.field(table.lastLine(), "test_accuracy");
        System.out.printf(Locale.ROOT, "two-layer net, same seed and steps: test accuracy %.4f from IDX, %.4f from "
                + "CSV%n", expected, fromCsv);
        assertEquals(expected, fromCsv, 0.003);
        assertTrue(table.lastLine().contains("\"iterations\": 10000"), table.lastLine());
    }
}
