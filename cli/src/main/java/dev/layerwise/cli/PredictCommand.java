package dev.layerwise.cli;

import dev.layerwise.model.Model;
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

/** {@code layerwise predict --model FILE IMAGE…}: the most likely digits of image files, with probabilities. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Classify image files (PNG, JPEG, …; any size and colour) with a model.",
            "Images are converted to 28×28 grey, white digit on black (MNIST's polarity);",
            "use --invert for a dark digit on a light background."})
final class PredictCommand implements Callable<Integer> {
    @Mixin
    ModelSource source;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Image files to classify.")
    List<Path> images;

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
        Model model = source.load();
        PrintWriter out = spec.commandLine().getOut();
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
        Tensor probs = model.probabilities(x);
        int classes = probs.dim(1);
        int k = Math.min(top, classes);
        for (int i = 0; i < images.size(); i++) {
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
                    e.put("probability", probs.getDouble(row * classes + order[j]));
                    best.add(e);
                }
                out.println(new Json().put("file", images.get(i).toString()).put("prediction", order[0])
                        .put("top", best));
            } else {
                StringBuilder sb = new StringBuilder(images.get(i) + ": " + order[0] + "  (");
                for (int j = 0; j < k; j++) {
                    sb.append(j > 0 ? ", " : "").append(String.format(Locale.ROOT, "%d: %.3f", order[j],
                            probs.getDouble(row * classes + order[j])));
                }
                out.println(sb.append(')'));
            }
        }
        out.flush();
        return 0;
    }
}
