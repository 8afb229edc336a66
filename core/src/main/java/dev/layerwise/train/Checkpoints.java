package dev.layerwise.train;

import dev.layerwise.io.FileFormatException;
import dev.layerwise.model.Model;
import dev.layerwise.model.ModelFile;
import dev.layerwise.model.TrainingState;
import dev.layerwise.net.Network;
import dev.layerwise.optim.Optimizer;
import dev.layerwise.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the state of a training run into the {@link TrainingState} of a model file and back, so that a run saved
 * at a checkpoint resumes exactly where it stood: the same batches, the same dropout masks, the same optimizer
 * moments, and in the end the same parameters, bit for bit, as a run that never stopped.
 *
 * <p>What is saved: the trainer's {@link Trainer.Position} (steps done, batch generator, shuffled order, losses,
 * evaluations), the optimizer's name, update count and per-parameter tensors ({@code optimizer/v/W1}, …), the
 * network's random generators (dropout), and the run's {@link RunSettings}, which a resuming program needs to
 * rebuild the optimizer and trainer. Random generator states are written as hexadecimal strings, since JSON numbers
 * lose 64-bit precision in many readers.
 *
 * <p>This class, {@link Checkpoint}, {@link CheckpointSink} and {@link CheckpointListener} are the whole of
 * checkpointing: when to take one, what it holds, and how it is written to and read from a model file.
 */
public final class Checkpoints {
    private Checkpoints() {
    }

    /** A run ready to train: its network, optimizer and settings, and where it stands (null for a new run). */
    public record Run(Network network, Optimizer optimizer, RunSettings settings, Trainer.Position position) {
    }

    /** The training state of {@code trainer}'s run now, with the run's {@code settings}. */
    public static TrainingState capture(Trainer trainer, RunSettings settings) {
        return capture(new Checkpoint(trainer.network(), trainer.optimizer(), trainer.iteration(), trainer.epoch(),
                null, trainer.position()), settings);
    }

    /** The training state of the run at {@code checkpoint}, with the run's {@code settings}. */
    public static TrainingState capture(Checkpoint checkpoint, RunSettings settings) {
        Trainer.Position p = checkpoint.position();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("iteration", p.iteration());
        meta.put("epoch", checkpoint.epoch());
        meta.put("rng", hex(p.rng()));
        meta.put("loss_sum", p.lossSum());
        meta.put("loss_count", p.lossCount());
        List<Object> evaluations = new ArrayList<>();
        for (Evaluation e : p.evaluations()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("iteration", e.iteration());
            m.put("epoch", e.epoch());
            m.put("loss", finite(e.loss()));
            m.put("train_accuracy", finite(e.trainAccuracy()));
            m.put("test_accuracy", finite(e.testAccuracy()));
            m.put("seconds", e.seconds());
            evaluations.add(m);
        }
        meta.put("evaluations", evaluations);
        Optimizer.State os = checkpoint.optimizer().state();
        Map<String, Object> opt = new LinkedHashMap<>();
        opt.put("name", checkpoint.optimizer().name());
        opt.put("iterations", os.iterations());
        meta.put("optimizer", opt);
        Map<String, Object> random = new LinkedHashMap<>();
        checkpoint.network().randomState().forEach((layer, s) -> random.put(layer, hex(s)));
        meta.put("random", random);
        meta.put("settings", settings.toMap());
        List<ModelFile.Entry> arrays = new ArrayList<>();
        arrays.add(new ModelFile.Entry("losses", "float64", new int[] {p.losses().length}, p.losses()));
        if (p.order() != null) {
            arrays.add(new ModelFile.Entry("order", "int32", new int[] {p.order().length}, p.order()));
        }
        for (Map.Entry<String, Tensor> e : os.tensors().entrySet()) {
            arrays.add(ModelFile.Entry.of("optimizer/" + e.getKey(), e.getValue()));
        }
        return new TrainingState(meta, arrays);
    }

    /** Saves {@code trainer}'s network with its training state to {@code file}, atomically. */
    public static void save(Trainer trainer, RunSettings settings, Path file) throws IOException {
        Model.of(trainer.network(), capture(trainer, settings)).save(file);
    }

    /** A sink that saves each checkpoint to {@code file}, atomically, replacing the one before. */
    public static CheckpointSink toFile(Path file, RunSettings settings) {
        return c -> Model.of(c.network(), capture(c, settings)).save(file);
    }

