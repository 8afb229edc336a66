package dev.layerwise.train;

import dev.layerwise.data.DataSet;
import dev.layerwise.kernel.Parallel;
import dev.layerwise.net.Architectures;
import dev.layerwise.net.Network;
import dev.layerwise.optim.Optimizer;
import dev.layerwise.optim.Optimizers;
import dev.layerwise.util.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Mini-batch training with evaluation once per epoch: the loop of the book's {@code ch05/train_neuralnet.py} and its
 * {@code common/trainer.py} ({@code Trainer(network, …, epochs, mini_batch_size, optimizer='SGD',
 * optimizer_param={'lr': 0.01}, evaluate_sample_num_per_epoch)}).
 *
 * <p>Each step draws a mini-batch, runs backpropagation and lets the optimizer update the parameters. By default the
 * batch is drawn at random with replacement, as the book's {@code np.random.choice(train_size, batch_size)}; with
 * {@link Sampling#SHUFFLED_EPOCHS} each epoch is one shuffled pass (PyTorch's usual loader, dropping the last partial
 * batch). An epoch is {@code max(trainSize / batchSize, 1)} steps. After every epoch and after the last step the
 * trainer measures the accuracy on the training and test sets (or the first {@code evalSampleSize} examples of each)
 * and tells its listeners.
 *
 * <p>With two or more kernel threads, the epochs' evaluations run in the background, on a copy of the network, while
 * training goes on (see {@link Builder#backgroundEvaluation(boolean)}): the same figures, told to the listeners after a
 * later step. The last evaluation always runs in place.
 *
 * <p>The loss recorded per step is, by default, the loss of the backpropagation's forward pass (before the update, in
 * training mode: free). {@link Builder#lossAfterUpdate(boolean)} records instead, as the book's {@code Trainer} and
 * chapter-6 scripts do, {@code network.loss(x_batch, t_batch)} after the update (in inference mode; one more forward
 * pass per step).
 *
 * <p>A run is repeatable: the same seed draws the same batches. If the loss becomes NaN or infinite the run stops with
 * a {@link TrainingDivergedException}, unless {@link Builder#failOnDivergence(boolean)} says to carry on as the book
 * does. Listeners ({@link TrainingListener}) see every step and evaluation; {@link EarlyStopping},
 * {@link CheckpointListener} and {@link ProgressLogger} are ready-made ones.
 *
 * <pre>{@code
 * TrainingResult r = Trainer.builder(net, new SGD(0.1), mnist.train(), mnist.test())
 *         .iterations(10_000).batchSize(100).seed(42).build().run();
 * TrainingResult book = Trainer.builder(net, mnist.train(), mnist.test())      // the book's common/trainer.py
 *         .optimizer("adam", Map.of("lr", 0.001)).epochs(20).batchSize(100).evalSampleSize(1000).build().run();
 * }</pre>
 */
public final class Trainer {
    /** How mini-batches are drawn. */
    public enum Sampling {
        /** Each batch drawn at random with replacement (the book). */
        WITH_REPLACEMENT,
        /** Each epoch a shuffled pass over the data. */
        SHUFFLED_EPOCHS
    }

    private final Network network;
    private final Optimizer optimizer;
    private final DataSet train;
    private final DataSet test;
    private final int iterations;
    private final int batchSize;
    private final Sampling sampling;
    private final int evalSampleSize;
    private final List<TrainingListener> listeners;
    private final Rng rng;
    private final int iterPerEpoch;
    private final boolean lossAfterUpdate;
    private final boolean failOnDivergence;
    private final boolean backgroundEvaluation;
    private final Position resume;
    private volatile boolean stopRequested;
    private int done;
    private int[] order;
    private double[] losses;
    private List<Evaluation> evaluations;
    private double lossSum;
    private int lossCount;
    private long start;
    private long evalNanos;
    private BackgroundEvaluation background;
    private boolean stepsDoneTold;

    private Trainer(Builder b) {
        this.network = b.network;
        this.optimizer = b.optimizer;
        this.train = b.train;
        this.test = b.test;
        this.batchSize = b.batchSize;
        this.iterPerEpoch = Math.max(train.size() / batchSize, 1);
        this.iterations = b.epochs > 0 ? b.epochs * iterPerEpoch : b.iterations;
        this.sampling = b.sampling;
        this.evalSampleSize = b.evalSampleSize;
        this.listeners = List.copyOf(b.listeners);
        this.rng = new Rng(b.seed + 1); // see Builder.seed
        this.lossAfterUpdate = b.lossAfterUpdate;
        this.failOnDivergence = b.failOnDivergence;
        this.backgroundEvaluation = b.backgroundEvaluation;
        this.resume = b.resume;
        if (resume != null) {
            if (resume.iteration() > iterations) {
                throw new IllegalArgumentException("the run to resume has done " + resume.iteration()
                        + " iterations, more than the " + iterations + " asked for in total");
            }
            String from = resume.source() == null ? "the run to resume" : resume.source();
            if ((resume.order() != null) != (sampling == Sampling.SHUFFLED_EPOCHS)) {
                throw new IllegalArgumentException(from + ": " + (resume.order() != null
                        ? "array 'state/order' holds a shuffled epoch's order, but the run draws its batches with "
                                + "replacement"
                        : "array 'state/order' is missing, but the run shuffles its epochs"));
            }
            if (resume.order() != null && resume.order().length != train.size()) {
                // The order is a permutation of the training examples the run saw: other data would draw other
                // batches, silently.
                throw new IllegalArgumentException(from + ": array 'state/order' holds the order of "
                        + resume.order().length + " training examples, but the data to resume on has " + train.size()
                        + ": resume on the data the run trained on");
            }
            rng.setState(resume.rng());
        }
    }

    /**
     * Where a run stands after a step: with the network (parameters, buffers, random state) and the optimizer's
     * state, enough to continue exactly as if it had not stopped. {@code order} is the current permutation of a
     * shuffled epoch (null when drawing with replacement); {@code lossSum} and {@code lossCount} add up the losses
     * since the last evaluation. {@code source} says where the position was read from (a checkpoint's file), for
     * messages, or is null.
     */
    public record Position(int iteration, long[] rng, int[] order, double[] losses, List<Evaluation> evaluations,
                           double lossSum, int lossCount, String source) {
        /** A position not read from anywhere (its {@code source} null). */
        public Position(int iteration, long[] rng, int[] order, double[] losses, List<Evaluation> evaluations,
                        double lossSum, int lossCount) {
            this(iteration, rng, order, losses, evaluations, lossSum, lossCount, null);
        }

        public Position {
            rng = rng.clone();
            order = order == null ? null : order.clone();
            losses = losses.clone();
            evaluations = List.copyOf(evaluations);
            if (iteration < 0 || losses.length != iteration) {
                throw new IllegalArgumentException("a position after " + iteration + " steps with " + losses.length
                        + " losses");
            }
        }

        /** This position, read from {@code source} (a file's name, for messages). */
        public Position from(String source) {
            return new Position(iteration, rng, order, losses, evaluations, lossSum, lossCount, source);
        }
    }

    /** Where the run stands now (after the last completed step): for checkpoints. */
    public Position position() {
        return new Position(done, rng.state(), order, losses == null ? new double[0]
                : java.util.Arrays.copyOf(losses, done), evaluations == null ? List.of() : evaluations, lossSum,
                lossCount);
    }

    /**
     * A builder for training {@code network} with {@code optimizer} on {@code train}, evaluating on {@code test}
     * ({@code null}: no test set, test accuracies NaN).
     */
    public static Builder builder(Network network, Optimizer optimizer, DataSet train, DataSet test) {
        return new Builder(network, optimizer, train, test);
    }

    /**
     * A builder with the book's {@code Trainer} default optimizer, SGD with lr 0.01; choose another with
     * {@link Builder#optimizer(String, Map)}.
     */
    public static Builder builder(Network network, DataSet train, DataSet test) {
        return new Builder(network, Optimizers.create("sgd"), train, test);
    }

    /** Steps per epoch: {@code max(trainSize / batchSize, 1)}. */
    public int iterationsPerEpoch() {
        return iterPerEpoch;
    }

    /** The number of steps this run takes (unless stopped). */
    public int iterations() {
        return iterations;
    }

    public int batchSize() {
        return batchSize;
    }

    public Network network() {
        return network;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** The steps done so far in {@link #run()}. */
    public int iteration() {
        return done;
    }

    /** The epochs done so far, {@code iteration() / iterationsPerEpoch()} (fractional). */
    public double epoch() {
        return (double) done / iterPerEpoch;
    }

    /**
     * Whether {@link #run()} evaluates the epochs in the background: asked for (the default), two or more kernel
     * threads ({@link Parallel#threads()}), every listener {@linkplain TrainingListener#toleratesLateEvaluations()
     * tolerating late evaluations}, and a network that can be copied (one of {@link Architectures#names()}).
     */
    public boolean evaluatesInBackground() {
        return backgroundEvaluation && Parallel.threads() >= 2
                && listeners.stream().allMatch(TrainingListener::toleratesLateEvaluations)
                && BackgroundEvaluation.canCopy(network);
    }

    /** Asks the run to end after the current step (for early stopping); the final evaluation still happens. */
    public void stop() {
        stopRequested = true;
    }

    /** Trains, evaluating once per epoch and at the end. */
    public TrainingResult run() {
        start = System.nanoTime();
        evalNanos = 0;
        for (TrainingListener l : listeners) {
            l.onStart(this);
        }
        MiniBatch batch = new MiniBatch(train, batchSize);
        int[] indices = new int[batchSize];
        order = sampling == Sampling.SHUFFLED_EPOCHS ? identity(train.size()) : null;
        losses = new double[iterations];
        evaluations = new ArrayList<>();
        lossSum = 0;
        lossCount = 0;
        done = 0;
        stepsDoneTold = false;
        if (resume != null) {
            done = resume.iteration();
            order = resume.order() == null ? null : resume.order().clone();
            System.arraycopy(resume.losses(), 0, losses, 0, done);
            for (Evaluation e : resume.evaluations()) {
                if (e.iteration() % iterPerEpoch == 0) {
                    evaluations.add(e); // the interrupted run's own end-of-run evaluation is not part of this run
                }
            }
            lossSum = resume.lossSum();
            lossCount = resume.lossCount();
        }
        background = evaluatesInBackground() ? BackgroundEvaluation.of(network) : null;
        try {
            for (int i = done; i < iterations && !stopRequested; i++) {
                drawBatch(i, indices, order);
                batch.gather(indices);
                double loss = network.gradient(batch.x(), batch.t());
                if (failOnDivergence && !Double.isFinite(loss)) {
                    throw new TrainingDivergedException(i + 1, loss, "try a smaller learning rate");
                }
                optimizer.update(network.parameters());
                if (lossAfterUpdate) {
                    loss = network.loss(batch.x(), batch.t());
                    if (failOnDivergence && !Double.isFinite(loss)) {
                        throw new TrainingDivergedException(i + 1, loss, "try a smaller learning rate");
                    }
                }
                losses[i] = loss;
                lossSum += loss;
                lossCount++;
                done = i + 1;
                for (TrainingListener l : listeners) {
                    l.onIteration(this, done, loss);
                }
                evaluateAfterStep();
            }
            tellStepsDone(); // unless the last step's evaluation did: a run stopped after an evaluation's step
            collectBackgroundEvaluation(true); // if stopped from another thread between the checks
        } finally {
            background = null; // after a failure, an evaluation still running ends on its own
        }
        Evaluation last = evaluations.isEmpty() ? null : evaluations.get(evaluations.size() - 1);
        double trainAcc;
        double testAcc;
        if (last != null && evalSampleSize <= 0 && last.iteration() == done) {
            trainAcc = last.trainAccuracy();
            testAcc = last.testAccuracy();
        } else {
            long t0 = System.nanoTime();
            trainAcc = network.accuracy(train);
            testAcc = test == null ? Double.NaN : network.accuracy(test);
            evalNanos += System.nanoTime() - t0;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] kept = done == iterations ? losses : java.util.Arrays.copyOf(losses, done);
        TrainingResult result = new TrainingResult(done, batchSize, trainAcc, testAcc, kept,
                List.copyOf(evaluations), seconds, seconds - evalNanos / 1e9);
        for (TrainingListener l : listeners) {
            l.onFinish(this, result);
        }
        return result;
    }

    /**
     * After each step: reports a background evaluation that has ended, and evaluates at the end of an epoch and of
     * the run, in the background (the previous one collected first, so that the listeners hear them in order) or in
     * place. At those ends the training thread's time (waiting, copying, evaluating in place) counts as evaluation
     * time.
     */
    private void evaluateAfterStep() {
        boolean epochEnd = done % iterPerEpoch == 0;
        boolean runEnd = done == iterations || stopRequested;
        if (!epochEnd && !runEnd) {
            collectBackgroundEvaluation(false);
            return;
        }
        long t0 = System.nanoTime();
        collectBackgroundEvaluation(true);
        if (runEnd) {
            // The copy's buffers (those of a whole evaluation chunk) can go before the network's own grow to that size.
            background = null;
        }
        int iteration = done;
        double meanLoss = lossSum / lossCount;
        if (epochEnd) {
            // Only an epoch's end starts a new mean: an evaluation at the end of a run that stops mid-epoch leaves it,
            // so that a run resumed from there reports what an uninterrupted one would.
            lossSum = 0;
            lossCount = 0;
        }
        if (runEnd) {
            // Here a checkpoint of the position is one a resumed run continues exactly from: the evaluations before
            // are in it, the loss of the next epoch starts afresh. It lacks only the final evaluation's record.
            tellStepsDone();
        }
        if (background != null) {
            background.start(copy -> evaluate(copy, iteration, meanLoss));
        } else {
            report(evaluate(network, iteration, meanLoss)); // in place, with all the kernel threads
        }
        evalNanos += System.nanoTime() - t0;
    }

    /** Tells the listeners, once, that the steps are done and the final evaluation comes next. */
    private void tellStepsDone() {
        if (!stepsDoneTold) {
            stepsDoneTold = true;
            for (TrainingListener l : listeners) {
                l.onStepsDone(this);
            }
        }
    }

    /** Reports the background evaluation if it has ended, or waits for it if {@code wait}. */
    private void collectBackgroundEvaluation(boolean wait) {
        if (background != null) {
            Evaluation e = wait ? background.await() : background.poll();
            if (e != null) {
                report(e);
            }
        }
    }

    private void report(Evaluation e) {
        evaluations.add(e);
        for (TrainingListener l : listeners) {
            l.onEvaluation(this, e);
        }
    }

    private void drawBatch(int iteration, int[] indices, int[] order) {
        if (order == null) {
            for (int j = 0; j < indices.length; j++) {
                indices[j] = rng.nextInt(train.size());
            }
            return;
        }
        int inEpoch = iteration % iterPerEpoch;
        if (inEpoch == 0) {
            rng.shuffle(order);
        }
        for (int j = 0; j < indices.length; j++) {
            indices[j] = order[(inEpoch * batchSize + j) % order.length];
        }
    }

    /** The accuracies of {@code net} on the training and test sets (or their first {@code evalSampleSize}). */
    private Evaluation evaluate(Network net, int iteration, double meanLoss) {
        DataSet evalTrain = evalSampleSize > 0 ? train.head(evalSampleSize) : train;
        double trainAcc = net.accuracy(evalTrain);
        double testAcc = Double.NaN;
        if (test != null) {
            DataSet evalTest = evalSampleSize > 0 ? test.head(evalSampleSize) : test;
            testAcc = net.accuracy(evalTest);
        }
        return new Evaluation(iteration, (double) iteration / iterPerEpoch, meanLoss, trainAcc, testAcc,
                (System.nanoTime() - start) / 1e9);
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    /** Settings of a run, with the book's chapter-5 defaults: 10,000 steps of 100 examples, seed 0. */
    public static final class Builder {
        private final Network network;
        private Optimizer optimizer;
        private final DataSet train;
        private final DataSet test;
        private boolean lossAfterUpdate;
        private boolean failOnDivergence = true;
        private boolean backgroundEvaluation = true;
        private int iterations = 10_000;
        private int epochs;
        private int batchSize = 100;
        private long seed;
        private Sampling sampling = Sampling.WITH_REPLACEMENT;
        private int evalSampleSize;
        private Position resume;
        private final List<TrainingListener> listeners = new ArrayList<>();

        private Builder(Network network, Optimizer optimizer, DataSet train, DataSet test) {
            this.network = Objects.requireNonNull(network, "network");
            this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
            this.train = Objects.requireNonNull(train, "train");
            this.test = test;
            if (train.size() == 0) {
                throw new IllegalArgumentException("the training set is empty");
            }
        }

        /** Total steps (the book's {@code iters_num}); cancels {@link #epochs}. */
        public Builder iterations(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("iterations must be at least 1, got " + n);
            }
            this.iterations = n;
            this.epochs = 0;
            return this;
        }

        /** Whole epochs to train for; cancels {@link #iterations}. */
        public Builder epochs(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("epochs must be at least 1, got " + n);
            }
            this.epochs = n;
            return this;
        }

        public Builder batchSize(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("batch size must be at least 1, got " + n);
            }
            this.batchSize = n;
            return this;
        }

        /**
         * The run's seed, the number {@code layerwise train --seed} takes: the batches are drawn from a generator
         * seeded with {@code seed + 1}, so that a network initialised from {@code new Rng(seed)}, as the CLI's is,
         * never draws its weights and the batches from one sequence. One seed, given to both, repeats a CLI run.
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder sampling(Sampling s) {
            this.sampling = Objects.requireNonNull(s);
            return this;
        }

        /** Evaluate each epoch on the first {@code n} examples of each set only (0: all), as the book's Trainer can. */
        public Builder evalSampleSize(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("evaluation sample size must be >= 0, got " + n);
            }
            this.evalSampleSize = n;
            return this;
        }

        /** The optimizer (replaces the one given to the builder). */
        public Builder optimizer(Optimizer o) {
            this.optimizer = Objects.requireNonNull(o, "optimizer");
            return this;
        }

        /**
         * The optimizer by name with hyperparameters overriding the book's defaults, as the book's
         * {@code optimizer='Adam', optimizer_param={'lr': 0.001}} (see {@link Optimizers#create}).
         */
        public Builder optimizer(String name, Map<String, ? extends Number> params) {
            return optimizer(Optimizers.create(name, params));
        }

        /**
         * Record {@code network.loss(x_batch, t_batch)} after each update (the book's Trainer; inference mode, one more
         * forward pass) instead of the backprop pass's loss before it (the default, free).
         */
        public Builder lossAfterUpdate(boolean after) {
            this.lossAfterUpdate = after;
            return this;
        }

        /**
         * Whether a NaN or infinite loss ends the run with a {@link TrainingDivergedException} (the default) or is
         * recorded while training carries on, as the book's scripts do (an experiment that sweeps bad settings).
         */
        public Builder failOnDivergence(boolean fail) {
            this.failOnDivergence = fail;
            return this;
        }

        /**
         * Whether the epochs' evaluations may run in the background (the default), on a copy of the network and a
         * thread of their own while training goes on, with the kernels' helper threads idle. The figures are the same
         * either way; the listeners hear them after a later step, and only when all of them
         * {@linkplain TrainingListener#toleratesLateEvaluations() tolerate it}. It needs two or more kernel threads;
         * see {@link Trainer#evaluatesInBackground()}.
         */
        public Builder backgroundEvaluation(boolean allowed) {
            this.backgroundEvaluation = allowed;
            return this;
        }

        /**
         * Continues a run from a {@link Position} saved by a checkpoint, up to {@link #iterations} (or
         * {@link #epochs}) in total. The network and the optimizer must be restored to the same point by the caller.
         */
        public Builder resumeFrom(Position position) {
            this.resume = Objects.requireNonNull(position);
            return this;
        }

        public Builder listener(TrainingListener l) {
            listeners.add(Objects.requireNonNull(l));
            return this;
        }

        public Trainer build() {
            if (sampling == Sampling.SHUFFLED_EPOCHS && batchSize > train.size()) {
                throw new IllegalArgumentException("batch size " + batchSize + " exceeds the " + train.size()
                        + " training examples of a shuffled epoch");
            }
            return new Trainer(this);
        }
    }
}
