package dev.layerwise.train;

import dev.layerwise.io.FileFormatException;
import dev.layerwise.model.Model;
import dev.layerwise.model.ModelFile;
import dev.layerwise.model.TrainingState;
import dev.layerwise.net.Network;
import dev.layerwise.optim.Optimizer;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.util.Rng;
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
     * with the network's random generators restored. The whole training state is checked here, before any data is
     * read or any step taken: settings, position, evaluations, optimizer state against the network's parameters,
     * random generator states.
     *
     * @throws FileFormatException naming the file and the field, when it holds no training state or a broken one
     */
    public static Run resume(Path file) throws IOException {
        Model m = Model.load(file);
        TrainingState state = m.training();
        if (state == null) {
            throw new FileFormatException(file + ": holds no training state to resume (it was not saved by "
                    + "layerwise train --save)");
        }
        try {
            RunSettings settings = settings(state);
            Optimizer optimizer = settings.newOptimizer();
            checkOptimizerState(state, m.network());
            restoreOptimizer(state, optimizer);
            restoreRandom(state, m.network());
            Trainer.Position position = position(state).from(file.toString());
            boolean shuffles = settings.sampling() == Trainer.Sampling.SHUFFLED_EPOCHS;
            if (shuffles != (position.order() != null)) {
                throw new FileFormatException(shuffles
                        ? "the run shuffles its epochs but the checkpoint lacks its 'order' (array 'state/order')"
                        : "the run draws its batches with replacement but the checkpoint holds an epoch 'order' "
                                + "(array 'state/order')");
            }
            if (settings.trainSize() != null && position.order() != null
                    && position.order().length != settings.trainSize()) {
                throw new FileFormatException("array 'state/order' holds " + position.order().length
                        + " indices, the run trains on " + settings.trainSize() + " examples");
            }
            return new Run(m.network(), optimizer, settings, position);
        } catch (FileFormatException e) {
            throw new FileFormatException(file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(file + ": bad run settings: " + e.getMessage(), e);
        }
    }

    /** The run's settings saved by {@link #capture}. */
    public static RunSettings settings(TrainingState s) throws FileFormatException {
        Object v = s.meta().get("settings");
        if (!(v instanceof Map)) {
            throw new FileFormatException("the checkpoint has no run settings (field 'training.settings')");
        }
        return RunSettings.fromMap((Map<?, ?>) v);
    }

    /** The trainer's position saved by {@link #capture}, every field checked. */
    public static Trainer.Position position(TrainingState s) throws FileFormatException {
        int iteration = count(s.meta(), "iteration", "training.iteration");
        ModelFile.Entry losses = s.array("losses");
        if (losses == null || !(losses.data() instanceof double[]) || losses.shape().length != 1) {
            throw new FileFormatException("the checkpoint lacks its losses (array 'state/losses', float64, "
                    + "one dimension)");
        }
        if (losses.shape()[0] != iteration) {
            throw new FileFormatException("array 'state/losses' holds " + losses.shape()[0] + " losses, field "
                    + "'training.iteration' says " + iteration);
        }
        int[] order = order(s.array("order"));
        Object evs = s.meta().get("evaluations");
        if (!(evs instanceof List)) {
            throw new FileFormatException("field 'training.evaluations' is " + (evs == null ? "missing" : "not a list"));
        }
        List<Evaluation> evaluations = new ArrayList<>();
        List<?> list = (List<?>) evs;
        for (int i = 0; i < list.size(); i++) {
            String at = "training.evaluations[" + i + "]";
            if (!(list.get(i) instanceof Map)) {
                throw new FileFormatException("field '" + at + "' is not an object");
            }
            Map<?, ?> m = (Map<?, ?>) list.get(i);
            int evaluated = count(m, "iteration", at + ".iteration");
            if (evaluated > iteration) {
                throw new FileFormatException("field '" + at + ".iteration' is " + evaluated + ", after the "
                        + iteration + " steps done");
            }
            evaluations.add(new Evaluation(evaluated, finite(m, "epoch", at), metric(m, "loss", at),
                    metric(m, "train_accuracy", at), metric(m, "test_accuracy", at), finite(m, "seconds", at)));
        }
        long[] rng = unhex(s.meta().get("rng"), "training.rng");
        double lossSum = finite(s.meta(), "loss_sum", "training");
        int lossCount = count(s.meta(), "loss_count", "training.loss_count");
        try {
            return new Trainer.Position(iteration, rng, order, (double[]) losses.data(), evaluations, lossSum,
                    lossCount);
        } catch (IllegalArgumentException e) {
            throw new FileFormatException("the checkpoint's training position is inconsistent: " + e.getMessage());
        }
    }

    /** The shuffled order of the epoch under way, which must be a permutation of {@code 0 … n-1}, or null. */
    private static int[] order(ModelFile.Entry order) throws FileFormatException {
        if (order == null) {
            return null;
        }
        if (!(order.data() instanceof int[]) || order.shape().length != 1) {
            throw new FileFormatException("array 'state/order' must be int32 of one dimension");
        }
        int[] o = (int[]) order.data();
        boolean[] seen = new boolean[o.length];
        for (int i = 0; i < o.length; i++) {
            if (o[i] < 0 || o[i] >= o.length || seen[o[i]]) {
                throw new FileFormatException("array 'state/order' is not a permutation of 0 to " + (o.length - 1)
                        + ": element " + i + " is " + o[i]);
            }
            seen[o[i]] = true;
        }
        return o;
    }

    /**
     * Checks that every saved optimizer array {@code optimizer/KIND/NAME} belongs to a parameter {@code NAME} of the
     * network and has its shape and dtype, so that a reshaped state fails here rather than in a training step.
     */
    private static void checkOptimizerState(TrainingState s, Network network) throws FileFormatException {
        Map<String, Tensor> params = network.parameters().values();
        for (ModelFile.Entry e : s.arrays()) {
            if (!e.name().startsWith("optimizer/")) {
                continue;
            }
            String key = e.name().substring("optimizer/".length());
            Tensor p = params.get(key.substring(key.indexOf('/') + 1));
            if (p == null) {
                throw new FileFormatException("array 'state/" + e.name() + "' belongs to no parameter of the network "
                        + "(parameters: " + params.keySet() + ")");
            }
            if (!e.dtype().equals(p.dtype().label()) || !java.util.Arrays.equals(e.shape(), p.shape())) {
                throw new FileFormatException("array 'state/" + e.name() + "' is " + e.dtype() + " "
                        + dev.layerwise.tensor.Shapes.toString(e.shape()) + ", its parameter is " + p.dtype().label()
                        + " " + dev.layerwise.tensor.Shapes.toString(p.shape()));
            }
        }
    }

    /** Restores the optimizer's state saved by {@link #capture}; the optimizer must be of the same kind. */
    public static void restoreOptimizer(TrainingState s, Optimizer optimizer) throws FileFormatException {
        Object o = s.meta().get("optimizer");
        if (!(o instanceof Map)) {
            throw new FileFormatException("field 'training.optimizer' is " + (o == null ? "missing" : "not an object"));
        }
        Map<?, ?> opt = (Map<?, ?>) o;
        if (!optimizer.name().equals(opt.get("name"))) {
            throw new FileFormatException("the checkpoint's optimizer is " + opt.get("name") + ", not "
                    + optimizer.name() + " (field 'training.optimizer.name')");
        }
        Object iterations = opt.get("iterations");
        if (!(iterations instanceof Long) || (Long) iterations < 0) {
            throw new FileFormatException("field 'training.optimizer.iterations' must be a count, not "
                    + RunSettings.describe(iterations));
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (ModelFile.Entry e : s.arrays()) {
            if (e.name().startsWith("optimizer/")) {
                if (!(e.data() instanceof float[] || e.data() instanceof double[])) {
                    throw new FileFormatException("array 'state/" + e.name() + "' is " + e.dtype()
                            + ", not float32 or float64");
                }
                tensors.put(e.name().substring("optimizer/".length()), e.toTensor());
            }
        }
        try {
            optimizer.restore(new Optimizer.State((Long) iterations, tensors));
        } catch (IllegalArgumentException e) {
            throw new FileFormatException("the checkpoint's optimizer state does not fit: " + e.getMessage());
        }
    }

    /** Restores the network's random generators saved by {@link #capture}. */
    public static void restoreRandom(TrainingState s, Network network) throws FileFormatException {
        Map<String, long[]> state = new LinkedHashMap<>();
        Object random = s.meta().get("random");
        if (random != null && !(random instanceof Map)) {
            throw new FileFormatException("field 'training.random' is not an object");
        }
        if (random != null) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) random).entrySet()) {
                state.put(String.valueOf(e.getKey()), unhex(e.getValue(), "training.random." + e.getKey()));
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

    /** A random generator's state, six hexadecimal strings that {@link Rng#fromState} accepts. */
    private static long[] unhex(Object o, String field) throws FileFormatException {
        if (!(o instanceof List)) {
            throw new FileFormatException("field '" + field + "', a random generator state, is "
                    + (o == null ? "missing" : "not a list"));
        }
        List<?> list = (List<?>) o;
        long[] out = new long[list.size()];
        try {
            for (int i = 0; i < out.length; i++) {
                Object v = list.get(i);
                if (!(v instanceof String) || ((String) v).length() > 16) {
                    throw new NumberFormatException();
                }
                out[i] = Long.parseUnsignedLong((String) v, 16);
            }
            Rng.fromState(out);
        } catch (NumberFormatException e) {
            throw new FileFormatException("field '" + field + "', a random generator state, is not a list of "
                    + "hexadecimal strings");
        } catch (IllegalArgumentException e) {
            throw new FileFormatException("field '" + field + "' is not a random generator state: "
                    + e.getMessage());
        }
        return out;
    }

    /** An integer field from 0 to {@link Integer#MAX_VALUE}. */
    private static int count(Map<?, ?> m, String key, String field) throws FileFormatException {
        Object v = m.get(key);
        if (!(v instanceof Long) || (Long) v < 0 || (Long) v > Integer.MAX_VALUE) {
            throw new FileFormatException("field '" + field + "' must be a count, not " + RunSettings.describe(v));
        }
        return (int) (long) (Long) v;
    }

    /** A number field that must be present: a resumed run writes it again, and JSON holds no NaN. */
    private static double finite(Map<?, ?> m, String key, String at) throws FileFormatException {
        Object v = m.get(key);
        if (!(v instanceof Number)) {
            throw new FileFormatException("field '" + at + "." + key + "' must be a number, not "
                    + RunSettings.describe(v));
        }
        return ((Number) v).doubleValue();
    }

    /** A metric of an evaluation: a number, or null for one that was not finite. */
    private static double metric(Map<?, ?> m, String key, String at) throws FileFormatException {
        Object v = m.get(key);
        if (v != null && !(v instanceof Number)) {
            throw new FileFormatException("field '" + at + "." + key + "' must be a number or null, not "
                    + RunSettings.describe(v));
        }
        return v == null ? Double.NaN : ((Number) v).doubleValue();
    }

    private static Object finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
