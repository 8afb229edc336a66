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
        return Trainer.builder(network, optimizer, train, test).batchSize(batchSize).seed(seed)
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
     * The settings {@link #toMap()} wrote, every field checked: its type, and that the counts are positive and fit.
     *
     * @throws FileFormatException for an unknown optimizer or a missing or mistyped field, naming the field
     */
    public static RunSettings fromMap(Map<?, ?> s) throws FileFormatException {
        Object name = s.get("optimizer");
        Object p = s.get("optimizer_params");
        if (!(name instanceof String) || !(p instanceof Map) || !Optimizers.names().contains(name)) {
            throw new FileFormatException("the run's optimizer settings are missing or unknown (field 'optimizer' is "
                    + describe(name) + "; known: " + String.join(", ", Optimizers.names()) + ")");
        }
        Map<String, Double> params = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) p).entrySet()) {
            Object v = e.getValue();
            if (!(v instanceof Number)) {
                throw wrong("optimizer_params." + e.getKey(), "a number", v);
            }
            double d = ((Number) v).doubleValue();
            String key = String.valueOf(e.getKey());
            if (!Double.isFinite(d)) {
                throw wrong("optimizer_params." + key, "a finite number", v);
            }
            // A rate of zero or below would train nothing, or climb the loss: no run is saved with one.
            if (key.equals("lr") && !(d > 0)) {
                throw wrong("optimizer_params.lr", "a positive learning rate", v);
            }
            params.put(key, d);
        }
        Object trainSize = s.get("train_size");
        Object sampling = s.get("sampling");
        if (!"shuffle".equals(sampling) && !"replacement".equals(sampling)) {
            throw wrong("sampling", "\"shuffle\" or \"replacement\"", sampling);
        }
        DType dtype;
        try {
            dtype = DType.parse(text(s, "dtype"));
        } catch (IllegalArgumentException e) {
            throw bad("field 'dtype': " + e.getMessage());
        }
        Object seed = s.get("seed");
        if (!(seed instanceof Long)) {
            throw wrong("seed", "an integer", seed);
        }
        RunSettings settings = new RunSettings(text(s, "model"), (String) name, params, text(s, "lr_schedule"),
                count(s, "schedule_steps", 1), count(s, "batch_size", 1),
                trainSize == null ? null : count(s, "train_size", 1), count(s, "eval_sample", 0),
                "shuffle".equals(sampling) ? Trainer.Sampling.SHUFFLED_EPOCHS : Trainer.Sampling.WITH_REPLACEMENT,
                (Long) seed, dtype, count(s, "iterations", 1));
        try {
            LearningRateSchedule.parse(settings.lrSchedule(), settings.scheduleSteps());
            settings.newOptimizer();
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        return s.containsKey("data") ? settings.withData(DataSource.fromMap(s.get("data"), "the run's settings"))
                : settings;
    }

    private static FileFormatException bad(String what) {
        return new FileFormatException("bad run settings: " + what);
    }

    /** Field {@code key} is not {@code what}, or is missing. */
    private static FileFormatException wrong(String key, String what, Object v) {
        return bad(v == null ? "field '" + key + "' is missing (it must be " + what + ")"
                : "field '" + key + "' must be " + what + ", not " + describe(v));
    }

    private static String text(Map<?, ?> s, String key) throws FileFormatException {
        Object v = s.get(key);
        if (!(v instanceof String)) {
            throw wrong(key, "a string", v);
        }
        return (String) v;
    }

    /** An integer field of at least {@code min} that fits an int. */
    private static int count(Map<?, ?> s, String key, int min) throws FileFormatException {
        Object v = s.get(key);
        if (!(v instanceof Number)) {
            throw wrong(key, "a number", v);
        }
        if (!(v instanceof Long) || (Long) v < min || (Long) v > Integer.MAX_VALUE) {
            throw bad("field '" + key + "' must be an integer from " + min + " to " + Integer.MAX_VALUE + ", not "
                    + v);
        }
        return (int) (long) (Long) v;
    }

    /** A JSON value in a message: its text when short, else its kind. */
    static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof java.util.List) {
            return "a list";
        }
        String text = v instanceof String ? "\"" + v + "\"" : String.valueOf(v);
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }
}
