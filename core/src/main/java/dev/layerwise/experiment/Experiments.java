package dev.layerwise.experiment;

import dev.layerwise.data.DataSet;
import dev.layerwise.data.Mnist;
import dev.layerwise.net.Network;
import dev.layerwise.optim.Optimizer;
import dev.layerwise.tensor.DType;
import dev.layerwise.train.ProgressLogger;
import dev.layerwise.train.Trainer;
import dev.layerwise.train.TrainingResult;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The comparisons of the book's chapter 6, rerun on MNIST:
 * <ul>
 *   <li>{@code optimizers} ({@code ch06/optimizer_compare_mnist.py}): SGD, Momentum, AdaGrad and Adam on a
 *       784-100×4-10 ReLU net, mini-batches of 128, 2000 steps;</li>
 *   <li>{@code weight-init} ({@code ch06/weight_init_compare.py}): std 0.01, Xavier and He, same net, SGD 0.01;</li>
 *   <li>{@code batchnorm} ({@code ch06/batch_norm_test.py}): with and without batch norm, 16 weight scales from 1
 *       to 1e-4, 784-100×5-10, 1000 training images, 20 epochs;</li>
 *   <li>{@code weight-decay} ({@code ch06/overfit_weight_decay.py}) and {@code dropout}
 *       ({@code ch06/overfit_dropout.py}): overfitting 784-100×6-10 on 300 images, without and with weight decay
 *       (λ 0.1) or dropout (ratio 0.2).</li>
 * </ul>
 *
 * <p>Each run is seeded: every network of a comparison starts from weights drawn with the same seed and sees the same
 * mini-batches (the book draws each network's weights in turn from one generator, so its networks start apart; here
 * only the compared technique differs). Where the book evaluates on all 10,000 test images every epoch, the
 * overfitting experiments evaluate the first {@link Settings#evalSampleSize()} by default (a tenth of the time) and the
 * final figures on all of them.
 */
public final class Experiments {
    /** The experiment names, in the book's order. */
    public static final List<String> NAMES = List.of("optimizers", "weight-init", "batchnorm", "weight-decay",
            "dropout");

    private Experiments() {
    }

    /**
     * How to run an experiment: the seed, the dtype, and overrides of its length ({@code iterations} for optimizers
     * and weight-init, {@code epochs} for the others; 0 = the book's), of the number of batch-norm weight scales (0 =
     * 16), and of the per-epoch evaluation sample of the overfitting experiments (-1 = 1000, 0 = all as the book).
     */
    public record Settings(long seed, DType dtype, int iterations, int epochs, int scales, int evalSampleSize) {
        public Settings {
            if (iterations < 0 || epochs < 0 || scales < 0 || evalSampleSize < -1) {
                throw new IllegalArgumentException("experiment settings must not be negative: " + iterations + " "
                        + epochs + " " + scales + " " + evalSampleSize);
            }
            if (scales == 1) {
                throw new IllegalArgumentException("batchnorm needs at least 2 weight scales, got 1");
            }
        }

        /** Seed 1, float32, the book's sizes. */
        public static Settings defaults() {
            return new Settings(1, DType.FLOAT32, 0, 0, 0, -1);
        }

        public Settings withSeed(long s) {
            return new Settings(s, dtype, iterations, epochs, scales, evalSampleSize);
        }

        public Settings withDType(DType d) {
            return new Settings(seed, d, iterations, epochs, scales, evalSampleSize);
        }

        public Settings withIterations(int n) {
            return new Settings(seed, dtype, n, epochs, scales, evalSampleSize);
        }

        public Settings withEpochs(int n) {
            return new Settings(seed, dtype, iterations, n, scales, evalSampleSize);
        }

        public Settings withScales(int n) {
            return new Settings(seed, dtype, iterations, epochs, n, evalSampleSize);
        }

        public Settings withEvalSampleSize(int n) {
            return new Settings(seed, dtype, iterations, epochs, scales, n);
        }

        int iterationsOr(int book) {
            return iterations > 0 ? iterations : book;
        }

        int epochsOr(int book) {
            return epochs > 0 ? epochs : book;
        }
    }

    /**
     * Runs experiment {@code name} on {@code mnist} (flattened, normalised, in {@code settings.dtype()}), writing
     * progress lines to {@code log}.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static ExperimentResult run(String name, Mnist.Data mnist, Settings settings, Consumer<String> log) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "optimizers":
                return OptimizerComparison.run(mnist, settings, log);
            case "weight-init":
                return WeightInitComparison.run(mnist, settings, log);
            case "batchnorm":
                return BatchNormComparison.run(mnist, settings, log);
            case "weight-decay":
                return OverfittingComparison.weightDecay(mnist, settings, log);
            case "dropout":
                return OverfittingComparison.dropout(mnist, settings, log);
            default:
                throw new IllegalArgumentException("unknown experiment '" + name + "' (expected one of "
                        + String.join(", ", NAMES) + ")");
        }
    }

    /**
     * One seeded training run of a comparison (batches drawn with seed {@code seed + 1}), with progress lines prefixed
     * by {@code label}: the loss every {@code logIterations} steps (0: none) and every {@code logEvaluations}-th
     * evaluation.
     */
    static TrainingResult train(String label, Network net, Optimizer optimizer, DataSet train, DataSet test,
                                Settings s, Consumer<String> log, int logIterations, int logEvaluations,
                                UnaryOperator<Trainer.Builder> config) {
        ProgressLogger progress = new ProgressLogger(log).withPrefix(String.format(Locale.ROOT, "%-14s", label))
                .everyEvaluations(logEvaluations);
        Trainer.Builder b = Trainer.builder(net, optimizer, train, test).seed(s.seed())
                .listener(logIterations > 0 ? progress.everyIterations(logIterations) : progress);
        return config.apply(b).build().run();
    }

    /** The mean of the last {@code n} values (all of them if fewer): a final loss less noisy than the last batch's. */
    static double tailMean(double[] values, int n) {
        int from = Math.max(0, values.length - n);
        double s = 0;
        for (int i = from; i < values.length; i++) {
            s += values[i];
        }
        return values.length == from ? Double.NaN : s / (values.length - from);
    }
}
