package dev.layerwise.experiment;

import dev.layerwise.data.Mnist;
import dev.layerwise.net.MultiLayerNet;
import dev.layerwise.optim.Optimizers;
import dev.layerwise.train.TrainingResult;
import dev.layerwise.util.Rng;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The book's {@code ch06/optimizer_compare_mnist.py}: SGD, Momentum, AdaGrad and Adam (the book's default
 * hyperparameters) each train a 784-100-100-100-100-10 ReLU net with He initialisation on MNIST, mini-batches of 128,
 * 2000 steps, recording the loss after each update as the book does. The book reports (iteration 1900) SGD 0.16,
 * Momentum 0.09, AdaGrad 0.013, Adam 0.027: the three adaptive methods end well below SGD.
 */
final class OptimizerComparison {
    static final List<String> OPTIMIZERS = List.of("sgd", "momentum", "adagrad", "adam");
    static final List<Integer> HIDDEN = List.of(100, 100, 100, 100);
    static final int BATCH = 128;
    static final int ITERATIONS = 2000;
    /** Final losses are the mean of the last this many steps. */
    static final int TAIL = 100;

    private OptimizerComparison() {
    }

    static ExperimentResult run(Mnist.Data mnist, Experiments.Settings s, Consumer<String> log) {
        long start = System.nanoTime();
        int iterations = s.iterationsOr(ITERATIONS);
        Map<String, Double> finalLoss = new LinkedHashMap<>();
        Map<String, Double> lastLoss = new LinkedHashMap<>();
        Map<String, Double> testAccuracy = new LinkedHashMap<>();
        Map<String, Double> seconds = new LinkedHashMap<>();
        List<double[]> curves = new ArrayList<>();
        for (String name : OPTIMIZERS) {
            MultiLayerNet net = new MultiLayerNet(Mnist.PIXELS, HIDDEN, Mnist.CLASSES,
                    MultiLayerNet.Options.defaults(), s.dtype(), new Rng(s.seed()));
            TrainingResult r = Experiments.train(name, net, Optimizers.create(name), mnist.train(), mnist.test(), s,
                    log, 500, 1, b -> b.iterations(iterations).batchSize(BATCH).lossAfterUpdate(true)
                            .evalSampleSize(1000));
            curves.add(r.losses());
            finalLoss.put(name, Experiments.tailMean(r.losses(), TAIL));
            lastLoss.put(name, r.finalLoss());
            testAccuracy.put(name, r.testAccuracy());
            seconds.put(name, r.seconds());
        }
        List<String> columns = new ArrayList<>(List.of("iteration"));
        columns.addAll(OPTIMIZERS);
        List<double[]> rows = new ArrayList<>();
        for (int i = 0; i < iterations; i++) {
            double[] row = new double[columns.size()];
            row[0] = i + 1;
            for (int k = 0; k < OPTIMIZERS.size(); k++) {
                row[k + 1] = curves.get(k)[i];
            }
            rows.add(row);
        }
        List<String> summary = new ArrayList<>();
        summary.add(String.format(Locale.ROOT, "optimizers: 784-100x4-10 ReLU, He, batch %d, %d iterations; "
                + "loss = mean of the last %d steps", BATCH, iterations, TAIL));
        for (String name : OPTIMIZERS) {
            summary.add(String.format(Locale.ROOT, "  %-9s loss %.4f  (last batch %.4f)  test acc %.4f  %5.1f s", name,
                    finalLoss.get(name), lastLoss.get(name), testAccuracy.get(name), seconds.get(name)));
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("experiment", "optimizers");
        figures.put("final_loss", finalLoss);
        figures.put("last_loss", lastLoss);
        figures.put("test_accuracy", testAccuracy);
        figures.put("iterations", iterations);
        figures.put("seconds", seconds);
        return new ExperimentResult("optimizers", figures, summary, List.of(new Table("loss", columns, rows)),
                (System.nanoTime() - start) / 1e9);
    }
}
