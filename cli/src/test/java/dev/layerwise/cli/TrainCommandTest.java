package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code layerwise train}: every bad option is a usage error naming it, before any data is read; runs on tiny data. */
class TrainCommandTest {
    @TempDir
    Path tmp;

    static List<Arguments> badOptions() {
        return List.of(
                Arguments.of("--arch mlp --hidden=", "--hidden needs at least one hidden layer size"),
                Arguments.of("--arch mlp --hidden 100,,50", "--hidden must be sizes separated by commas"),
                Arguments.of("--arch mlp --hidden 100,x", "--hidden must be whole numbers"),
                Arguments.of("--arch mlp --hidden 100,0", "--hidden sizes must be at least 1"),
                Arguments.of("--hidden 100,100", "--arch two-layer has one hidden layer"),
                Arguments.of("--optimizer adamw", "--optimizer: unknown optimizer 'adamw'"),
                Arguments.of("--lr -0.1", "--lr must be a positive number, got -0.1"),
                Arguments.of("--arch mlp --optimizer adam --lr 0", "--lr must be a positive number"),
                Arguments.of("--arch mlp --dropout 1", "--dropout must be a ratio in [0, 1), got 1.0"),
                Arguments.of("--arch mlp --dropout -0.1", "--dropout must be a ratio in [0, 1)"),
                Arguments.of("--arch mlp --dropout-mode sideways", "--dropout-mode: unknown dropout mode"),
                Arguments.of("--arch mlp --weight-decay -0.5", "--weight-decay must be a number >= 0"),
                Arguments.of("--arch mlp --init heavy", "--init: unknown weight init 'heavy'"),
                Arguments.of("--arch mlp --init -1", "--init: weight init std must be a finite number >= 0"),
                Arguments.of("--arch mlp --activation tanh", "--activation: unknown activation 'tanh'"),
                Arguments.of("--batchnorm", "--batchnorm needs --arch mlp"),
                Arguments.of("--dropout 0.5", "--dropout needs --arch mlp"),
                Arguments.of("--weight-decay 0.1", "--weight-decay needs --arch mlp"),
                Arguments.of("--activation sigmoid", "--activation sigmoid needs --arch mlp"),
                Arguments.of("--init xavier", "--arch two-layer takes a standard deviation for --init"),
                Arguments.of("--optimizer sgd --momentum 0.5",
                        "--momentum applies to --optimizer momentum or nesterov"),
                Arguments.of("--optimizer adam --decay-rate 0.9", "--decay-rate applies to --optimizer rmsprop"),
                Arguments.of("--optimizer momentum --momentum 1", "--momentum must be in [0, 1)"),
                Arguments.of("--optimizer adam --beta2 1.5", "--beta2 must be in [0, 1)"),
                Arguments.of("--lr-schedule step:0:0.5", "--lr-schedule: step schedule: EVERY must be at least 1"),
                Arguments.of("--lr-schedule warmup", "--lr-schedule: unknown learning-rate schedule 'warmup'"),
                Arguments.of("--iterations 10 --epochs 1", "give --iterations or --epochs, not both"),
                Arguments.of("--epochs 0", "--epochs must be at least 1"),
                Arguments.of("--batch-size 0", "--batch-size must be at least 1"),
                Arguments.of("--train-size 0", "--train-size must be at least 1"),
                Arguments.of("--train-size 70000", "--train-size must be at most 60000"),
                Arguments.of("--eval-sample -1", "--eval-sample must be at least 0"),
                Arguments.of("--early-stopping 0", "--early-stopping must be at least 1"),
                Arguments.of("--arch convnet", "unknown network 'convnet'"),
                // Checked before the run, naming the user's path, not a temporary file's.
                Arguments.of("--save /proc/m.lw", "cannot write /proc/m.lw: files cannot be created in /proc"),
                Arguments.of("--plot /proc/c.svg", "cannot write /proc/c.svg: files cannot be created in /proc"),
                Arguments.of("--model convnet", "unknown network 'convnet' (expected two-layer"),
                Arguments.of("--arch mlp --model mlp", "--model is the former name of --arch: give --arch only"),
                Arguments.of("--model run.lw", "train takes a network type with --arch; to continue training a saved model, use --resume run.lw"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badOptions")
    void aBadOptionIsAUsageErrorNamingIt(String args, String message) {
        // --data points nowhere: had validation passed, loading would fail with exit code 1 instead.
        String[] argv = (args + " --data " + tmp.resolve("missing")).split(" ");
        String[] full = new String[argv.length + 1];
        full[0] = "train";
        System.arraycopy(argv, 0, full, 1, argv.length);
        CliTesting.Run r = CliTesting.run(full);
        assertEquals(Main.USAGE, r.exit(), r.err());
        assertTrue(r.err().contains(message), "stderr '" + r.err() + "' lacks '" + message + "'");
        assertTrue(r.err().strip().lines().count() == 1, "one line: " + r.err());
        assertEquals("", r.out());
    }

    @Test
    void helpShowsTheDefaults() {
        CliTesting.Run r = CliTesting.run("train", "--help");
        assertEquals(0, r.exit());
        String help = r.out().replaceAll("\\s+", " ");
        for (String s : List.of("--arch", "Default: two-layer", "--optimizer", "Default: adam for the conv nets (the book's train_convnet.py), else sgd", "--lr",
                "Default: 0.1 for two-layer with sgd", "--hidden", "100,100,100,100 for mlp", "--init",
                "he for mlp", "--batchnorm", "--dropout", "--dropout-mode", "Default: book", "--weight-decay",
                "--momentum", "Default: 0.9", "--beta2", "Default: 0.999", "--lr-schedule", "Default: constant",
                "--iterations", "Default: 10000", "--eval-sample", "--early-stopping")) {
            assertTrue(help.contains(s), "help lacks '" + s + "':\n" + r.out());
        }
    }

    @Test
    void theFormerSpellingOfArchStillWorksWithANote() throws IOException {
        Path data = CliTesting.tinyMnist(tmp, 300, 50);
        CliTesting.Run r = CliTesting.run("train", "--model", "mlp", "--hidden", "20", "--iterations", "2", "--data",
                data.toString(), "--quiet");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("note: --model mlp is spelled --arch mlp now"), r.err());
    }

    @Test
    void noOptionsIsTheBooksChapterFiveRun() throws IOException {
        Path data = CliTesting.tinyMnist(tmp, 300, 50);
        CliTesting.Run r = CliTesting.run("train", "--iterations", "3", "--data", data.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("two-layer 784-50-10 (float32), SGD lr 0.1, batch 100, 3 iterations"),
                r.out());
    }

    @Test
    void aChapterSixNetworkTrainsOnTinyData() throws IOException {
        Path data = CliTesting.tinyMnist(tmp, 300, 100);
        CliTesting.Run r = CliTesting.run("train", "--arch", "mlp", "--hidden", "40,40", "--optimizer", "adam",
                "--lr", "0.01", "--init", "he", "--batchnorm", "--dropout", "0.1", "--weight-decay", "0.001",
                "--epochs", "15", "--batch-size", "30", "--lr-schedule", "cosine", "--data", data.toString(),
                "--json", "--seed", "3");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().startsWith("mlp-extend 784-40-40-10 (float32; relu, init he, batch norm, dropout 0.1, "
                + "weight decay 0.001), adam lr 0.01, beta1 0.9, beta2 0.999, schedule cosine"), r.err());
        TrainOutputTest.jsonObject(r.out());
        String json = r.out().strip();
        assertTrue(json.startsWith("{\"test_accuracy\": ") && json.endsWith("}"), json);
        for (String s : List.of("\"model\": \"mlp-extend\"", "\"hidden_sizes\": [40, 40]", "\"optimizer\": \"adam\"",
                "\"optimizer_params\": {\"lr\": 0.01, \"beta1\": 0.9, \"beta2\": 0.999}", "\"use_batchnorm\": true",
                "\"dropout_ratio\": 0.1", "\"dropout_mode\": \"book\"", "\"iterations\": 150")) {
            assertTrue(json.contains(s), json + " lacks " + s);
        }
        double testAccuracy = Double.parseDouble(json.substring("{\"test_accuracy\": ".length(), json.indexOf(',')));
        assertTrue(testAccuracy > 0.8, "the blocks are learnable: " + testAccuracy);
    }

    @Test
    void earlyStoppingEndsTheRun() throws IOException {
        Path data = CliTesting.tinyMnist(tmp, 100, 50);
        CliTesting.Run r = CliTesting.run("train", "--arch", "mlp", "--hidden", "20", "--lr", "1e-9", "--epochs",
                "30", "--batch-size", "10", "--early-stopping", "2", "--data", data.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("early stopping: no better validation accuracy for 2 evaluations"), r.out());
    }
}
