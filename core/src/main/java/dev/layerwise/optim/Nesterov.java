package dev.layerwise.optim;

import dev.layerwise.layer.Parameter;
import dev.layerwise.net.Parameters;
import dev.layerwise.tensor.UpdateOps;
import java.util.List;

/**
 * Nesterov's accelerated gradient in the book's formulation, which updates {@code W} with the look-ahead folded in:
 * {@code W += momentum²·v; W −= (1 + momentum)·lr·dW; v ← momentum·v − lr·dW}.
 *
 * <p><b>Book</b>: {@code common/optimizer.py: Nesterov} (defaults {@code lr} 0.01, {@code momentum} 0.9; see
 * arXiv:1212.0901).
 */
public final class Nesterov extends AbstractOptimizer {
    private final double momentum;

    /** The book's defaults: lr 0.01, momentum 0.9. */
    public Nesterov() {
        this(Optimizers.MOMENTUM_LR, Optimizers.MOMENTUM);
    }

    public Nesterov(double lr, double momentum) {
        this(lr, momentum, LearningRateSchedule.constant());
    }

    /** Nesterov with a learning-rate schedule; {@code momentum} in [0, 1). */
    public Nesterov(double lr, double momentum, LearningRateSchedule schedule) {
        super("nesterov", lr, schedule, "v");
        this.momentum = checkUnitInterval("nesterov", "momentum", momentum);
    }

    public double momentum() {
        return momentum;
    }

    @Override
    protected void step(Parameters params, double lr, long t) {
        List<Parameter> list = params.list();
        for (int i = 0; i < list.size(); i++) {
            Parameter p = list.get(i);
            UpdateOps.nesterovUpdate(lr, momentum, p.grad(), state(p)[0], p.value());
        }
    }

    @Override
    protected String hyperparameters() {
        return super.hyperparameters() + ", momentum=" + momentum;
    }
}
