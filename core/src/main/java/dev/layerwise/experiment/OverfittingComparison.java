package dev.layerwise.experiment;

import dev.layerwise.data.DataSet;
import dev.layerwise.data.Mnist;
import dev.layerwise.net.MultiLayerNet;
import dev.layerwise.net.MultiLayerNetExtend;
import dev.layerwise.net.Network;
import dev.layerwise.optim.SGD;
import dev.layerwise.train.Evaluation;
import dev.layerwise.train.TrainingResult;
import dev.layerwise.util.Rng;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The book's overfitting experiments: a 784-100×6-10 ReLU net (He) trained by SGD (lr 0.01) on only 300 MNIST images,
 * mini-batches of 100, without and with a remedy. {@code ch06/overfit_weight_decay.py}: weight decay λ 0.1, 201
 * epochs; {@code ch06/overfit_dropout.py}: dropout ratio 0.2 ({@code MultiLayerNetExtend}, the book's Trainer), 301
 * epochs. Without a remedy the net fits the 300 images perfectly while the test accuracy lags far behind; the remedy
 * narrows the gap between training and test accuracy.
 */
final class OverfittingComparison {
    static final List<Integer> HIDDEN = List.of(100, 100, 100, 100, 100, 100);
    static final int TRAIN_SIZE = 300;
    static final int BATCH = 100;
    static final double LAMBDA = 0.1;
    static final double DROPOUT = 0.2;
    static final int DEFAULT_EVAL_SAMPLE = 1000;

    private OverfittingComparison() {
    }

    static ExperimentResult weightDecay(Mnist.Data mnist, Experiments.Settings s, Consumer<String> log) {
        return compare("weight-decay", "weight_decay", s.epochsOr(201), mnist, s, log,
                remedy -> new MultiLayerNet(Mnist.PIXELS, HIDDEN, Mnist.CLASSES,
                        MultiLayerNet.Options.defaults().withWeightDecay(remedy ? LAMBDA : 0), s.dtype(),
                        new Rng(s.seed())),
                String.format(Locale.ROOT, "weight decay lambda %s", LAMBDA));
    }

    static ExperimentResult dropout(Mnist.Data mnist, Experiments.Settings s, Consumer<String> log) {
        return compare("dropout", "dropout", s.epochsOr(301), mnist, s, log,
                remedy -> new MultiLayerNetExtend(Mnist.PIXELS, HIDDEN, Mnist.CLASSES,
                        remedy ? MultiLayerNetExtend.Options.defaults().withDropout(DROPOUT)
                                : MultiLayerNetExtend.Options.defaults(), s.dtype(), new Rng(s.seed())),
                String.format(Locale.ROOT, "dropout ratio %s", DROPOUT));
    }

    interface NetFactory {
        Network create(boolean remedy);
    }

    private static ExperimentResult compare(String experiment, String remedyName, int epochs, Mnist.Data mnist,
                                            Experiments.Settings s, Consumer<String> log, NetFactory factory,
                                            String remedyText) {
        long start = System.nanoTime();
        DataSet train = mnist.train().head(TRAIN_SIZE);
        int sample = s.evalSampleSize() < 0 ? DEFAULT_EVAL_SAMPLE : s.evalSampleSize();
        List<String> runs = List.of("none", remedyName);
        Map<String, Double> trainAcc = new LinkedHashMap<>();
        Map<String, Double> testAcc = new LinkedHashMap<>();
        Map<String, Double> gap = new LinkedHashMap<>();
        List<TrainingResult> results = new ArrayList<>();
        for (String run : runs) {
            Network net = factory.create(!run.equals("none"));
            TrainingResult r = Experiments.train(run, net, new SGD(0.01), train, mnist.test(), s, log, 0, 20,
                    b -> b.epochs(epochs).batchSize(BATCH).evalSampleSize(sample));
            results.add(r);
            trainAcc.put(run, r.trainAccuracy());
            testAcc.put(run, r.testAccuracy());
            gap.put(run, r.trainAccuracy() - r.testAccuracy());
        }
        List<double[]> rows = new ArrayList<>();
        int evaluations = results.get(0).evaluations().size();
        for (int e = 0; e < evaluations; e++) {
            Evaluation a = results.get(0).evaluations().get(e);
            Evaluation b = results.get(1).evaluations().get(e);
            rows.add(new double[] {a.epoch(), a.trainAccuracy(), a.testAccuracy(), b.trainAccuracy(),
                b.testAccuracy()});
        }
        List<String> summary = new ArrayList<>();
        summary.add(String.format(Locale.ROOT, "%s: 784-100x6-10 ReLU, He, SGD lr 0.01, %d images, batch %d, %d "
                + "epoch%s; %s; accuracies on all training and test images", experiment, TRAIN_SIZE, BATCH, epochs,
                epochs == 1 ? "" : "s", remedyText));
        for (String run : runs) {
            summary.add(String.format(Locale.ROOT, "  %-13s train acc %.4f  test acc %.4f  gap %.4f", run,
                    trainAcc.get(run), testAcc.get(run), gap.get(run)));
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("experiment", experiment);
        figures.put("train_accuracy", trainAcc);
        figures.put("test_accuracy", testAcc);
        figures.put("gap", gap);
        figures.put("epochs", epochs);
        figures.put("eval_sample_size", sample);
        String sampleNote = sample == 0 ? "" : "_sample";
        return new ExperimentResult(experiment, figures, summary, List.of(new Table("accuracy",
                List.of("epoch", "train_none", "test_none" + sampleNote, "train_" + remedyName,
                        "test_" + remedyName + sampleNote), rows)), (System.nanoTime() - start) / 1e9);
    }
}
