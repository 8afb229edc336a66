package dev.layerwise.net;

import dev.layerwise.layer.Parameter;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Ops;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What {@link MultiLayerNet} and {@link MultiLayerNetExtend} share: sizes, weight initialisation, weight decay. */
final class MultiLayers {
    private MultiLayers() {
    }

    /** Checks the sizes and returns {@code [input] + hidden + [output]}, the book's {@code all_size_list}. */
    static List<Integer> allSizes(String who, int inputSize, List<Integer> hiddenSizes, int outputSize) {
        if (inputSize < 1) {
            throw new IllegalArgumentException(who + ": inputSize must be at least 1, got " + inputSize);
        }
        if (outputSize < 1) {
            throw new IllegalArgumentException(who + ": outputSize must be at least 1, got " + outputSize);
        }
        if (hiddenSizes == null || hiddenSizes.isEmpty()) {
            throw new IllegalArgumentException(who + ": hiddenSizes needs at least one hidden layer");
        }
        List<Integer> all = new ArrayList<>();
        all.add(inputSize);
        for (Integer h : hiddenSizes) {
            if (h == null || h < 1) {
                throw new IllegalArgumentException(who + ": every hidden size must be at least 1, got " + hiddenSizes);
            }
            all.add(h);
        }
        all.add(outputSize);
        return List.copyOf(all);
    }

