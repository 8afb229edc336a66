package dev.layerwise.optim;

import dev.layerwise.layer.Parameter;
import dev.layerwise.net.Parameters;
import dev.layerwise.tensor.UpdateOps;
import java.util.List;

/**
 * AdaGrad: {@code h ← h + dW·dW; W ← W − lr·dW / (√h + 1e-7)}, a per-element learning rate that shrinks with the
 * sum of squared gradients {@code h}.
 *
 * <p><b>Book</b>: §6.1.5, {@code common/optimizer.py: AdaGrad} (default {@code lr} 0.01; ε 1e-7 added after the
 * square root).
 */
public final class AdaGrad extends AbstractOptimizer {

    /** The book's default: lr 0.01. */
    public AdaGrad() {
        this(Optimizers.ADAGRAD_LR);
    }

    public AdaGrad(double lr) {
        this(lr, LearningRateSchedule.constant());
    }

    public AdaGrad(double lr, LearningRateSchedule schedule) {
        super("adagrad", lr, schedule, "h");
    }

    @Override
    protected void step(Parameters params, double lr, long t) {
        List<Parameter> list = params.list();
        for (int i = 0; i < list.size(); i++) {
            Parameter p = list.get(i);
            UpdateOps.adaGradUpdate(lr, Optimizers.EPSILON, p.grad(), state(p)[0], p.value());
        }
    }
}
