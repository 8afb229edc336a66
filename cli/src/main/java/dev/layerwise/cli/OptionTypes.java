package dev.layerwise.cli;

import dev.layerwise.layer.Dropout;
import dev.layerwise.net.Activation;
import dev.layerwise.net.Architectures;
import dev.layerwise.net.NetworkType;
import dev.layerwise.net.WeightInit;
import dev.layerwise.optim.LearningRateSchedule;
import dev.layerwise.optim.Optimizers;
import dev.layerwise.tensor.DType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The types of the command-line options and their converters: the parser turns each option's text into the value it
 * means, or fails naming the option.
 */
final class OptionTypes {
    private OptionTypes() {
    }

    /**
     * A conversion error whose message is the whole usage error, option name included: {@link Main} prints it as it
     * is, where picocli would prefix "Invalid value for option".
     */
    static final class UsageMessage extends TypeConversionException {
        private static final long serialVersionUID = 1L;

        UsageMessage(String message) {
            super(message);
        }
    }

    /**
     * Number options say "not a number" or "not a whole number", in words, where picocli would name the Java type
     * ("is not a double").
     */
    static void registerNumbers(picocli.CommandLine cl) {
        ITypeConverter<Double> real = value -> {
            try {
                return Double.valueOf(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a number");
            }
        };
        ITypeConverter<Integer> whole = value -> {
            try {
                return Integer.valueOf(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a whole number"
                        + (value.trim().matches("[+-]?\\d+") ? " that fits in 32 bits" : ""));
            }
        };
        ITypeConverter<Long> wide = value -> {
            try {
                return Long.valueOf(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a whole number"
                        + (value.trim().matches("[+-]?\\d+") ? " that fits in 64 bits" : ""));
            }
        };
        cl.registerConverter(Double.class, real).registerConverter(double.class, real)
                .registerConverter(Integer.class, whole).registerConverter(int.class, whole)
                .registerConverter(Long.class, wide).registerConverter(long.class, wide);
    }

    /** A network type by its name, with dashes or underscores, in any case. */
    static final class Architecture implements ITypeConverter<NetworkType> {
        @Override
        public NetworkType convert(String value) {
            String name = value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            if (!Architectures.names().contains(name)) {
                throw new TypeConversionException("unknown network '" + value + "' (expected "
                        + oneOf(Architectures.names()) + ")");
            }
            return Architectures.type(name);
        }
    }

    /** The network names, for shell completion. */
    static final class ArchitectureNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Architectures.names().iterator();
        }
    }

    /** Completion candidates of {@code --optimizer}. */
    static final class OptimizerCandidates implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return dev.layerwise.optim.Optimizers.names().iterator();
        }
    }

    /** Completion candidates of {@code --activation}. */
    static final class ActivationCandidates implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("relu", "sigmoid").iterator();
        }
    }

    /** Completion candidates of {@code experiment}'s name. */
    static final class ExperimentCandidates implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return dev.layerwise.experiment.Experiments.NAMES.iterator();
        }
    }

    /** Hidden layer sizes as given ({@code 100,100}) and as numbers. */
    record HiddenSizes(String text, List<Integer> sizes) {
    }

    /** Parses comma-separated hidden layer sizes of at least 1. */
    static final class Hidden implements ITypeConverter<HiddenSizes> {
        @Override
        public HiddenSizes convert(String hidden) {
            List<Integer> sizes = new ArrayList<>();
            for (String part : hidden.split(",", -1)) {
                String p = part.trim();
                if (p.isEmpty()) {
                    if (hidden.trim().isEmpty()) {
                        break;
                    }
                    throw new UsageMessage("--hidden must be sizes separated by commas, such as 100,100; got '"
                            + hidden + "'");
                }
                try {
                    sizes.add(Integer.parseInt(p));
                } catch (NumberFormatException e) {
                    throw new UsageMessage("--hidden must be whole numbers separated by commas, such as 100,100; got '"
                            + hidden + "'");
                }
            }
            if (sizes.isEmpty()) {
                throw new UsageMessage("--hidden needs at least one hidden layer size, such as --hidden 100,100");
            }
            for (int h : sizes) {
                if (h < 1) {
                    throw new UsageMessage("--hidden sizes must be at least 1, got " + hidden);
                }
            }
            return new HiddenSizes(hidden, List.copyOf(sizes));
        }
    }

    /** {@code relu} or {@code sigmoid}, checked and kept as given (the message names the option). */
    static final class Activations implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            parsed("--activation", () -> Activation.parse(value));
            return value;
        }
    }

    /** {@code he}, {@code xavier} or a standard deviation. */
    static final class WeightInits implements ITypeConverter<WeightInit> {
        @Override
        public WeightInit convert(String value) {
            return parsed("--init", () -> WeightInit.parse(value));
        }
    }

    /** {@code book} or {@code inverted}. */
    static final class DropoutModes implements ITypeConverter<Dropout.Mode> {
        @Override
        public Dropout.Mode convert(String value) {
            return parsed("--dropout-mode", () -> Dropout.Mode.parse(value));
        }
    }

    /** An optimizer's name, in lower case. */
    static final class OptimizerNames implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String name = value.trim().toLowerCase(Locale.ROOT);
            if (!Optimizers.names().contains(name)) {
                throw new UsageMessage("--optimizer: unknown optimizer '" + value + "' (expected one of "
                        + String.join(", ", Optimizers.names()) + ")");
            }
            return name;
        }
    }

    /**
     * A learning-rate schedule's text, checked: the schedule itself is made when the run's length is known, since a
     * cosine schedule spans the run.
     */
    static final class Schedules implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            parsed("--lr-schedule", () -> LearningRateSchedule.parse(value, 1));
            return value;
        }
    }

    /** {@code float32} or {@code float64}. */
    static final class DTypes implements ITypeConverter<DType> {
        @Override
        public DType convert(String value) {
            try {
                return DType.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A fraction in (0, 1), for {@code --val-split}. */
    static final class Fraction implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return parsed("--val-split", () -> new dev.layerwise.data.ValidationSplit(number(value), 0).fraction());
        }
    }

    /** How CSV features are normalised: {@code standardize}, {@code none} or a divisor ({@code 255}), checked. */
    static final class Normalize implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (v.equals("standardize") || v.equals("none")) {
                return v;
            }
            parsed("--normalize", () -> new dev.layerwise.data.DataContract.Normalization.Scale(number(value)));
            return v;
        }

        /** The divisor the text means, or null for standardisation. */
        static Double divisor(String normalize) {
            return normalize == null || normalize.equals("standardize") ? null
                    : normalize.equals("none") ? 1.0 : Double.parseDouble(normalize);
        }
    }

    /** An image's height and width in pixels. */
    record HeightWidth(int height, int width) {
    }

    /** An image size {@code H,W} (or one number for a square), each 1 to the decoder's limit. */
    static final class ImageSize implements ITypeConverter<HeightWidth> {
        @Override
        public HeightWidth convert(String value) {
            return parsed("--image-size", () -> {
                String[] parts = value.split(",", -1);
                if (parts.length > 2) {
                    throw new IllegalArgumentException("expected H,W (height and width in pixels), got '" + value
                            + "'");
                }
                int[] hw = new int[2];
                for (int i = 0; i < 2; i++) {
                    String part = parts[Math.min(i, parts.length - 1)].trim();
                    try {
                        hw[i] = Integer.parseInt(part);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("expected H,W (height and width in pixels), got '" + value
                                + "'");
                    }
                    if (hw[i] < 1 || hw[i] > dev.layerwise.data.ImageDecoder.MAX_SIDE) {
                        throw new IllegalArgumentException("sizes must be 1 to " + dev.layerwise.data.ImageDecoder
                                .MAX_SIDE + " pixels, got '" + value + "'");
                    }
                }
                return new HeightWidth(hw[0], hw[1]);
            });
        }
    }

    /** The channels of images: 1 (grey) or 3 (RGB). */
    static final class Channels implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return parsed("--channels", () -> {
                String v = value.trim();
                if (!v.equals("1") && !v.equals("3")) {
                    throw new IllegalArgumentException("expected 1 (grey) or 3 (RGB), got '" + value + "'");
                }
                return Integer.parseInt(v);
            });
        }
    }

    private static double number(String value) {
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not a number");
        }
    }

    /** What {@code parse} returns, or a usage error naming {@code option} with the parser's own message. */
    private static <T> T parsed(String option, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new UsageMessage(option + ": " + e.getMessage());
        }
    }

    /** {@code a, b or c}. */
    static String oneOf(List<String> names) {
        int last = names.size() - 1;
        return last == 0 ? names.get(0) : String.join(", ", names.subList(0, last)) + " or " + names.get(last);
    }
}
