package dev.layerwise.experiment;

import dev.layerwise.data.DataSet;
import dev.layerwise.data.Mnist;
import dev.layerwise.net.MultiLayerNetExtend;
import dev.layerwise.net.WeightInit;
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
 * The book's {@code ch06/batch_norm_test.py}: for 16 initial weight scales from 1 down to 1e-4 (log-spaced), a
 * 784-100×5-10 ReLU net with and without batch norm trains by SGD (lr 0.01) on the first 1000 MNIST training images,
 * mini-batches of 100, 20 epochs; the accuracy on those 1000 images is measured after every epoch. Batch norm learns
 * faster at most scales, and learns at all where tiny weights stall the plain net.
 *
 * <p>"Faster" is measured as the mean training accuracy over the 20 evaluations (the area under the learning curve).
 * A plain net whose loss overflows at the largest scales carries on with NaN, as the book's does.
 */
final class BatchNormComparison {
    static final List<Integer> HIDDEN = List.of(100, 100, 100, 100, 100);
    static final int TRAIN_SIZE = 1000;
    static final int BATCH = 100;
    static final int EPOCHS = 20;
    static final int SCALES = 16;

    private BatchNormComparison() {
    }

    /** NumPy's {@code logspace(0, -4, num=n)}. */
    static double[] weightScales(int n) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = Math.pow(10, -4.0 * i / (n - 1));
        }
        return w;
    }

    static ExperimentResult run(Mnist.Data mnist, Experiments.Settings s, Consumer<String> log) {
        long start = System.nanoTime();
        int epochs = s.epochsOr(EPOCHS);
        double[] scales = weightScales(s.scales() > 0 ? s.scales() : SCALES);
        DataSet train = mnist.train().head(TRAIN_SIZE);
        List<Double> finalPlain = new ArrayList<>();
        List<Double> finalBn = new ArrayList<>();
        List<Double> meanPlain = new ArrayList<>();
        List<Double> meanBn = new ArrayList<>();
        List<double[]> rows = new ArrayList<>();
        int faster = 0;
        List<String> summary = new ArrayList<>();
        summary.add(String.format(Locale.ROOT, "batchnorm: 784-100x5-10 ReLU, SGD lr 0.01, %d images, batch %d, %d "
                + "epoch%s; train accuracy (final, and mean over the epochs)", TRAIN_SIZE, BATCH, epochs,
                epochs == 1 ? "" : "s"));
        for (int k = 0; k < scales.length; k++) {
            double w = scales[k];
            TrainingResult plain = train(false, w, train, epochs, s);
            TrainingResult bn = train(true, w, train, epochs, s);
            double mp = meanAccuracy(plain);
            double mb = meanAccuracy(bn);
            finalPlain.add(plain.trainAccuracy());
            finalBn.add(bn.trainAccuracy());
            meanPlain.add(mp);
            meanBn.add(mb);
            if (mb > mp) {
                faster++;
            }
            for (int e = 0; e < plain.evaluations().size(); e++) {
                rows.add(new double[] {k + 1, w, plain.evaluations().get(e).epoch(),
                    plain.evaluations().get(e).trainAccuracy(), bn.evaluations().get(e).trainAccuracy()});
            }
            String line = String.format(Locale.ROOT, "  scale %2d  w %.2e  plain %.3f (mean %.3f)  batchnorm %.3f "
                    + "(mean %.3f)%s", k + 1, w, plain.trainAccuracy(), mp, bn.trainAccuracy(), mb,
                    mb > mp ? "" : "  <- plain as fast");
            summary.add(line);
            log.accept("batchnorm" + line);
        }
        summary.add(String.format(Locale.ROOT, "batch norm learns faster at %d of %d weight scales", faster,
                scales.length));
        List<Double> scaleList = new ArrayList<>();
        for (double w : scales) {
            scaleList.add(w);
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("experiment", "batchnorm");
        figures.put("weight_scales", scaleList);
        figures.put("final_train_accuracy", ordered("plain", finalPlain, "batchnorm", finalBn));
        figures.put("mean_train_accuracy", ordered("plain", meanPlain, "batchnorm", meanBn));
        figures.put("batchnorm_faster", faster);
        figures.put("scales", scales.length);
        figures.put("epochs", epochs);
        return new ExperimentResult("batchnorm", figures, summary,
                List.of(new Table("accuracy", List.of("scale", "weight_scale", "epoch", "plain", "batchnorm"), rows)),
                (System.nanoTime() - start) / 1e9);
    }

    private static TrainingResult train(boolean batchnorm, double w, DataSet train, int epochs,
                                        Experiments.Settings s) {
        MultiLayerNetExtend net = new MultiLayerNetExtend(Mnist.PIXELS, HIDDEN, Mnist.CLASSES,
                MultiLayerNetExtend.Options.defaults().withWeightInit(WeightInit.std(w)).withBatchnorm(batchnorm),
                s.dtype(), new Rng(s.seed()));
        return Experiments.train(batchnorm ? "batchnorm" : "plain", net, new SGD(0.01), train, null, s, line -> { },
                0, 1, b -> b.epochs(epochs).batchSize(BATCH).failOnDivergence(false));
    }

    private static Map<String, List<Double>> ordered(String k1, List<Double> v1, String k2, List<Double> v2) {
        Map<String, List<Double>> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    private static double meanAccuracy(TrainingResult r) {
        double sum = 0;
        for (Evaluation e : r.evaluations()) {
            sum += e.trainAccuracy();
        }
        return r.evaluations().isEmpty() ? Double.NaN : sum / r.evaluations().size();
    }
}
