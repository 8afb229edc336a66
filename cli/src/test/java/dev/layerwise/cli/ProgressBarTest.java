package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.data.DataSet;
import dev.layerwise.net.TwoLayerNet;
import dev.layerwise.optim.SGD;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.train.Trainer;
import dev.layerwise.util.Rng;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    @Test
    void aWideTerminalGetsEverything() {
        String line = new ProgressBar(new PrintWriter(new StringWriter()), true, 0)
                .line(3, 17, 342, 600, 2310, 0.2213, 4);
        assertEquals("epoch  3/17 [█████████████▌          ]   342/600  2,310 it/s  loss 0.2213  ETA 0:04", line);
    }

    @Test
    void aNarrowTerminalGetsALineThatNeverWraps() {
        for (int columns = 30; columns <= 120; columns++) {
            String line = new ProgressBar(new PrintWriter(new StringWriter()), false, columns)
                    .line(3, 17, 342, 600, 2310, 0.2213, 4);
            assertTrue(line.length() < columns, columns + " columns: " + line);
            assertTrue(line.startsWith("epoch  3/17 ["), line);
            if (columns >= 50) {
                assertTrue(line.endsWith("ETA 0:04"), columns + " columns keep the ETA: " + line);
            }
        }
        String sixty = new ProgressBar(new PrintWriter(new StringWriter()), false, 60)
                .line(3, 17, 342, 600, 2310, 0.2213, 4);
        assertTrue(sixty.contains("loss 0.2213") && !sixty.contains("it/s"), "the rate goes first: " + sixty);
    }

    @Test
    void theEtaIsTheRunsNotTheEpochs() throws InterruptedException {
        int batch = 10;
        DataSet train = new DataSet(Tensor.zeros(DType.FLOAT32, 60 * batch, 4), Labels.of(new int[60 * batch]));
        Trainer trainer = Trainer.builder(new TwoLayerNet(4, 3, 2, 0.01, DType.FLOAT32, new Rng(1)), new SGD(0.1),
                train, train).iterations(600).batchSize(batch).build();
        StringWriter out = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(out), false, 0);
        bar.onStart(trainer);
        bar.onIteration(trainer, 1, 1.0);
        Thread.sleep(150);
        bar.onIteration(trainer, 31, 1.0); // 30 iterations in at least 0.15 s: at most 200 it/s
        Matcher eta = Pattern.compile("ETA (\\d+):(\\d\\d)$").matcher(out.toString());
        assertTrue(eta.find(), out.toString());
        int seconds = Integer.parseInt(eta.group(1)) * 60 + Integer.parseInt(eta.group(2));
        // 569 iterations left in the run take at least 2.8 s; the epoch's 29 would take 0.15 s.
        assertTrue(seconds >= 3, "the run's time left: " + out);
    }

    @Test
    void aHeaderIsWrappedAtSpacesToTheTerminal() {
        String header = "two-layer 784-50-10 (float32), SGD lr 0.1, batch 100, 10000 iterations (16.7 epochs of "
                + "60000 images), seed 7, vector kernels, 2 threads";
        assertEquals(header, Terminal.wrap(header, 0));
        String wrapped = Terminal.wrap(header, 60);
        for (String line : wrapped.split(System.lineSeparator())) {
            assertTrue(line.length() <= 60, line);
        }
        assertEquals(header, wrapped.replace(System.lineSeparator() + "  ", " "));
    }
}