    /**
     * The run saved in {@code file}: its network, its optimizer with the state it had, its settings and its position,
     * with the network's random generators restored.
     *
     * @throws FileFormatException naming the file, when it holds no training state or a broken one
     */
    public static Run resume(Path file) throws IOException {
        Model m = Model.load(file);
        TrainingState state = m.training();
        if (state == null) {
            throw new FileFormatException(file + ": holds no training state to resume (it was not saved by "
                    + "layerwise train --save)");
        }
        RunSettings settings;
        Optimizer optimizer;
        try {
            settings = settings(state);
        } catch (FileFormatException e) {
            throw new FileFormatException(file + ": " + e.getMessage(), e);
        }
        try {
            optimizer = settings.newOptimizer();
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(file + ": bad run settings: " + e.getMessage(), e);
        }
        restoreOptimizer(state, optimizer);
        restoreRandom(state, m.network());
        return new Run(m.network(), optimizer, settings, position(state));
    }

    /** The run's settings saved by {@link #capture}. */
    public static RunSettings settings(TrainingState s) throws FileFormatException {
        Object v = s.meta().get("settings");
        if (!(v instanceof Map)) {
            throw new FileFormatException("the checkpoint has no run settings");
        }
        return RunSettings.fromMap((Map<?, ?>) v);
    }

    /** The trainer's position saved by {@link #capture}. */
    public static Trainer.Position position(TrainingState s) throws FileFormatException {
        int iteration = (int) number(s, "iteration");
        ModelFile.Entry losses = s.array("losses");
        if (losses == null || !(losses.data() instanceof double[])) {
            throw new FileFormatException("the checkpoint lacks its losses");
        }
        ModelFile.Entry order = s.array("order");
        List<Evaluation> evaluations = new ArrayList<>();
        Object evs = s.meta().get("evaluations");
        if (evs instanceof List) {
            for (Object o : (List<?>) evs) {
                Map<?, ?> m = (Map<?, ?>) o;
                evaluations.add(new Evaluation(((Number) m.get("iteration")).intValue(), num(m.get("epoch")),
                        num(m.get("loss")), num(m.get("train_accuracy")), num(m.get("test_accuracy")),
                        num(m.get("seconds"))));
            }
        }
        try {
            return new Trainer.Position(iteration, unhex(s.meta().get("rng")),
                    order == null ? null : (int[]) order.data(), (double[]) losses.data(), evaluations,
                    number(s, "loss_sum"), (int) number(s, "loss_count"));
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new FileFormatException("the checkpoint's training position is inconsistent: " + e.getMessage());
        }
    }

    /** Restores the optimizer's state saved by {@link #capture}; the optimizer must be of the same kind. */
    public static void restoreOptimizer(TrainingState s, Optimizer optimizer) throws FileFormatException {
        Map<?, ?> opt = (Map<?, ?>) s.meta().get("optimizer");
        if (opt == null || !optimizer.name().equals(opt.get("name"))) {
            throw new FileFormatException("the checkpoint's optimizer is " + (opt == null ? "missing" : opt.get("name"))
                    + ", not " + optimizer.name());
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (ModelFile.Entry e : s.arrays()) {
            if (e.name().startsWith("optimizer/")) {
                tensors.put(e.name().substring("optimizer/".length()), e.toTensor());
            }
        }
        try {
            optimizer.restore(new Optimizer.State(((Number) opt.get("iterations")).longValue(), tensors));
        } catch (IllegalArgumentException | ClassCastException | NullPointerException e) {
            throw new FileFormatException("the checkpoint's optimizer state does not fit: " + e.getMessage());
        }
    }

    /** Restores the network's random generators saved by {@link #capture}. */
    public static void restoreRandom(TrainingState s, Network network) throws FileFormatException {
        Map<String, long[]> state = new LinkedHashMap<>();
        Object random = s.meta().get("random");
        if (random instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) random).entrySet()) {
                state.put(String.valueOf(e.getKey()), unhex(e.getValue()));
            }
        }
        try {
            network.restoreRandomState(state);
        } catch (IllegalArgumentException e) {
            throw new FileFormatException("the checkpoint's random state does not fit: " + e.getMessage());
        }
    }

    private static List<String> hex(long[] values) {
        List<String> out = new ArrayList<>();
        for (long v : values) {
            out.add(Long.toHexString(v));
        }
        return out;
    }

    private static long[] unhex(Object o) throws FileFormatException {
        if (!(o instanceof List)) {
            throw new FileFormatException("a random generator state is missing");
        }
        List<?> list = (List<?>) o;
        long[] out = new long[list.size()];
        try {
            for (int i = 0; i < out.length; i++) {
                out[i] = Long.parseUnsignedLong(String.valueOf(list.get(i)), 16);
            }
        } catch (NumberFormatException e) {
            throw new FileFormatException("a random generator state is not hexadecimal: " + list);
        }
        return out;
    }

    private static double number(TrainingState s, String key) throws FileFormatException {
        Object v = s.meta().get(key);
        if (!(v instanceof Number)) {
            throw new FileFormatException("the checkpoint lacks '" + key + "'");
        }
        return ((Number) v).doubleValue();
    }

    private static double num(Object o) {
        return o instanceof Number ? ((Number) o).doubleValue() : Double.NaN;
    }

    private static Object finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
