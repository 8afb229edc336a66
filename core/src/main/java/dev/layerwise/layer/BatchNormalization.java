package dev.layerwise.layer;

import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.tensor.UpdateOps;
import java.util.List;

/**
 * Batch normalisation: {@code out = γ·(x − μ)/√(σ² + ε) + β}, with the mean μ and variance σ² of the mini-batch in
 * training and running averages of them in inference.
 *
 * <p><b>Shape</b>: {@code (N, D)}, or {@code (N, d1, d2, …)} normalised per feature over the batch with
 * {@code D = d1·d2·…} features (the book's {@code (N, C, H, W)} → {@code (N, C·H·W)}) → the same shape.
 * <b>Parameters</b>: {@code gamma (D)}, ones at first, and {@code beta (D)}, zeros. <b>Buffers</b>: the running
 * mean and variance {@code (D)}, zeros at first, updated by every training-mode forward as
 * {@code running = momentum·running + (1 − momentum)·batch} (momentum 0.9; the variance is the biased one).
 * ε is the book's {@code 10e-7} (= 1e-6). <b>Book</b>: §6.3, {@code common/layers.py: BatchNormalization}. Forward
 * keeps {@code xc = x − μ} and {@code std = √(σ² + ε)} for backward, which is the book's computational graph.
 *
 * <pre>{@code
 * BatchNormalization bn = new BatchNormalization(params.get("gamma1"), params.get("beta1"));
 * Tensor out = bn.forward(x, true);    // normalise by the batch, update the running statistics
 * Tensor dx = bn.backward(dout);       // fills dgamma and dbeta
 * Tensor y = bn.forward(xTest, false); // normalise by the running statistics
 * }</pre>
 */
public final class BatchNormalization implements Layer {
    /** The book's ε: {@code 10e-7}, i.e. 1e-6. */
    public static final double EPSILON = 10e-7;
    /** The book's default momentum of the running averages. */
    public static final double DEFAULT_MOMENTUM = 0.9;

    private final Parameter gammaParam;
    private final Parameter betaParam;
    private final Tensor gamma;
    private final Tensor beta;
    private final double momentum;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final int features;

    private int[] inputShape;
    private boolean trained;
    private Tensor mean;
    private Tensor var;
    private Tensor std;
    private Tensor xc;
    private Tensor out;
    private Tensor dx;

    /** Batch norm over {@code gamma} and {@code beta} (D) with momentum 0.9 and running statistics of its own. */
    public BatchNormalization(Parameter gamma, Parameter beta) {
        this(gamma, beta, DEFAULT_MOMENTUM, null, null);
    }

    /**
     * Batch norm with the given momentum (in [0, 1]) whose running statistics live in {@code runningMean} and
     * {@code runningVar} (D; updated in place, so a network can own and save them), or in new zero tensors when
     * those are {@code null}, as the book's {@code BatchNormalization(gamma, beta, momentum, running_mean,
     * running_var)}.
     */
    public BatchNormalization(Parameter gamma, Parameter beta, double momentum, Tensor runningMean,
                              Tensor runningVar) {
        Tensor g = gamma.value();
        if (g.rank() != 1 || !beta.value().sameShape(g) || beta.value().dtype() != g.dtype()) {
            throw new IllegalArgumentException("BatchNormalization: gamma " + gamma + " and beta " + beta
                    + " must both be (D)");
        }
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("BatchNormalization: momentum must be in [0, 1], got " + momentum);
        }
        this.features = g.size();
        this.gammaParam = gamma;
        this.betaParam = beta;
        this.gamma = g;
        this.beta = beta.value();
        this.momentum = momentum;
        this.runningMean = checkBuffer("running mean", runningMean, g);
        this.runningVar = checkBuffer("running variance", runningVar, g);
        this.mean = Tensor.zeros(g.dtype(), features);
        this.var = Tensor.zeros(g.dtype(), features);
        this.std = Tensor.zeros(g.dtype(), features);
    }

    private static Tensor checkBuffer(String what, Tensor t, Tensor gamma) {
        if (t == null) {
            return Tensor.zeros(gamma.dtype(), gamma.size());
        }
        if (t.size() != gamma.size() || t.dtype() != gamma.dtype()) {
            throw new IllegalArgumentException("BatchNormalization: " + what + " " + t + " does not match gamma "
                    + gamma);
        }
        return t;
    }

    /** Training mode, as the book's default {@code train_flg=True}. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, true);
    }

    @Override
    public Tensor forward(Tensor x, boolean train) {
        if (x.rank() < 2 || x.dtype() != gamma.dtype() || x.size() / Math.max(1, x.dim(0)) != features
                || x.dim(0) == 0) {
            throw new IllegalArgumentException("BatchNormalization(" + features + "): input " + x.dtype()
                    + Shapes.toString(x.shape()) + " does not match gamma " + gamma.dtype() + "(" + features
                    + ",) (expected (N, " + features + ") or (N, …) with " + features + " features, N >= 1)");
        }
        if (inputShape == null || !x.hasShape(inputShape)) {
            inputShape = x.shape();
        }
        int n = x.dim(0);
        Tensor x2 = x.rank() == 2 ? x : x.reshape(n, features);
        out = Tensor.reuse(out, x.dtype(), n, features);
        if (train) {
            xc = Tensor.reuse(xc, x.dtype(), n, features);
            UpdateOps.batchNormForward(x2, gamma, beta, EPSILON, mean, var, std, xc, out);
            UpdateOps.movingAverage(momentum, mean, runningMean);
            UpdateOps.movingAverage(momentum, var, runningVar);
        } else {
            UpdateOps.batchNormInference(x2, gamma, beta, EPSILON, runningMean, runningVar, out);
        }
        trained = train;
        return x.rank() == 2 ? out : out.reshape(inputShape);
    }

    /** Backward through the last training-mode forward: returns dx, fills dgamma and dbeta. */
    @Override
    public Tensor backward(Tensor dout) {
        if (!trained) {
            throw new IllegalStateException("BatchNormalization: backward needs a training-mode forward first");
        }
        if (dout.size() != out.size() || dout.dtype() != out.dtype() || dout.dim(0) != out.dim(0)) {
            throw new IllegalArgumentException("BatchNormalization(" + features + "): dout " + dout.dtype()
                    + Shapes.toString(dout.shape()) + " does not match the forward output "
                    + Shapes.toString(inputShape));
        }
        int n = out.dim(0);
        dx = Tensor.reuse(dx, dout.dtype(), n, features);
        Tensor dout2 = dout.rank() == 2 ? dout : dout.reshape(n, features);
        UpdateOps.batchNormBackward(dout2, xc, std, gamma, dx, gammaParam.grad(), betaParam.grad());
        return inputShape.length == 2 ? dx : dx.reshape(inputShape);
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(gammaParam, betaParam);
    }

    /** The running mean (D), the tensor itself: updated by training-mode forwards, read in inference. */
    public Tensor runningMean() {
        return runningMean;
    }

    /** The running variance (D), the tensor itself. */
    public Tensor runningVar() {
        return runningVar;
    }

    /** The ε added to the variance: the book's {@link #EPSILON}. */
    public double epsilon() {
        return EPSILON;
    }

    public double momentum() {
        return momentum;
    }

    @Override
    public String toString() {
        return "BatchNormalization(" + features + ", momentum=" + momentum + ", " + gamma.dtype() + ")";
    }
}
