package dev.layerwise.optim;

import dev.layerwise.layer.Parameter;
import dev.layerwise.net.Parameters;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The common part of the optimizers: the base learning rate and its {@link LearningRateSchedule}, the update count,
 * and state tensors created lazily per parameter name (the book's {@code self.v[key] = np.zeros_like(val)} on the first
 * update). A subclass names its kinds of state ({@code "v"}, or {@code "m", "v"}) and implements {@link #step}.
 */
public abstract class AbstractOptimizer implements Optimizer {
    private final String name;
    private final double lr;
    private final LearningRateSchedule schedule;
    private final List<String> stateKinds;
    private final Map<String, Tensor[]> state = new LinkedHashMap<>();
    private long iterations;

    /**
     * @param name       the name {@link Optimizers} knows the optimizer by, used in messages
     * @param lr         the base learning rate, a finite number {@code >= 0}
     * @param schedule   the learning rate of each step
     * @param stateKinds the per-parameter state this optimizer keeps, by the book's attribute names
     */
    protected AbstractOptimizer(String name, double lr, LearningRateSchedule schedule, String... stateKinds) {
        this.name = name;
        this.lr = checkLearningRate(name, lr);
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.stateKinds = List.of(stateKinds);
    }

    /** Checks a learning rate: a finite number {@code >= 0}; the message names the optimizer and {@code lr}. */
    protected static double checkLearningRate(String who, double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException(who + ": lr (learning rate) must be a finite number >= 0, got " + lr);
        }
        return lr;
    }

    /** Checks that {@code value} lies in [0, 1), as momentum, decay rates and Adam's betas must. */
    protected static double checkUnitInterval(String who, String hyperparameter, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(who + ": " + hyperparameter + " must be in [0, 1), got " + value);
        }
        return value;
    }

    @Override
    public final void update(Parameters params) {
        double rate = schedule.rate(lr, iterations);
        iterations++;
        step(params, rate, iterations);
    }

    /**
     * One update of every parameter with learning rate {@code lr} (already scheduled); {@code t} is the 1-based
     * number of this update (Adam's bias correction uses it).
     */
    protected abstract void step(Parameters params, double lr, long t);

    /**
     * The state tensors of {@code p}, one per kind in constructor order, created as zeros of its shape on first use.
     *
     * @throws IllegalStateException if a parameter of this name came before with another shape or dtype
     */
    protected final Tensor[] state(Parameter p) {
        Tensor[] s = state.get(p.name());
        if (s == null) {
            s = new Tensor[stateKinds.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = Tensor.zeros(p.value().dtype(), p.value().shape());
            }
            state.put(p.name(), s);
        } else if (!s[0].sameShape(p.value()) || s[0].dtype() != p.value().dtype()) {
            throw new IllegalStateException(name + ": parameter " + p.name() + " is now " + p.value().dtype()
                    + Shapes.toString(p.value().shape()) + " but its state is " + s[0].dtype()
                    + Shapes.toString(s[0].shape()) + "; call reset() before updating another network");
        }
        return s;
    }

    @Override
    public String name() {
        return name;
    }

    /** The base learning rate. */
    public double lr() {
        return lr;
    }

    public LearningRateSchedule schedule() {
        return schedule;
    }

    /** The learning rate the next update will use. */
    public double currentLearningRate() {
        return schedule.rate(lr, iterations);
    }

    @Override
    public long iterations() {
        return iterations;
    }

    @Override
    public void reset() {
        state.clear();
        iterations = 0;
    }

    @Override
    public State state() {
        Map<String, Tensor> copy = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor[]> e : state.entrySet()) {
            for (int i = 0; i < stateKinds.size(); i++) {
                copy.put(stateKinds.get(i) + "/" + e.getKey(), e.getValue()[i].copy());
            }
        }
        return new State(iterations, copy);
    }

    @Override
    public void restore(State saved) {
        Map<String, Tensor[]> restored = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : saved.tensors().entrySet()) {
            String key = e.getKey();
            int slash = key.indexOf('/');
            int kind = slash < 0 ? -1 : stateKinds.indexOf(key.substring(0, slash));
            if (kind < 0) {
                throw new IllegalArgumentException(name + " keeps " + stateKinds + " per parameter; cannot restore '"
                        + key + "'");
            }
            Tensor[] s = restored.computeIfAbsent(key.substring(slash + 1), k -> new Tensor[stateKinds.size()]);
            s[kind] = e.getValue().copy();
        }
        for (Map.Entry<String, Tensor[]> e : restored.entrySet()) {
            for (int i = 0; i < stateKinds.size(); i++) {
                Tensor t = e.getValue()[i];
                if (t == null || !t.sameShape(e.getValue()[0]) || t.dtype() != e.getValue()[0].dtype()) {
                    throw new IllegalArgumentException(name + ": state of " + e.getKey() + " needs "
                            + stateKinds + " of one shape and dtype");
                }
            }
        }
        state.clear();
        state.putAll(restored);
        iterations = saved.iterations();
    }

    /** The hyperparameters for {@code toString}, e.g. {@code lr=0.01, momentum=0.9}. */
    protected String hyperparameters() {
        return "lr=" + lr;
    }

    @Override
    public String toString() {
        String s = getClass().getSimpleName() + "(" + hyperparameters();
        if (!(schedule instanceof LearningRateSchedule.Constant)) {
            s += ", schedule=" + schedule;
        }
        return s + ")";
    }
}
