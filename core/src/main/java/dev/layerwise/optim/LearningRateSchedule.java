package dev.layerwise.optim;

import java.util.Locale;

/**
 * The learning rate of each update as a function of the base rate {@code lr} and the number of updates already done,
 * {@code step} (0 for the first). Beyond the book, whose optimizers keep {@code lr} constant.
 *
 * <ul>
 *   <li>{@link #constant()}: {@code lr} (the book);</li>
 *   <li>{@link #step(long, double)}: {@code lr · gamma^⌊step / every⌋};</li>
 *   <li>{@link #cosine(long, double)}: {@code min + (lr − min)·(1 + cos(π·min(step, total)/total))/2}, from
 *       {@code lr} down to {@code min} over {@code total} steps, then {@code min}.</li>
 * </ul>
 *
 * <p>Adam applies its bias correction on top of the scheduled rate.
 */
@FunctionalInterface
public interface LearningRateSchedule {

    /** The learning rate for update number {@code step} (0-based), given the base rate {@code lr}. */
    double rate(double lr, long step);

    /** The base rate at every step (the book). */
    static LearningRateSchedule constant() {
        return Constant.INSTANCE;
    }

    /** {@code lr · gamma^⌊step / every⌋}: multiplied by {@code gamma} (in (0, 1]) every {@code every} steps. */
    static LearningRateSchedule step(long every, double gamma) {
        return new Step(every, gamma);
    }

    /** Cosine annealing from {@code lr} to {@code minLr} (at least 0) over {@code totalSteps} steps. */
    static LearningRateSchedule cosine(long totalSteps, double minLr) {
        return new Cosine(totalSteps, minLr);
    }

    /**
     * Parses {@code constant}, {@code step:EVERY:GAMMA} (e.g. {@code step:1000:0.5}) or {@code cosine[:MIN_LR]}
     * (annealing over {@code totalSteps}, the length of the run).
     *
     * @throws IllegalArgumentException describing the accepted forms
     */
    static LearningRateSchedule parse(String text, long totalSteps) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        String[] parts = s.split(":", -1);
        try {
            switch (parts[0]) {
                case "constant":
                    if (parts.length == 1) {
                        return constant();
                    }
                    break;
                case "step":
                    if (parts.length == 3) {
                        return step(Long.parseLong(parts[1]), Double.parseDouble(parts[2]));
                    }
                    break;
                case "cosine":
                    if (parts.length <= 2) {
                        return cosine(totalSteps, parts.length == 2 ? Double.parseDouble(parts[1]) : 0);
                    }
                    break;
                default:
                    break;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("unknown learning-rate schedule '" + text
                + "' (expected constant, step:EVERY:GAMMA such as step:1000:0.5, or cosine[:MIN_LR])");
    }

    /** The book's constant rate. */
    final class Constant implements LearningRateSchedule {
        static final Constant INSTANCE = new Constant();

        private Constant() {
        }

        @Override
        public double rate(double lr, long step) {
            return lr;
        }

        @Override
        public String toString() {
            return "constant";
        }
    }

    /** Step decay: {@code lr · gamma^⌊step / every⌋}. */
    record Step(long every, double gamma) implements LearningRateSchedule {
        public Step {
            if (every < 1) {
                throw new IllegalArgumentException("step schedule: EVERY must be at least 1, got " + every);
            }
            if (!(gamma > 0 && gamma <= 1)) {
                throw new IllegalArgumentException("step schedule: GAMMA must be in (0, 1], got " + gamma);
            }
        }

        @Override
        public double rate(double lr, long step) {
            return lr * Math.pow(gamma, step / every);
        }

        @Override
        public String toString() {
            return "step:" + every + ":" + gamma;
        }
    }

    /** Cosine annealing from the base rate down to {@code minLr} over {@code totalSteps}. */
    record Cosine(long totalSteps, double minLr) implements LearningRateSchedule {
        public Cosine {
            if (totalSteps < 1) {
                throw new IllegalArgumentException("cosine schedule: the run must have at least 1 step, got "
                        + totalSteps);
            }
            if (!(minLr >= 0) || Double.isInfinite(minLr)) {
                throw new IllegalArgumentException("cosine schedule: MIN_LR must be a finite number >= 0, got "
                        + minLr);
            }
        }

        @Override
        public double rate(double lr, long step) {
            double progress = Math.min(step, totalSteps) / (double) totalSteps;
            return minLr + (lr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
        }

        @Override
        public String toString() {
            return "cosine:" + minLr + " over " + totalSteps + " steps";
        }
    }
}
