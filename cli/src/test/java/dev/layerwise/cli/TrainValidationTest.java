package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code train} watches and reports, as a user runs it: early stopping on a validation split and the test set
 * at the end, sampled epoch figures marked as such, a warning for a run that learned nothing, and the checkpoint
 * file checked before the run.
 */
class TrainValidationTest {
    @TempDir
    Path tmp;
    private Path data;

    @BeforeEach
    void data() throws IOException {
        data = CliTesting.tinyMnist(Files.createDirectories(tmp.resolve("mnist")), 300, 60);
    }

    private CliTesting.Run train(String... args) {
        return CliTesting.train(data, args);
    }

    @Test
    void earlyStoppingWithoutASplitHoldsOutTenPercentAndReportsBothAccuracies() {
        CliTesting.Run r = train("--arch", "mlp", "--hidden", "20", "--lr", "1e-9", "--epochs", "30", "--batch-size",
                "10", "--early-stopping", "2", "--json");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().startsWith("note: early stopping watches a validation split: 10% of the training data is "
                + "held out (--val-split 0.1"), r.err());
        assertTrue(r.err().contains("data: MNIST: validation 10% (seed 7, stratified): 270 train, 30 validation, "
                + "60 test"), r.err());
        assertTrue(r.err().contains("  val acc ") && !r.err().contains("  test acc "),
                "the epochs are evaluated on the validation split only: " + r.err());
        assertTrue(r.err().contains("early stopping: no better validation accuracy for 2 evaluations"), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.matches("test accuracy 0\\.\\d{4}, validation accuracy 0\\.\\d{4}, "
                + "train accuracy .*")), r.err());
        Map<?, ?> json = TrainOutputTest.jsonObject(r.out());
        assertTrue(json.get("test_accuracy") instanceof Number && json.get("validation_accuracy") instanceof Number,
                r.out());
        assertEquals("validation", json.get("evaluated_on"));
        assertTrue(((Number) json.get("iterations")).intValue() < 27 * 30, "stopped early: " + r.out());
    }

    @Test
    void aGivenSplitIsUsedAndTheTestSetIsReadAtTheEndOnly() {
        CliTesting.Run r = train("--iterations", "40", "--batch-size", "30", "--val-split", "0.2", "--json",
                "--log", tmp.resolve("run.csv").toString());
        assertEquals(0, r.exit(), r.err());
        assertFalse(r.err().contains("note: early stopping"), r.err());
        Map<?, ?> json = TrainOutputTest.jsonObject(r.out());
        double test = ((Number) json.get("test_accuracy")).doubleValue();
        double validation = ((Number) json.get("validation_accuracy")).doubleValue();
        assertTrue(r.err().contains(String.format(java.util.Locale.ROOT, "test accuracy %.4f, validation accuracy "
                + "%.4f, ", test, validation)), r.err());
        assertTrue(r.err().contains(String.format(java.util.Locale.ROOT, "val acc %.4f", validation)),
                "the last epoch line shows the validation figure of the summary: " + r.err());
        try {
            assertTrue(Files.readAllLines(tmp.resolve("run.csv")).get(0).contains(",validation_accuracy,"),
                    "the log names the set it evaluated");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void resumingWithEarlyStoppingARunWithoutASplitIsRefused() {
        Path model = tmp.resolve("m.lw");
        assertEquals(0, train("--iterations", "10", "--batch-size", "30", "--save", model.toString()).exit());
        CliTesting.Run r = CliTesting.run("train", "--resume", model.toString(), "--iterations", "20",
                "--early-stopping", "2");
        assertEquals(Main.USAGE, r.exit(), r.err());
        assertTrue(r.err().contains("--early-stopping watches a validation split, and the run in " + model
                + " trains without one"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void epochFiguresFromASampleAreMarked() {
        CliTesting.Run r = train("--iterations", "20", "--batch-size", "30", "--eval-sample", "50");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("each epoch's accuracies, marked ~, are measured on the first 50 images of each "
                + "set (--eval-sample); the final ones on all"), r.out());
        assertTrue(r.out().contains("  train acc~ 0.") && r.out().contains("  test acc~ 0."), r.out());
        CliTesting.Run all = train("--iterations", "20", "--batch-size", "30");
        assertFalse(all.out().contains("~"), "the whole sets: no mark: " + all.out());
    }

    @Test
    void aRunThatEndsAtChanceLevelIsWarnedAbout() {
        CliTesting.Run r = train("--iterations", "30", "--batch-size", "30", "--lr", "50", "--json");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.matches("warning: the run ended at chance level \\(test accuracy "
                + "0\\.\\d{4} for 10 classes\\): the learning rate 50 is probably too high; try 0\\.1, the default "
                + "for sgd")), r.err());
        assertEquals(Boolean.TRUE, TrainOutputTest.jsonObject(r.out()).get("at_chance_level"));
        CliTesting.Run learned = train("--iterations", "60", "--batch-size", "30", "--json");
        assertFalse(learned.err().contains("warning"), learned.err());
        assertEquals(Boolean.FALSE, TrainOutputTest.jsonObject(learned.out()).get("at_chance_level"));
    }

    @Test
    void theCheckpointFileIsCheckedBeforeTheRun() throws IOException {
        CliTesting.Run proc = train("--iterations", "10", "--save", "/proc/m.lw", "--checkpoint-every", "2");
        assertEquals(Main.USAGE, proc.exit());
        assertEquals(List.of("layerwise train: cannot write /proc/m.lw: files cannot be created in /proc (--save) (see "
                + "'layerwise train --help')"), proc.err().lines().toList());
        Path dir = Files.createDirectories(tmp.resolve("dir.lw"));
        CliTesting.Run resumed = CliTesting.run("train", "--resume", dir.toString(), "--checkpoint-every", "2");
        assertEquals(Main.USAGE, resumed.exit(), resumed.err());
        assertTrue(resumed.err().startsWith("layerwise train: cannot write " + dir + ": it is a directory"),
                "checkpoints go to the resumed file: " + resumed.err());
        assertEquals("", proc.out() + resumed.out());
    }
}
