package dev.layerwise.train;

import dev.layerwise.kernel.Parallel;
import dev.layerwise.layer.Parameter;
import dev.layerwise.net.Architecture;
import dev.layerwise.net.Architectures;
import dev.layerwise.net.Network;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Function;

/**
 * A trainer's evaluations run on a copy of the network, each on a thread of its own, while training goes on.
 *
 * <p>On two cores this is the better split of the work. An evaluation is one long series of large products (the
 * network's forward pass over the training and test sets), which gains almost 2× from a second core; a training step is
 * a series of small ones, which gain far less. So the evaluation takes a core
 * of its own and the training the other: while an evaluation runs, both run their kernels without the kernels' helper
 * thread ({@link Parallel#withHelpersIdle}). The figures are those of an evaluation in place: the copy holds the
 * parameters and buffers of the moment it was started, and the kernels give the same bits on any thread.
 */
final class BackgroundEvaluation {
    private final Parameter[] from;
    private final Parameter[] to;
    private final Tensor[] buffersFrom;
    private final Tensor[] buffersTo;
    private final Network copy;
    private FutureTask<Evaluation> pending;

    private BackgroundEvaluation(Network network, Network copy) {
        this.copy = copy;
        this.from = network.parameters().list().toArray(new Parameter[0]);
        this.to = new Parameter[from.length];
        for (int i = 0; i < from.length; i++) {
            to[i] = copy.parameters().get(from[i].name());
        }
        Map<String, Tensor> buffers = network.buffers();
        this.buffersFrom = buffers.values().toArray(new Tensor[0]);
        this.buffersTo = new Tensor[buffersFrom.length];
        int i = 0;
        for (String name : buffers.keySet()) {
            buffersTo[i++] = copy.buffers().get(name);
        }
    }

    /** Whether {@code network} can be copied: its architecture is a registered one, from which it is rebuilt. */
    static boolean canCopy(Network network) {
        Architecture a = network.architecture();
        return a != null && Architectures.names().contains(a.name());
    }

    /** Evaluations of {@code network} in the background; see {@link #canCopy}. */
    static BackgroundEvaluation of(Network network) {
        Network copy = Architectures.build(network.architecture(), network.dtype(), new Rng(0));
        return new BackgroundEvaluation(network, copy);
    }

    /**
     * Copies the network's parameters and buffers as they are now, and starts {@code evaluation} of the copy on a new
     * thread. The previous evaluation must have been collected ({@link #poll} or {@link #await}).
     */
    void start(Function<Network, Evaluation> evaluation) {
        if (pending != null) {
            throw new IllegalStateException("the previous evaluation has not been collected");
        }
        for (int i = 0; i < from.length; i++) {
            to[i].value().copyFrom(from[i].value());
        }
        for (int i = 0; i < buffersFrom.length; i++) {
            buffersTo[i].copyFrom(buffersFrom[i]);
        }
        FutureTask<Evaluation> task = new FutureTask<>(() -> Parallel.withHelpersIdle(() -> evaluation.apply(copy)));
        Thread thread = new Thread(task, "layerwise-evaluation");
        thread.setDaemon(true);
        thread.start();
        pending = task;
    }

    /** The evaluation started last if it has ended (collecting it), otherwise {@code null}. */
    Evaluation poll() {
        return pending != null && pending.isDone() ? await() : null;
    }

    /**
     * Waits for the evaluation started last and collects it, or returns {@code null} if there is none to collect. An
     * exception thrown by the evaluation is thrown here.
     */
    Evaluation await() {
        FutureTask<Evaluation> task = pending;
        if (task == null) {
            return null;
        }
        pending = null;
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the evaluation ends soon; the caller sees the interrupt afterwards
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new IllegalStateException("evaluation failed", cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
