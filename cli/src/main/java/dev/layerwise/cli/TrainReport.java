package dev.layerwise.cli;

import dev.layerwise.data.DataSet;
import dev.layerwise.data.LabeledData;
import dev.layerwise.kernel.KernelProvider;
import dev.layerwise.kernel.Parallel;
import dev.layerwise.net.Network;
import dev.layerwise.optim.AbstractOptimizer;
import dev.layerwise.optim.LearningRateSchedule;
import dev.layerwise.optim.Optimizer;
import dev.layerwise.train.Checkpoints;
import dev.layerwise.train.RunSettings;
import dev.layerwise.train.Trainer;
import dev.layerwise.train.TrainingResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What {@code train} prints about a run: the header line before it and the JSON summary after it. */
final class TrainReport {
    private TrainReport() {
    }

    /** E.g. {@code two-layer 784-50-10 (float32), SGD lr 0.1, batch 100, 10000 iterations (…), seed 7, …}. */
    static String header(Checkpoints.Run run, Path resumed, int trainImages, Trainer trainer) {
        return header(run, resumed, trainImages, "images", trainer);
    }

    /** As above, naming the training examples {@code noun} ({@code rows} for a table). */
    static String header(Checkpoints.Run run, Path resumed, int trainImages, String noun, Trainer trainer) {
        String from = run.position() == null ? "" : String.format(Locale.ROOT, "resuming %s at iteration %d, ",
                resumed, run.position().iteration());
        return String.format(Locale.ROOT, "%s%s, %s kernels, %d thread%s", from,
                described(run, trainImages, noun, trainer),
                KernelProvider.kernels().name(), Parallel.threads(), Parallel.threads() == 1 ? "" : "s");
    }

    /**
     * What was run, as the plot's line under its title says it: e.g. {@code two-layer 784-50-10 (float32), SGD lr 0.1,
     * batch 100, 10000 iterations (16.7 epochs of 60000 images), seed 7}.
     */
    static String described(Checkpoints.Run run, int trainImages, String noun, Trainer trainer) {
        RunSettings s = run.settings();
        return String.format(Locale.ROOT, "%s %s, %s, batch %d, %d iterations (%.1f epochs of %d %s), seed %s",
                s.model(), network(run.network()), optimizer(run.optimizer(), s), trainer.batchSize(),
                trainer.iterations(), (double) trainer.iterations() / trainer.iterationsPerEpoch(), trainImages,
                noun, s.seed());
    }

    /** The line under the plot's title: what was run and, for a resumed run, where it was resumed. */
    static String plotted(Checkpoints.Run run, int trainImages, String noun, Trainer trainer) {
        String what = described(run, trainImages, noun, trainer);
        return run.position() == null ? what : what + ", resumed at iteration " + run.position().iteration();
    }

    /**
     * The final figures and the run's settings as one JSON object: the test accuracy (null without a test set), the
     * validation accuracy (null without a validation split) and the training accuracy.
     */
    static Json summary(TrainingResult r, TrainCommand.Accuracies a, Trainer trainer, RunSettings s, Path resumed,
                        Path saved) {
        return new Json()
                .put("test_accuracy", a.test())
                .put("validation_accuracy", a.validation())
                .put("train_accuracy", a.train())
                .put("final_loss", r.finalLoss())
                .put("iterations", r.iterations())
                .put("epochs", (double) r.iterations() / trainer.iterationsPerEpoch())
                .put("seconds", r.seconds())
                .put("samples_per_second", r.samplesPerSecond())
                .put("model", s.model())
                .put("architecture", trainer.network().architecture().config())
                .put("optimizer", s.optimizer())
                .put("optimizer_params", s.optimizerParams())
                .put("batch_size", s.batchSize())
                .put("dtype", s.dtype().label())
                .put("seed", s.seed())
                .put("resumed_from", resumed == null ? null : resumed.toString())
                .put("saved", saved == null ? null : saved.toString())
                .put("threads", Parallel.threads())
                .put("kernels", KernelProvider.kernels().name());
    }

    /** How far above chance a run must end not to be warned about, in accuracy. */
    static final double CHANCE_MARGIN = 0.02;

