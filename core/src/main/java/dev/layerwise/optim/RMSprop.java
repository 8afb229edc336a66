package dev.layerwise.optim;

import dev.layerwise.layer.Parameter;
import dev.layerwise.net.Parameters;
import dev.layerwise.tensor.UpdateOps;
import java.util.List;

/**
 * RMSprop: {@code h ← decayRate·h + (1 − decayRate)·dW·dW; W ← W − lr·dW / (√h + 1e-7)}, AdaGrad with an
 * exponentially decaying sum.
 *
 * <p><b>Book</b>: §6.1.5 (note), {@code common/optimizer.py: RMSprop} (defaults {@code lr} 0.01, {@code decay_rate}
 * 0.99).
 */
public final class RMSprop extends AbstractOptimizer {
    private final double decayRate;

    /** The book's defaults: lr 0.01, decay rate 0.99. */
    public RMSprop() {
        this(Optimizers.RMSPROP_LR, Optimizers.RMSPROP_DECAY_RATE);
    }

    public RMSprop(double lr, double decayRate) {
        this(lr, decayRate, LearningRateSchedule.constant());
    }

    /** RMSprop with a learning-rate schedule; {@code decayRate} in [0, 1). */
    public RMSprop(double lr, double decayRate, LearningRateSchedule schedule) {
        super("rmsprop", lr, schedule, "h");
        this.decayRate = checkUnitInterval("rmsprop", "decay_rate", decayRate);
    }

    public double decayRate() {
        return decayRate;
    }

    @Override
    protected void step(Parameters params, double lr, long t) {
        List<Parameter> list = params.list();
        for (int i = 0; i < list.size(); i++) {
            Parameter p = list.get(i);
            UpdateOps.rmsPropUpdate(lr, decayRate, Optimizers.EPSILON, p.grad(), state(p)[0], p.value());
        }
    }

    @Override
    protected String hyperparameters() {
        return super.hyperparameters() + ", decay_rate=" + decayRate;
    }
}
