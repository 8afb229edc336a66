package dev.layerwise.cli;

import dev.layerwise.data.DataContract;
import dev.layerwise.data.DataSet;
import dev.layerwise.data.DataSets;
import dev.layerwise.data.DataSource;
import dev.layerwise.data.LabeledData;
import dev.layerwise.io.FileFormatException;
import dev.layerwise.model.Model;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
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
 * {@code layerwise eval}: accuracy, per-class precision and recall and the confusion matrix of a model, labelled with
 * its class names, on MNIST's test set or on the user's data: a source's test set (or all of it when it has none), or
 * every row of a CSV file, prepared as the model's contract says.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate a model: accuracy, precision, recall, confusion matrix.",
            "On MNIST's test set by default; on a data source's test set (or all of it",
            "without one), or on every row of --csv FILE (with --label COLUMN).",
            "The model comes from --model FILE.lw or --arch NAME --params FILE.npz."})
final class EvalCommand implements Callable<Integer> {
    @Mixin
    ModelSource modelSource;

    @Mixin
    DataOptions data;

    @Option(names = "--json",
            description = "Standard output carries one JSON object only: test_accuracy, images, precision, recall, "
                    + "confusion, class_names; the report for people goes to standard error.")
    boolean json;

    @Spec
    CommandSpec spec;

    /** The examples evaluated, the contract they are read by, and what they are in a few words. */
    private record Evaluated(DataSet examples, DataContract contract, String what) {
    }

    @Override
    public Integer call() throws Exception {
        data.checkForEvaluation(spec);
        Model model = modelSource.load();
        // With --json, standard output is for the one JSON object alone: the report for people goes to standard error.
        PrintWriter out = json ? spec.commandLine().getErr() : spec.commandLine().getOut();
        Evaluated e = examples(model);
        DataSet test = e.examples();
        List<String> names = e.contract().classNames();
        int[] predicted = model.classify(test.x());
        int[] actual = test.t().indices();
        int k = names.size();
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
        out.printf(Locale.ROOT, "%s on %d %s: accuracy %.4f%n", model, actual.length, e.what(), accuracy);
        out.println();
        int nameWidth = 5;
        for (String n : names) {
            nameWidth = Math.max(nameWidth, n.length());
        }
        out.println(pad("class", nameWidth) + "  precision  recall");
        for (int c = 0; c < k; c++) {
            out.printf(Locale.ROOT, "%" + nameWidth + "s  %9.4f  %6.4f%n", names.get(c), precision.get(c),
                    recall.get(c));
        }
        out.println();
        out.println("confusion matrix (rows: true class, columns: predicted)");
        int cell = 6;
        for (String n : names) {
            cell = Math.max(cell, n.length() + 1);
        }
        for (long[] row : confusion) {
            for (long v : row) {
                cell = Math.max(cell, Long.toString(v).length() + 1);
            }
        }
        StringBuilder head = new StringBuilder(" ".repeat(nameWidth));
        for (int c = 0; c < k; c++) {
            head.append(String.format(Locale.ROOT, "%" + cell + "s", names.get(c)));
        }
        out.println(head);
        for (int r = 0; r < k; r++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%" + nameWidth + "s", names.get(r)));
            for (int c = 0; c < k; c++) {
                row.append(String.format(Locale.ROOT, "%" + cell + "d", confusion[r][c]));
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
            out.flush();
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.println(new Json().put("test_accuracy", accuracy).put("images", actual.length)
                    .put("precision", precision).put("recall", recall).put("confusion", matrix)
                    .put("class_names", names));
            stdout.flush();
        }
        out.flush();
        return 0;
    }

    private static String pad(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }

    /** The examples to evaluate on, read as the model's contract says. */
    private Evaluated examples(Model model) throws IOException {
        DataContract contract = model.contract();
        DataSource source = data.source(0);
        if (source.kind() == DataSource.Kind.CSV) {
            Path file = data.sources.csv;
            if (contract == null || contract.kind() != DataContract.Kind.FEATURES) {
                throw new FileFormatException("the model " + (contract == null ? "does not record the data it was "
                        + "trained on" : "takes images " + dev.layerwise.tensor.Shapes.toString(contract
                        .exampleShape())) + ", so it cannot read the rows of " + file + " (a model trained with "
                        + "--csv can)");
            }
            DataSet rows = DataSets.csvForModel(file, contract, data.label, model.network().dtype());
            return new Evaluated(rows, contract, "rows of " + file.getFileName());
        }
        data.readFor = contract;
        LabeledData d = data.load(source, model.network().dtype(), spec.commandLine().getErr()::println);
        DataSet test = d.test() != null ? d.test() : d.train();
        DataContract c = contract != null ? contract : d.contract();
        String what = source.kind() == DataSource.Kind.MNIST ? "MNIST test images"
                : (d.test() != null ? "test examples of " : "examples of ") + Path.of(source.path()).getFileName();
        DataSets.checkFits(test, c, what);
        if (!c.normalization().equals(d.contract().normalization())) {
            throw new FileFormatException(Path.of(String.valueOf(source.path())).getFileName() + ": the model was "
                    + "trained on inputs normalised as " + c.normalization() + ", these read as "
                    + d.contract().normalization());
        }
        return new Evaluated(test, c, what);
    }
}
