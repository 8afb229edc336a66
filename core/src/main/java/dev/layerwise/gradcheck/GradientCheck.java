package dev.layerwise.gradcheck;

import dev.layerwise.layer.Parameter;
import dev.layerwise.net.Sequential;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Compares backpropagation with numerical differentiation, parameter by parameter: the book's
 * {@code gradient_check.py} (§5.7.3) as an API.
 *
 * <p>Backprop through {@code SoftmaxWithLoss} is {@code (y − t)/N}, the gradient of {@code −log y}; the loss itself
 * is {@code −log(y + 1e-7)}. The two agree while the probability of the true class stays well above 1e-7·1e4; a
 * network that is confidently wrong (probabilities near 1e-6) shows differences of a few percent that are the book's
 * semantics, not a bug.
 *
 * <pre>{@code
 * GradientCheck.Report report = GradientCheck.check(net, xBatch, tBatch);
 * System.out.print(report);            // W1:4.6e-10  b1:2.9e-09 …
 * assert report.maxMeanAbsDiff() < 1e-6;
 * }</pre>
 */
public final class GradientCheck {
    /** Gradients smaller than this in both methods are compared by absolute difference only. */
    public static final double RELATIVE_FLOOR = 1e-8;

    private GradientCheck() {
    }

    /**
     * The agreement for one parameter: mean and max of {@code |backprop − numerical|} over its elements, and the max
     * relative error {@code |a − b| / max(|a|, |b|)} over the elements where {@code max(|a|, |b|) ≥ 1e-8}.
     */
    public record Entry(String name, int size, double meanAbsDiff, double maxAbsDiff, double maxRelError) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s:%.2e  (max abs diff %.2e, max rel error %.2e, %d elements)",
                    name, meanAbsDiff, maxAbsDiff, maxRelError, size);
        }
    }

    /** One {@link Entry} per parameter, in the network's order. */
    public record Report(List<Entry> entries) {
        /** The largest mean absolute difference over all parameters. */
        public double maxMeanAbsDiff() {
            return entries.stream().mapToDouble(Entry::meanAbsDiff).max().orElse(0);
        }

        /** The largest relative error over all parameters. */
        public double maxRelError() {
            return entries.stream().mapToDouble(Entry::maxRelError).max().orElse(0);
        }

        /** One line per parameter, as the book prints them: {@code W1:4.6e-10}. */
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            for (Entry e : entries) {
                sb.append(e).append('\n');
            }
            return sb.toString();
        }
    }

    /**
     * Runs backpropagation and the numerical gradient on one batch and compares them. The network's parameters are
     * unchanged afterwards; their gradients hold the backprop result.
     */
    public static Report check(Sequential net, Tensor x, Labels t) {
        Map<String, Tensor> numerical = net.numericalGradient(x, t);
        net.gradient(x, t);
        List<Entry> entries = new ArrayList<>();
        for (Parameter p : net.parameters()) {
            entries.add(compare(p.name(), p.grad(), numerical.get(p.name())));
        }
        return new Report(List.copyOf(entries));
    }

    /** Compares two gradients of the same shape. */
    public static Entry compare(String name, Tensor backprop, Tensor numerical) {
        if (backprop.size() != numerical.size()) {
            throw new IllegalArgumentException(name + ": gradients of " + backprop.size() + " and "
                    + numerical.size() + " elements");
        }
        double sum = 0;
        double maxAbs = 0;
        double maxRel = 0;
        int n = backprop.size();
        for (int i = 0; i < n; i++) {
            double a = backprop.getDouble(i);
            double b = numerical.getDouble(i);
            double diff = Math.abs(a - b);
            sum += diff;
            maxAbs = Math.max(maxAbs, diff);
            double scale = Math.max(Math.abs(a), Math.abs(b));
            if (scale >= RELATIVE_FLOOR) {
                maxRel = Math.max(maxRel, diff / scale);
            }
            if (Double.isNaN(diff)) {
                maxAbs = Double.NaN;
                maxRel = Double.NaN;
            }
        }
        return new Entry(name, n, n == 0 ? 0 : sum / n, maxAbs, maxRel);
    }
}