    static double checkWeightDecay(String who, double lambda) {
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException(who + ": weight decay lambda must be a finite number >= 0, got "
                    + lambda);
        }
        return lambda;
    }

    /**
     * The parameters {@code W1 b1 [gamma1 beta1] W2 …} in layer order, with batch-norm parameters for the hidden
     * layers when {@code batchnorm}.
     */
    static List<Parameters.Spec> specs(List<Integer> all, boolean batchnorm) {
        List<Parameters.Spec> specs = new ArrayList<>();
        int layers = all.size() - 1;
        for (int idx = 1; idx <= layers; idx++) {
            specs.add(Parameters.spec("W" + idx, all.get(idx - 1), all.get(idx)));
            specs.add(Parameters.spec("b" + idx, all.get(idx)));
            if (batchnorm && idx < layers) {
                specs.add(Parameters.spec("gamma" + idx, all.get(idx)));
                specs.add(Parameters.spec("beta" + idx, all.get(idx)));
            }
        }
        return List.copyOf(specs);
    }

    /**
     * Allocates the {@link #specs}, draws each {@code W} in turn from {@code init} with its fan-in, as the book's
     * {@code __init_weight}, and sets {@code gamma} to ones; biases and {@code beta} stay zero.
     */
    static Parameters initialParameters(List<Integer> all, boolean batchnorm, WeightInit init, DType dtype, Rng rng) {
        int layers = all.size() - 1;
        Parameters params = Parameters.allocate(dtype, specs(all, batchnorm));
        for (int idx = 1; idx <= layers; idx++) {
            init.fill(params.get("W" + idx).value(), all.get(idx - 1), rng);
            if (batchnorm && idx < layers) {
                params.get("gamma" + idx).value().fill(1.0);
            }
        }
        return params;
    }

    /** The weights {@code W1 … W(layers)} in order: what weight decay applies to. */
    static List<Parameter> weights(Parameters params, int layers) {
        List<Parameter> weights = new ArrayList<>();
        for (int idx = 1; idx <= layers; idx++) {
            weights.add(params.get("W" + idx));
        }
        return List.copyOf(weights);
    }

    /** {@code Σ_idx 0.5·λ·ΣW_idx²}, the book's {@code weight_decay} term of the loss. */
    static double weightDecay(List<Parameter> weights, double lambda) {
        if (lambda == 0) {
            return 0;
        }
        double decay = 0;
        for (int i = 0; i < weights.size(); i++) {
            Tensor W = weights.get(i).value();
            decay += 0.5 * lambda * Ops.dot(W, W);
        }
        return decay;
    }

    /** {@code dW += λ·W} for every weight (not biases, not γ, β), as the book's {@code gradient}. */
    static void weightDecayGradient(List<Parameter> weights, double lambda) {
        if (lambda == 0) {
            return;
        }
        for (int i = 0; i < weights.size(); i++) {
            Parameter W = weights.get(i);
            Ops.axpy(lambda, W.value(), W.grad());
        }
    }

    /**
     * The sizes {@code [input] + hidden + [output]} of a multi-layer net whose parameters have these shapes (book
     * names: {@code W1 (in, h1)}, {@code b1 (h1)}, …), checking that consecutive layers fit and, when
     * {@code batchnorm}, that every hidden layer has {@code gamma} and {@code beta}.
     *
     * @throws IllegalArgumentException naming the missing or misshapen parameter
     */
    static List<Integer> inferSizes(String who, Map<String, int[]> shapes, boolean batchnorm) {
        List<Integer> all = new ArrayList<>();
        int idx = 1;
        while (shapes.containsKey("W" + idx)) {
            int[] w = shapes.get("W" + idx);
            if (w.length != 2) {
                throw new IllegalArgumentException(who + ": W" + idx + " has shape " + Shapes.toString(w)
                        + ", expected (in, out)");
            }
            if (idx == 1) {
                all.add(w[0]);
            } else if (w[0] != all.get(all.size() - 1)) {
                throw new IllegalArgumentException(who + ": W" + idx + " " + Shapes.toString(w) + " does not take the "
                        + all.get(all.size() - 1) + " outputs of W" + (idx - 1));
            }
            all.add(w[1]);
            requireShape(who, shapes, "b" + idx, w[1]);
            idx++;
        }
        if (idx < 3) {
            throw new IllegalArgumentException(who + ": expected parameters W1, b1, W2, b2, … with at least one hidden "
                    + "layer, got " + shapes.keySet());
        }
        if (batchnorm) {
            for (int h = 1; h < idx - 1; h++) {
                requireShape(who, shapes, "gamma" + h, all.get(h));
                requireShape(who, shapes, "beta" + h, all.get(h));
            }
        }
        return List.copyOf(all);
    }

    private static void requireShape(String who, Map<String, int[]> shapes, String name, int size) {
        int[] s = shapes.get(name);
        if (s == null) {
            throw new IllegalArgumentException(who + ": missing parameter '" + name + "' (have " + shapes.keySet()
                    + ")");
        }
        if (s.length != 1 || s[0] != size) {
            throw new IllegalArgumentException(who + ": parameter '" + name + "' has shape " + Shapes.toString(s)
                    + ", expected (" + size + ",)");
        }
    }

    /** Option {@code key} as given (a string or a number), or {@code fallback}; unknown options are an error. */
    static Object option(Map<String, Object> options, String key, Object fallback) {
        Object v = options.get(key);
        return v == null ? fallback : v;
    }

    /** Fails on options the architecture does not know. */
    static void onlyOptions(String who, Map<String, Object> options, List<String> known) {
        for (String k : options.keySet()) {
            if (!known.contains(k)) {
                throw new IllegalArgumentException(who + " has no option '" + k + "' (known: " + known + ")");
            }
        }
    }

    static double number(String who, Object v, String key) {
        if (v instanceof Number) {
            return ((Number) v).doubleValue();
        }
        try {
            return Double.parseDouble(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(who + ": option " + key + " must be a number, got " + v);
        }
    }

    /** The fields both networks store in their {@link Architecture}. */
    static void putCommon(Map<String, Object> config, List<Integer> all, Activation activation, WeightInit init,
                          double lambda) {
        config.put("input_size", all.get(0));
        config.put("hidden_sizes", all.subList(1, all.size() - 1));
        config.put("output_size", all.get(all.size() - 1));
        config.put("activation", activation.toString());
        config.put("weight_init_std", init.toString());
        config.put("weight_decay_lambda", lambda);
    }
}
