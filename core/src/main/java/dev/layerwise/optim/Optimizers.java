package dev.layerwise.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The optimizers by name, and the book's default hyperparameters, in this one place ({@code common/optimizer.py}).
 *
 * <p>As the book's {@code Trainer(optimizer='Adam', optimizer_param={'lr': 0.001})}:
 * <pre>{@code
 * Optimizer adam = Optimizers.create("adam", Map.of("lr", 0.001));
 * Optimizer sgd = Optimizers.create("sgd");                        // lr 0.01
 * }</pre>
 *
 * <table>
 *   <caption>Names and hyperparameters (defaults)</caption>
 *   <tr><th>name</th><th>hyperparameters</th></tr>
 *   <tr><td>{@code sgd}</td><td>{@code lr} 0.01</td></tr>
 *   <tr><td>{@code momentum}</td><td>{@code lr} 0.01, {@code momentum} 0.9</td></tr>
 *   <tr><td>{@code nesterov}</td><td>{@code lr} 0.01, {@code momentum} 0.9</td></tr>
 *   <tr><td>{@code adagrad}</td><td>{@code lr} 0.01</td></tr>
 *   <tr><td>{@code rmsprop}</td><td>{@code lr} 0.01, {@code decay_rate} 0.99</td></tr>
 *   <tr><td>{@code adam}</td><td>{@code lr} 0.001, {@code beta1} 0.9, {@code beta2} 0.999</td></tr>
 * </table>
 * AdaGrad, RMSprop and Adam add {@link #EPSILON} after the square root.
 */
public final class Optimizers {
    /** The book's defaults. */
    public static final double SGD_LR = 0.01;
    public static final double MOMENTUM_LR = 0.01;
    public static final double MOMENTUM = 0.9;
    public static final double ADAGRAD_LR = 0.01;
    public static final double RMSPROP_LR = 0.01;
    public static final double RMSPROP_DECAY_RATE = 0.99;
    public static final double ADAM_LR = 0.001;
    public static final double ADAM_BETA1 = 0.9;
    public static final double ADAM_BETA2 = 0.999;
    /** Added after the square root by AdaGrad, RMSprop and Adam, as in the book: {@code √h + 1e-7}. */
    public static final double EPSILON = 1e-7;

    private static final Map<String, Map<String, Double>> DEFAULTS = defaultsTable();

    private Optimizers() {
    }

    private static Map<String, Map<String, Double>> defaultsTable() {
        Map<String, Map<String, Double>> m = new LinkedHashMap<>();
        m.put("sgd", ordered("lr", SGD_LR));
        m.put("momentum", ordered("lr", MOMENTUM_LR, "momentum", MOMENTUM));
        m.put("nesterov", ordered("lr", MOMENTUM_LR, "momentum", MOMENTUM));
        m.put("adagrad", ordered("lr", ADAGRAD_LR));
        m.put("rmsprop", ordered("lr", RMSPROP_LR, "decay_rate", RMSPROP_DECAY_RATE));
        m.put("adam", ordered("lr", ADAM_LR, "beta1", ADAM_BETA1, "beta2", ADAM_BETA2));
        return java.util.Collections.unmodifiableMap(m);
    }

    private static Map<String, Double> ordered(Object... kv) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Double) kv[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The names {@link #create} accepts, in the book's order. */
    public static List<String> names() {
        return List.copyOf(DEFAULTS.keySet());
    }

    /** The hyperparameters of optimizer {@code name} with the book's defaults, in order. */
    public static Map<String, Double> defaults(String name) {
        return DEFAULTS.get(canonical(name));
    }

    /** Optimizer {@code name} with the book's defaults. */
    public static Optimizer create(String name) {
        return create(name, Map.of());
    }

    /** Optimizer {@code name} with {@code params} overriding the book's defaults and a constant learning rate. */
    public static Optimizer create(String name, Map<String, ? extends Number> params) {
        return create(name, params, LearningRateSchedule.constant());
    }

    /**
     * Optimizer {@code name} (case-insensitive: {@code SGD}, {@code Momentum}, {@code Nesterov}, {@code AdaGrad},
     * {@code RMSprop}, {@code Adam}) with {@code params} overriding the book's defaults.
     *
     * @throws IllegalArgumentException for an unknown name, a hyperparameter the optimizer does not take, or a bad
     *                                  value; the message names it
     */
    public static Optimizer create(String name, Map<String, ? extends Number> params, LearningRateSchedule schedule) {
        String n = canonical(name);
        Map<String, Double> p = new LinkedHashMap<>(DEFAULTS.get(n));
        for (Map.Entry<String, ? extends Number> e : params.entrySet()) {
            if (!p.containsKey(e.getKey())) {
                throw new IllegalArgumentException(n + " takes " + String.join(", ", p.keySet()) + "; not '"
                        + e.getKey() + "'");
            }
            p.put(e.getKey(), e.getValue().doubleValue());
        }
        switch (n) {
            case "sgd":
                return new SGD(p.get("lr"), schedule);
            case "momentum":
                return new Momentum(p.get("lr"), p.get("momentum"), schedule);
            case "nesterov":
                return new Nesterov(p.get("lr"), p.get("momentum"), schedule);
            case "adagrad":
                return new AdaGrad(p.get("lr"), schedule);
            case "rmsprop":
                return new RMSprop(p.get("lr"), p.get("decay_rate"), schedule);
            case "adam":
                return new Adam(p.get("lr"), p.get("beta1"), p.get("beta2"), schedule);
            default:
                throw new AssertionError(n);
        }
    }

    /** The hyperparameter names optimizer {@code name} takes. */
    public static Set<String> hyperparameters(String name) {
        return DEFAULTS.get(canonical(name)).keySet();
    }

    private static String canonical(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (!DEFAULTS.containsKey(n)) {
            throw new IllegalArgumentException("unknown optimizer '" + name + "' (expected one of "
                    + String.join(", ", DEFAULTS.keySet()) + ")");
        }
        return n;
    }
}
