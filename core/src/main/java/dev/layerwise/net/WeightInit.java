package dev.layerwise.net;

import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.util.Locale;

/**
 * How initial weights are drawn: Gaussian with a fixed standard deviation, or scaled by the fan-in {@code n} (the
 * number of inputs of a unit) as Xavier ({@code √(1/n)}) or He ({@code √(2/n)}). Biases start at zero.
 *
 * <p><b>Book</b>: §6.2, {@code common/multi_layer_net.py: __init_weight} ({@code weight_init_std} = a number,
 * {@code 'sigmoid'}/{@code 'xavier'} or {@code 'relu'}/{@code 'he'}).
 */
public final class WeightInit {
    private enum Kind { STD, XAVIER, HE }

    private final Kind kind;
    private final double std;

    private WeightInit(Kind kind, double std) {
        this.kind = kind;
        this.std = std;
    }

    /** Gaussian with standard deviation {@code std} (the book's default is 0.01). */
    public static WeightInit std(double std) {
        if (!(std >= 0) || Double.isInfinite(std)) {
            throw new IllegalArgumentException("weight init std must be a finite number >= 0, got " + std);
        }
        return new WeightInit(Kind.STD, std);
    }

    /** Xavier (Glorot): standard deviation {@code √(1/n)}, suited to sigmoid and tanh. */
    public static WeightInit xavier() {
        return new WeightInit(Kind.XAVIER, 0);
    }

    /** He: standard deviation {@code √(2/n)}, suited to ReLU. */
    public static WeightInit he() {
        return new WeightInit(Kind.HE, 0);
    }

    /** Parses {@code he}/{@code relu}, {@code xavier}/{@code sigmoid}, or a number (a fixed standard deviation). */
    public static WeightInit parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "he": case "relu":
                return he();
            case "xavier": case "sigmoid":
                return xavier();
            default:
                try {
                    return std(Double.parseDouble(s));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("unknown weight init '" + text
                            + "' (expected he, xavier or a standard deviation such as 0.01)");
                }
        }
    }

    /** The standard deviation for a unit with {@code fanIn} inputs. */
    public double stddev(int fanIn) {
        switch (kind) {
            case XAVIER:
                return Math.sqrt(1.0 / fanIn);
            case HE:
                return Math.sqrt(2.0 / fanIn);
            default:
                return std;
        }
    }

    /** Whether the standard deviation depends on the fan-in (Xavier, He) rather than being fixed. */
    public boolean scalesWithFanIn() {
        return kind != Kind.STD;
    }

    /** Fills {@code W} with Gaussian values of the standard deviation for {@code fanIn} inputs. */
    public void fill(Tensor W, int fanIn, Rng rng) {
        double s = stddev(fanIn);
        for (int i = 0; i < W.size(); i++) {
            W.setDouble(i, s * rng.nextGaussian());
        }
    }

    @Override
    public String toString() {
        switch (kind) {
            case XAVIER:
                return "xavier";
            case HE:
                return "he";
            default:
                return Double.toString(std);
        }
    }
}
