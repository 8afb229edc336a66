package dev.layerwise.experiment;

import dev.layerwise.data.Mnist;
import dev.layerwise.net.MultiLayerNet;
import dev.layerwise.net.WeightInit;
import dev.layerwise.optim.SGD;
import dev.layerwise.train.TrainingResult;
import dev.layerwise.util.Rng;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The book's {@code ch06/weight_init_compare.py}: a 784-100-100-100-100-10 ReLU net initialised with a standard
 * deviation of 0.01, Xavier (√(1/n)) or He (√(2/n)), trained by SGD (lr 0.01) on mini-batches of 128 for 2000 steps.
 * With std 0.01 the activations vanish and the loss stays at ln 10 ≈ 2.30; He, made for ReLU, learns fastest.
 */
final class WeightInitComparison {
    static final Map<String, WeightInit> INITS = inits();

    private WeightInitComparison() {
    }

    private static Map<String, WeightInit> inits() {
        Map<String, WeightInit> m = new LinkedHashMap<>();
        m.put("std=0.01", WeightInit.std(0.01));
        m.put("xavier", WeightInit.xavier());
        m.put("he", WeightInit.he());
        return m;
    }

    static ExperimentResult run(Mnist.Data mnist, Experiments.Settings s, Consumer<String> log) {
        long start = System.nanoTime();
        int iterations = s.iterationsOr(OptimizerComparison.ITERATIONS);
        Map<String, Double> finalLoss = new LinkedHashMap<>();
        Map<String, Double> lastLoss = new LinkedHashMap<>();
        Map<String, Double> testAccuracy = new LinkedHashMap<>();
        List<double[]> curves = new ArrayList<>();
        for (Map.Entry<String, WeightInit> e : INITS.entrySet()) {
            MultiLayerNet net = new MultiLayerNet(Mnist.PIXELS, OptimizerComparison.HIDDEN, Mnist.CLASSES,
                    MultiLayerNet.Options.defaults().withWeightInit(e.getValue()), s.dtype(), new Rng(s.seed()));
            TrainingResult r = Experiments.train(e.getKey(), net, new SGD(0.01), mnist.train(), mnist.test(), s, log,
                    500, 1, b -> b.iterations(iterations).batchSize(OptimizerComparison.BATCH).lossAfterUpdate(true)
                            .evalSampleSize(1000));
            curves.add(r.losses());
            finalLoss.put(e.getKey(), Experiments.tailMean(r.losses(), OptimizerComparison.TAIL));
            lastLoss.put(e.getKey(), r.finalLoss());
            testAccuracy.put(e.getKey(), r.testAccuracy());
        }
        List<String> columns = new ArrayList<>(List.of("iteration"));
        columns.addAll(INITS.keySet());
        List<double[]> rows = new ArrayList<>();
        for (int i = 0; i < iterations; i++) {
            double[] row = new double[columns.size()];
            row[0] = i + 1;
            for (int k = 0; k < curves.size(); k++) {
                row[k + 1] = curves.get(k)[i];
            }
            rows.add(row);
        }
        List<String> summary = new ArrayList<>();
        summary.add(String.format(Locale.ROOT, "weight-init: 784-100x4-10 ReLU, SGD lr 0.01, batch %d, %d iterations; "
                + "loss = mean of the last %d steps", OptimizerComparison.BATCH, iterations, OptimizerComparison.TAIL));
        for (String name : INITS.keySet()) {
            summary.add(String.format(Locale.ROOT, "  %-9s loss %.4f  (last batch %.4f)  test acc %.4f", name,
                    finalLoss.get(name), lastLoss.get(name), testAccuracy.get(name)));
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("experiment", "weight-init");
        figures.put("final_loss", finalLoss);
        figures.put("last_loss", lastLoss);
        figures.put("test_accuracy", testAccuracy);
        figures.put("iterations", iterations);
        return new ExperimentResult("weight-init", figures, summary, List.of(new Table("loss", columns, rows)),
                (System.nanoTime() - start) / 1e9);
    }
}
