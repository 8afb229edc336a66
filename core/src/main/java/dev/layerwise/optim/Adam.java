package dev.layerwise.optim;

import dev.layerwise.layer.Parameter;
import dev.layerwise.net.Parameters;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.tensor.UpdateOps;
import java.util.List;

/**
 * Adam in the book's form: at update {@code t}, {@code lr_t = lr·√(1 − β2^t) / (1 − β1^t)};
 * {@code m ← m + (1 − β1)·(dW − m); v ← v + (1 − β2)·(dW² − v); W ← W − lr_t·m / (√v + 1e-7)}. The bias correction
 * is folded into {@code lr_t}, and ε is added after the square root, as the book does (the paper adds ε̂ to the
 * corrected √v̂, which differs slightly).
 *
 * <p><b>Book</b>: §6.1.6, {@code common/optimizer.py: Adam} (defaults {@code lr} 0.001, {@code beta1} 0.9,
 * {@code beta2} 0.999).
 */
public final class Adam extends AbstractOptimizer {
    private final double beta1;
    private final double beta2;

    /** The book's defaults: lr 0.001, β1 0.9, β2 0.999. */
    public Adam() {
        this(Optimizers.ADAM_LR, Optimizers.ADAM_BETA1, Optimizers.ADAM_BETA2);
    }

    public Adam(double lr, double beta1, double beta2) {
        this(lr, beta1, beta2, LearningRateSchedule.constant());
    }

    /** Adam with a learning-rate schedule (the bias correction applies on top); betas in [0, 1). */
    public Adam(double lr, double beta1, double beta2, LearningRateSchedule schedule) {
        super("adam", lr, schedule, "m", "v");
        this.beta1 = checkUnitInterval("adam", "beta1", beta1);
        this.beta2 = checkUnitInterval("adam", "beta2", beta2);
    }

    public double beta1() {
        return beta1;
    }

    public double beta2() {
        return beta2;
    }

    @Override
    protected void step(Parameters params, double lr, long t) {
        double lrT = lr * Math.sqrt(1.0 - Math.pow(beta2, t)) / (1.0 - Math.pow(beta1, t));
        List<Parameter> list = params.list();
        for (int i = 0; i < list.size(); i++) {
            Parameter p = list.get(i);
            Tensor[] s = state(p);
            UpdateOps.adamUpdate(lrT, beta1, beta2, Optimizers.EPSILON, p.grad(), s[0], s[1], p.value());
        }
    }

    @Override
    protected String hyperparameters() {
        return super.hyperparameters() + ", beta1=" + beta1 + ", beta2=" + beta2;
    }
}
