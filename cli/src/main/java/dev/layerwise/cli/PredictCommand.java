package dev.layerwise.cli;

import dev.layerwise.data.DataContract;
import dev.layerwise.data.DataSets;
import dev.layerwise.data.ImageDecoder;
import dev.layerwise.model.Model;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code layerwise predict --model FILE IMAGE…}: the most likely classes of image files, with probabilities; and
 * {@code --csv FILE}: the most likely classes of a table's rows, for a model trained on a CSV table.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Classify image files (PNG, JPEG, …; any size and colour) with a model.",
            "A model trained with --images reads them as in training (resized to its",
            "size, grey or RGB). A model of MNIST's digits converts them to 28×28 grey,",
            "white digit on black (MNIST's polarity); use --invert for a dark digit on",
            "a light background.",
            "For a model trained with --csv: classify the rows of --csv FILE",
            "(same feature columns; a label column may be there and is ignored)."})
final class PredictCommand implements Callable<Integer> {
    @Mixin
    ModelSource source;

    @Parameters(paramLabel = "IMAGE", arity = "0..*", description = "Image files to classify.")
    List<Path> images = new ArrayList<>();

    @Option(names = "--csv", paramLabel = "FILE",
            description = "Classify the rows of this CSV table (for a model trained with --csv).")
    Path csv;

    @Option(names = "--invert", description = "The images show a dark digit on a light background.")
    boolean invert;

    @Option(names = "--top", paramLabel = "K", defaultValue = "3",
            description = "How many classes to show per image. Default: ${DEFAULT-VALUE}.")
    int top;

    @Option(names = "--json", description = "One JSON object per image: file, prediction, top classes.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (top < 1) {
            throw new ParameterException(spec.commandLine(), "--top must be at least 1, got " + top);
        }
        if ((csv == null) == images.isEmpty()) {
            throw new ParameterException(spec.commandLine(), csv == null ? "give image files to classify, or --csv FILE"
                    : "give image files or --csv FILE, not both");
        }
        Model model = source.load();
        PrintWriter out = spec.commandLine().getOut();
        DataContract contract = model.contract() != null ? model.contract() : DataContract.mnist();
        boolean table = contract.kind() == DataContract.Kind.FEATURES;
        if (table != (csv != null)) {
            throw new ParameterException(spec.commandLine(), table
                    ? "the model was trained on table features " + Shapes.toString(contract.exampleShape())
                            + " (columns " + String.join(", ", contract.featureNames()) + "): give --csv FILE"
                    : "the model takes images " + Shapes.toString(contract.exampleShape()) + ", not --csv rows");
        }
        List<String> names = contract.classNames();
        Tensor x;
        List<String> labels = new ArrayList<>();
        if (table) {
            x = DataSets.csvForModel(csv, contract, null, model.network().dtype()).x();
            for (int i = 0; i < x.dim(0); i++) {
                labels.add(csv + " row " + (i + 1));
            }
        } else {
            x = images(model, contract);
            for (Path p : images) {
                labels.add(p.toString());
            }
        }
        Tensor probs = model.probabilities(x);
        int classes = probs.dim(1);
        int k = Math.min(top, classes);
        for (int i = 0; i < labels.size(); i++) {
            Integer[] order = new Integer[classes];
            for (int c = 0; c < classes; c++) {
                order[c] = c;
            }
            int row = i;
            java.util.Arrays.sort(order, (a, b) -> Double.compare(probs.getDouble(row * classes + b),
                    probs.getDouble(row * classes + a)));
            if (json) {
                List<Object> best = new ArrayList<>();
                for (int j = 0; j < k; j++) {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("class", order[j]);
                    e.put("name", names.get(order[j]));
                    e.put("probability", probs.getDouble(row * classes + order[j]));
                    best.add(e);
                }
                Map<String, Object> all = new LinkedHashMap<>();
                for (int c = 0; c < classes; c++) {
                    all.put(names.get(c), probs.getDouble(row * classes + c));
                }
                Json j = table ? new Json().put("file", csv.toString()).put("row", i + 1)
                        : new Json().put("file", labels.get(i));
                // A model of MNIST's digits predicts the digit, a number, as it always has; others a class name.
                boolean digits = contract.imageFit() == DataContract.ImageFit.MNIST_DIGIT;
                out.println(j.put("prediction", digits ? (Object) order[0] : names.get(order[0]))
                        .put("top", best).put("probabilities", all));
            } else {
                StringBuilder sb = new StringBuilder(labels.get(i) + ": " + names.get(order[0]) + "  (");
                for (int j = 0; j < k; j++) {
                    sb.append(j > 0 ? ", " : "").append(String.format(Locale.ROOT, "%s: %.3f", names.get(order[j]),
                            probs.getDouble(row * classes + order[j])));
                }
                out.println(sb.append(')'));
            }
        }
        out.flush();
        return 0;
    }

    /**
     * The image files as the model's contract says, one row each: resized to its (C, H, W) and divided as in training,
     * or, for a model of MNIST's digits, framed as MNIST's digits were (28×28, white on black).
     */
    private Tensor images(Model model, DataContract contract) throws java.io.IOException {
        if (contract.imageFit() == DataContract.ImageFit.RESIZE) {
            if (invert) {
                throw new ParameterException(spec.commandLine(), "--invert applies to models of MNIST's digits; this "
                        + "model reads images as they are");
            }
            int[] chw = contract.exampleShape();
            int size = chw[0] * chw[1] * chw[2];
            double divisor = ((DataContract.Normalization.Scale) contract.normalization()).divisor();
            Tensor x = Tensor.zeros(model.network().dtype(), images.size(), chw[0], chw[1], chw[2]);
            byte[] pixels = new byte[size];
            for (int i = 0; i < images.size(); i++) {
                ImageDecoder.read(images.get(i), chw[0], chw[1], chw[2], pixels, 0);
                for (int p = 0; p < size; p++) {
                    x.setDouble(i * size + p, (pixels[p] & 0xFF) / divisor);
                }
            }
            return x;
        }
        Tensor x = Tensor.zeros(model.network().dtype(), images.size(), 1, MnistImage.SIZE, MnistImage.SIZE);
        for (int i = 0; i < images.size(); i++) {
            float[] px = MnistImage.load(images.get(i), invert);
            if (!invert && MnistImage.borderMean(px) > 0.5) {
                spec.commandLine().getErr().println("layerwise predict: " + images.get(i) + " looks like a dark "
                        + "digit on a light background; if so, add --invert");
            }
            for (int p = 0; p < px.length; p++) {
                x.setDouble(i * px.length + p, px[p]);
            }
        }
        return x;
    }
}
