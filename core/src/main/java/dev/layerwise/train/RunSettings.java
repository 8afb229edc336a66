package dev.layerwise.train;

import dev.layerwise.data.DataSet;
import dev.layerwise.data.DataSource;
import dev.layerwise.io.FileFormatException;
import dev.layerwise.net.Network;
import dev.layerwise.optim.LearningRateSchedule;
import dev.layerwise.optim.Optimizer;
import dev.layerwise.optim.Optimizers;
import dev.layerwise.tensor.DType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What defines a training run beyond its network: the optimizer with its hyperparameters and learning-rate schedule,
 * the batches, the evaluations, the seed and the length. A checkpoint stores it (as the JSON object {@link #toMap()}
 * gives) so that a resumed run rebuilds the same optimizer and trainer.
 *
 * @param model           the registered name of the network trained ({@code mlp-extend}, …)
 * @param optimizer       the optimizer's name, one of {@link Optimizers#names()}
 * @param optimizerParams its hyperparameters by name, in the optimizer's order
 * @param lrSchedule      the learning-rate schedule as given ({@code constant}, {@code step:100:0.5}, …)
 * @param scheduleSteps   the steps the schedule spans (a cosine schedule anneals over them)
 * @param batchSize       examples per mini-batch
 * @param trainSize       how many of the first training examples are used, or null for all
 * @param evalSample      how many examples of each set an evaluation uses, 0 for all
 * @param sampling        how batches are drawn
 * @param seed            the seed of the network's initial weights; the trainer draws from {@code seed + 1}
 * @param dtype           the precision of the run
 * @param iterations      the run's length in steps as first asked
 * @param data            where the run's data comes from, or null when not recorded (MNIST: runs saved before
 *                        runs recorded their data were all MNIST runs)
 */
public record RunSettings(String model, String optimizer, Map<String, Double> optimizerParams, String lrSchedule,
                          int scheduleSteps, int batchSize, Integer trainSize, int evalSample,
                          Trainer.Sampling sampling, long seed, DType dtype, int iterations, DataSource data) {
    public RunSettings {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(optimizer, "optimizer");
        optimizerParams = Collections.unmodifiableMap(new LinkedHashMap<>(optimizerParams));
        Objects.requireNonNull(lrSchedule, "lrSchedule");
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(dtype, "dtype");
    }

    /** Settings of a run whose data is not recorded. */
    public RunSettings(String model, String optimizer, Map<String, Double> optimizerParams, String lrSchedule,
                       int scheduleSteps, int batchSize, Integer trainSize, int evalSample, Trainer.Sampling sampling,
                       long seed, DType dtype, int iterations) {
        this(model, optimizer, optimizerParams, lrSchedule, scheduleSteps, batchSize, trainSize, evalSample, sampling,
                seed, dtype, iterations, null);
    }

    /** These settings with the run's data source recorded. */
    public RunSettings withData(DataSource source) {
        return new RunSettings(model, optimizer, optimizerParams, lrSchedule, scheduleSteps, batchSize, trainSize,
                evalSample, sampling, seed, dtype, iterations, source);
    }

    /** A new optimizer of these settings, its schedule spanning {@link #scheduleSteps()}. */
    public Optimizer newOptimizer() {
        return Optimizers.create(optimizer, optimizerParams, LearningRateSchedule.parse(lrSchedule, scheduleSteps));
    }

    /** A trainer of {@code network} with {@code optimizer} configured by these settings, for {@code iterations}. */
    public Trainer.Builder trainer(Network network, Optimizer optimizer, DataSet train, DataSet test, int iterations) {
        // The trainer's generator is seeded one past the network's, so that the batches and the initial weights
        // are drawn from different sequences.
        return Trainer.builder(network, optimizer, train, test).batchSize(batchSize).seed(seed + 1)
                .evalSampleSize(evalSample).iterations(iterations).sampling(sampling);
    }

    /** The settings as a JSON object, in the layout model files have always had. */
    public Map<String, Object> toMap() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("model", model);
        s.put("optimizer", optimizer);
        s.put("optimizer_params", optimizerParams);
        s.put("lr_schedule", lrSchedule);
        s.put("schedule_steps", scheduleSteps);
        s.put("batch_size", batchSize);
        s.put("train_size", trainSize);
        s.put("eval_sample", evalSample);
        s.put("sampling", sampling == Trainer.Sampling.SHUFFLED_EPOCHS ? "shuffle" : "replacement");
        s.put("seed", seed);
        s.put("dtype", dtype.label());
        s.put("iterations", iterations);
        if (data != null) {
            s.put("data", data.toMap());
        }
        return s;
    }

    /**
     * The settings {@link #toMap()} wrote.
     *
     * @throws FileFormatException for an unknown optimizer or a missing or mistyped field
     */
    public static RunSettings fromMap(Map<?, ?> s) throws FileFormatException {
        String name = String.valueOf(s.get("optimizer"));
        Object p = s.get("optimizer_params");
        if (!(p instanceof Map) || !Optimizers.names().contains(name)) {
            throw new FileFormatException("the run's optimizer settings are missing or unknown");
        }
        Map<String, Double> params = new LinkedHashMap<>();
        try {
            ((Map<?, ?>) p).forEach((k, v) -> params.put(String.valueOf(k), ((Number) v).doubleValue()));
            Object trainSize = s.get("train_size");
            RunSettings settings = new RunSettings(String.valueOf(s.get("model")), name, params,
                    String.valueOf(s.get("lr_schedule")), number(s, "schedule_steps"), number(s, "batch_size"),
                    trainSize == null ? null : ((Number) trainSize).intValue(), number(s, "eval_sample"),
                    "shuffle".equals(s.get("sampling")) ? Trainer.Sampling.SHUFFLED_EPOCHS
                            : Trainer.Sampling.WITH_REPLACEMENT,
                    ((Number) s.get("seed")).longValue(), DType.parse(String.valueOf(s.get("dtype"))),
                    number(s, "iterations"));
            LearningRateSchedule.parse(settings.lrSchedule(), settings.scheduleSteps());
            return s.containsKey("data") ? settings.withData(DataSource.fromMap(s.get("data"), "the run's settings"))
                    : settings;
        } catch (IllegalArgumentException | ClassCastException | NullPointerException e) {
            throw new FileFormatException("bad run settings: " + e.getMessage());
        }
    }

    private static int number(Map<?, ?> s, String key) {
        return ((Number) s.get(key)).intValue();
    }
}
