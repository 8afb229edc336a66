package dev.layerwise.cli;

import dev.layerwise.data.DataSet;
import dev.layerwise.data.Mnist;
import dev.layerwise.model.Model;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code layerwise eval}: accuracy, per-class precision and recall and the confusion matrix of a model on the MNIST
 * test set.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate a model on MNIST's test set: accuracy, precision, recall, confusion.",
            "The model comes from --model FILE.lw or --arch NAME --params FILE.npz."})
final class EvalCommand implements Callable<Integer> {
    @Mixin
    ModelSource modelSource;

    @Mixin
    MnistSource data;

    @Option(names = "--json", description = "End with one JSON object: test_accuracy, precision, recall, confusion.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Model model = modelSource.load();
        PrintWriter out = spec.commandLine().getOut();
        DataSet test = data.load(Mnist.Options.defaults().withFlatten(false).withDType(model.network().dtype()),
                spec.commandLine().getErr()::println).test();
        int[] predicted = model.classify(test.x());
        int[] actual = test.t().indices();
        int k = Mnist.CLASSES;
        long[][] confusion = new long[k][k];
        int correct = 0;
        for (int i = 0; i < actual.length; i++) {
            confusion[actual[i]][predicted[i]]++;
            correct += actual[i] == predicted[i] ? 1 : 0;
        }
        double accuracy = (double) correct / actual.length;
        List<Double> precision = new ArrayList<>();
        List<Double> recall = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            long tp = confusion[c][c];
            long predictedC = 0;
            long actualC = 0;
            for (int j = 0; j < k; j++) {
                predictedC += confusion[j][c];
                actualC += confusion[c][j];
            }
            precision.add(predictedC == 0 ? 0.0 : (double) tp / predictedC);
            recall.add(actualC == 0 ? 0.0 : (double) tp / actualC);
        }
        out.printf(Locale.ROOT, "%s on %d MNIST test images: accuracy %.4f%n", model, actual.length, accuracy);
        out.println();
        out.println("class  precision  recall");
        for (int c = 0; c < k; c++) {
            out.printf(Locale.ROOT, "%5d  %9.4f  %6.4f%n", c, precision.get(c), recall.get(c));
        }
        out.println();
        out.println("confusion matrix (rows: true class, columns: predicted)");
        StringBuilder head = new StringBuilder("     ");
        for (int c = 0; c < k; c++) {
            head.append(String.format(Locale.ROOT, "%6d", c));
        }
        out.println(head);
        for (int r = 0; r < k; r++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%5d", r));
            for (int c = 0; c < k; c++) {
                row.append(String.format(Locale.ROOT, "%6d", confusion[r][c]));
            }
            out.println(row);
        }
        if (json) {
            List<List<Long>> matrix = new ArrayList<>();
            for (long[] row : confusion) {
                List<Long> r = new ArrayList<>();
                for (long v : row) {
                    r.add(v);
                }
                matrix.add(r);
            }
            out.println(new Json().put("test_accuracy", accuracy).put("images", actual.length)
                    .put("precision", precision).put("recall", recall).put("confusion", matrix));
        }
        out.flush();
        return 0;
    }
}
