package dev.layerwise.optim;

import dev.layerwise.layer.Parameter;
import dev.layerwise.net.Parameters;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.tensor.UpdateOps;
import java.util.List;

/**
 * Momentum SGD: {@code v ← momentum·v − lr·dW; W ← W + v}, with a velocity {@code v} per parameter, zero at first.
 *
 * <p><b>Book</b>: §6.1.4, {@code common/optimizer.py: Momentum} (defaults {@code lr} 0.01, {@code momentum} 0.9).
 */
public final class Momentum extends AbstractOptimizer {
    private final double momentum;

    /** The book's defaults: lr 0.01, momentum 0.9. */
    public Momentum() {
        this(Optimizers.MOMENTUM_LR, Optimizers.MOMENTUM);
    }

    public Momentum(double lr, double momentum) {
        this(lr, momentum, LearningRateSchedule.constant());
    }

    /** Momentum with a learning-rate schedule; {@code momentum} in [0, 1). */
    public Momentum(double lr, double momentum, LearningRateSchedule schedule) {
        super("momentum", lr, schedule, "v");
        this.momentum = checkUnitInterval("momentum", "momentum", momentum);
    }

    public double momentum() {
        return momentum;
    }

    @Override
    protected void step(Parameters params, double lr, long t) {
        List<Parameter> list = params.list();
        for (int i = 0; i < list.size(); i++) {
            Parameter p = list.get(i);
            Tensor v = state(p)[0];
            UpdateOps.momentumUpdate(lr, momentum, p.grad(), v, p.value());
        }
    }

    @Override
    protected String hyperparameters() {
        return super.hyperparameters() + ", momentum=" + momentum;
    }
}
