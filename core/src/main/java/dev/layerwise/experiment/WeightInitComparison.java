package dev.layerwise.experiment;

import dev.layerwise.data.Mnist;
import dev.layerwise.layer.Relu;
import dev.layerwise.net.MultiLayerNet;
import dev.layerwise.net.WeightInit;
import dev.layerwise.optim.SGD;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Ops;
import dev.layerwise.tensor.Tensor;
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
 *
 * <p>It also reruns {@code ch06/weight_init_activation_histogram.py} with ReLU for the same three initialisations (the
 * book's figure 6-14): 1000 Gaussian inputs of 100 values pass through 5 layers of 100 ReLU units ({@code z =
 * relu(x·W)}, no bias), and the activations of each layer are counted in 30 bins over [0, 1] as the book's
 * {@code plt.hist(a.flatten(), 30, range=(0, 1))}. The counts are the table {@code activations}.
 */
final class WeightInitComparison {
    static final Map<String, WeightInit> INITS = inits();
    /** The histogram script's sizes: inputs, units per layer, layers, bins over [0, 1]. */
    static final int HIST_INPUTS = 1000;
    static final int HIST_NODES = 100;
    static final int HIST_LAYERS = 5;
    static final int HIST_BINS = 30;

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
        Map<String, double[][]> activations = new LinkedHashMap<>();
        for (Map.Entry<String, WeightInit> e : INITS.entrySet()) {
            activations.put(e.getKey(), activations(e.getValue(), s.seed()));
        }
        summary.add(String.format(Locale.ROOT, "  activations of %d ReLU layers of %d (%d Gaussian inputs), standard "
                + "deviation in layer 1 -> %d:", HIST_LAYERS, HIST_NODES, HIST_INPUTS, HIST_LAYERS));
        StringBuilder spread = new StringBuilder(" ");
        for (Map.Entry<String, double[][]> e : activations.entrySet()) {
            double[][] layers = e.getValue();
            spread.append(String.format(Locale.ROOT, " %s %.3g -> %.3g;", e.getKey(), stddev(layers[0]),
                    stddev(layers[HIST_LAYERS - 1])));
        }
        summary.add(spread.substring(0, spread.length() - 1));
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("experiment", "weight-init");
        figures.put("final_loss", finalLoss);
        figures.put("last_loss", lastLoss);
        figures.put("test_accuracy", testAccuracy);
        figures.put("iterations", iterations);
        return new ExperimentResult("weight-init", figures, summary,
                List.of(new Table("loss", columns, rows), histogramTable(activations)),
                (System.nanoTime() - start) / 1e9);
    }

    /**
     * The activations of the histogram script's 5 ReLU layers, {@code [layer][i]}: {@code x} is 1000×100 standard
     * Gaussian, then for each layer {@code W} (100, 100) drawn by {@code init} (fan-in 100) and {@code z = relu(x·W)}.
     * One generator seeded with {@code seed} draws the input, then each layer's weights, so the three
     * initialisations see the same input and the same Gaussian draws, scaled differently.
     */
    static double[][] activations(WeightInit init, long seed) {
        Rng rng = new Rng(seed);
        Tensor x = Tensor.zeros(DType.FLOAT64, HIST_INPUTS, HIST_NODES);
        for (int i = 0; i < x.size(); i++) {
            x.setDouble(i, rng.nextGaussian());
        }
        double[][] out = new double[HIST_LAYERS][];
        Tensor W = Tensor.zeros(DType.FLOAT64, HIST_NODES, HIST_NODES);
        Tensor a = Tensor.zeros(DType.FLOAT64, HIST_INPUTS, HIST_NODES);
        for (int layer = 0; layer < HIST_LAYERS; layer++) {
            init.fill(W, HIST_NODES, rng);
            Ops.matmul(x, W, a);
            x = new Relu().forward(a);
            out[layer] = x.toDoubleArray();
        }
        return out;
    }

    /**
     * NumPy's {@code histogram(a, 30, range=(0, 1))}: equal bins over [0, 1], the last one closed; values outside are
     * not counted.
     */
    static long[] histogram(double[] a) {
        long[] counts = new long[HIST_BINS];
        for (double v : a) {
            if (v >= 0 && v <= 1) {
                counts[Math.min(HIST_BINS - 1, (int) (v * HIST_BINS))]++;
            }
        }
        return counts;
    }

    /** Columns {@code bin_from, bin_to}, then one count column per initialisation and layer ({@code he_layer3}). */
    private static Table histogramTable(Map<String, double[][]> activations) {
        List<String> columns = new ArrayList<>(List.of("bin_from", "bin_to"));
        List<long[]> counts = new ArrayList<>();
        for (Map.Entry<String, double[][]> e : activations.entrySet()) {
            for (int layer = 0; layer < HIST_LAYERS; layer++) {
                columns.add(e.getKey() + "_layer" + (layer + 1));
                counts.add(histogram(e.getValue()[layer]));
            }
        }
        List<double[]> rows = new ArrayList<>();
        for (int b = 0; b < HIST_BINS; b++) {
            double[] row = new double[columns.size()];
            row[0] = (double) b / HIST_BINS;
            row[1] = (double) (b + 1) / HIST_BINS;
            for (int c = 0; c < counts.size(); c++) {
                row[c + 2] = counts.get(c)[b];
            }
            rows.add(row);
        }
        return new Table("activations", columns, rows);
    }

    private static double stddev(double[] a) {
        double mean = 0;
        for (double v : a) {
            mean += v;
        }
        mean /= a.length;
        double ss = 0;
        for (double v : a) {
            ss += (v - mean) * (v - mean);
        }
        return Math.sqrt(ss / a.length);
    }
}