    /**
     * Why the run looks as if it learned nothing, or null: its final accuracy (on the test set, else the validation
     * split, else the training set) is not above chance by {@link #CHANCE_MARGIN}, chance being the larger of one
     * over the classes and the share of the most common class (what always answering that class scores). A learning
     * rate above the network's default ({@code defaultRate}, null when unknown) is named as the likely cause.
     */
    static String chanceWarning(TrainCommand.Accuracies a, LabeledData d, DataSet train, RunSettings s,
                                Double defaultRate) {
        double accuracy = !Double.isNaN(a.test()) ? a.test() : a.validation() != null ? a.validation() : a.train();
        DataSet on = !Double.isNaN(a.test()) ? d.test() : a.validation() != null ? d.validation() : train;
        String name = !Double.isNaN(a.test()) ? "test" : a.validation() != null ? "validation" : "training";
        int classes = d.contract().classes();
        if (on == null || on.size() == 0 || classes < 2 || on.t().isOneHot()) {
            return null;
        }
        int[] counts = new int[classes];
        for (int label : on.t().indices()) {
            if (label >= 0 && label < classes) {
                counts[label]++;
            }
        }
        int most = 0;
        for (int c : counts) {
            most = Math.max(most, c);
        }
        double chance = Math.max(1.0 / classes, (double) most / on.size());
        if (!(accuracy <= chance + CHANCE_MARGIN)) {
            return null;
        }
        String what = String.format(Locale.ROOT, "the run ended at chance level (%s accuracy %.4f for %d classes)",
                name, accuracy, classes);
        Double lr = s.optimizerParams().get("lr");
        if (lr != null && defaultRate != null && lr > defaultRate) {
            return what + ": the learning rate " + number(lr) + " is probably too high; try " + number(defaultRate)
                    + ", the default for " + s.optimizer();
        }
        return what + ": it learned nothing; try more iterations or a smaller learning rate, and check the labels";
    }

    /** {@code 50} rather than {@code 50.0}. */
    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** E.g. {@code 784-50-10 (float32)} or {@code (float32; relu, init he, batch norm)}. */
    private static String network(Network net) {
        Map<String, Object> c = net.architecture().config();
        StringBuilder sb = new StringBuilder();
        Object hiddenSizes = c.containsKey("hidden_sizes") ? c.get("hidden_sizes") : c.get("hidden_size");
        if (c.containsKey("input_size") && hiddenSizes != null) {
            sb.append(c.get("input_size")).append('-')
                    .append(String.valueOf(hiddenSizes).replaceAll("[\\[\\] ]", "").replace(',', '-'))
                    .append('-').append(c.get("output_size")).append(' ');
        }
        sb.append('(').append(net.dtype());
        List<String> details = new ArrayList<>();
        if (c.containsKey("activation")) {
            details.add(String.valueOf(c.get("activation")));
            details.add("init " + c.get("weight_init_std"));
        }
        if (Boolean.TRUE.equals(c.get("use_batchnorm"))) {
            details.add("batch norm");
        }
        if (Boolean.TRUE.equals(c.get("use_dropout"))) {
            details.add("dropout " + c.get("dropout_ratio"));
        }
        if (c.get("weight_decay_lambda") instanceof Number lambda && lambda.doubleValue() > 0) {
            details.add("weight decay " + lambda);
        }
        if (!details.isEmpty()) {
            sb.append("; ").append(String.join(", ", details));
        }
        return sb.append(')').toString();
    }

    /** {@code SGD lr 0.1}, {@code adam lr 0.001, beta1 0.9, beta2 0.999}, plus a schedule other than constant. */
    private static String optimizer(Optimizer opt, RunSettings s) {
        StringBuilder sb = new StringBuilder(s.optimizer().equals("sgd") ? "SGD" : s.optimizer());
        String sep = " ";
        for (Map.Entry<String, Double> e : s.optimizerParams().entrySet()) {
            sb.append(sep).append(e.getKey()).append(' ').append(e.getValue());
            sep = ", ";
        }
        if (opt instanceof AbstractOptimizer a && !(a.schedule() instanceof LearningRateSchedule.Constant)) {
            sb.append(", schedule ").append(a.schedule());
        }
        return sb.toString();
    }
}
