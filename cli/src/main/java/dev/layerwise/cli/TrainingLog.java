package dev.layerwise.cli;

import dev.layerwise.train.Evaluation;
import dev.layerwise.train.Trainer;
import dev.layerwise.train.TrainingListener;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code --log FILE}: one row per evaluation, written as it happens, so that runs can be compared (and a crashed run
 * still leaves its history). CSV with a header, or JSON lines when the file name ends in {@code .jsonl}.
 */
final class TrainingLog implements TrainingListener, AutoCloseable {
    static final String CSV_HEADER = "iteration,epoch,loss,train_accuracy,test_accuracy,seconds";

    private final Path file;
    private final boolean jsonLines;
    /** The name of the evaluated set's column: {@code test_accuracy}, or {@code validation_accuracy}. */
    private final String evaluated;
    private BufferedWriter writer;

    /** A log of a run that evaluates on the test set, or on a {@code validation} split. */
    TrainingLog(Path file, boolean validation) {
        this.file = file;
        this.jsonLines = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jsonl");
        this.evaluated = validation ? "validation_accuracy" : "test_accuracy";
    }

    @Override
    public void onStart(Trainer trainer) {
        try {
            writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            if (!jsonLines) {
                writer.write(CSV_HEADER.replace("test_accuracy", evaluated));
                writer.newLine();
                writer.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("--log " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean toleratesLateEvaluations() {
        return true; // it only writes them to the file
    }

    @Override
    public void onEvaluation(Trainer trainer, Evaluation e) {
        try {
            if (jsonLines) {
                writer.write(new Json().put("iteration", e.iteration()).put("epoch", e.epoch()).put("loss", e.loss())
                        .put("train_accuracy", e.trainAccuracy()).put(evaluated, e.testAccuracy())
                        .put("seconds", e.seconds()).toString());
            } else {
                writer.write(String.format(Locale.ROOT, "%d,%s,%s,%s,%s,%.3f", e.iteration(), e.epoch(), e.loss(),
                        e.trainAccuracy(), e.testAccuracy(), e.seconds()));
            }
            writer.newLine();
            writer.flush();
        } catch (IOException ex) {
            throw new UncheckedIOException("--log " + file + ": " + ex.getMessage(), ex);
        }
    }

    @Override
    public void close() throws IOException {
        if (writer != null) {
            writer.close();
        }
    }
}
