package dev.layerwise.spark;

import dev.layerwise.data.DataSet;
import dev.layerwise.model.Model;
import dev.layerwise.model.ModelFile;
import dev.layerwise.model.TrainingState;
import dev.layerwise.net.Network;
import dev.layerwise.optim.Optimizer;
import dev.layerwise.optim.Optimizers;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Labels;
import dev.layerwise.tensor.Ops;
import dev.layerwise.tensor.Tensor;
import dev.layerwise.train.MiniBatch;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.BarrierTaskInfo;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/** The training loop of one barrier task: see {@link SparkTrainer}. */
final class Worker implements Serializable {
    private static final long serialVersionUID = 1L;

    private final SparkTrainer.Settings settings;
    private final byte[] initial;
    private final int stepsPerEpoch;
    private final String featuresColumn;
    private final String labelColumn;

    Worker(SparkTrainer.Settings settings, byte[] initial, int stepsPerEpoch, String featuresColumn,
           String labelColumn) {
        this.settings = settings;
        this.initial = initial;
        this.stepsPerEpoch = stepsPerEpoch;
        this.featuresColumn = featuresColumn;
        this.labelColumn = labelColumn;
    }

    List<SparkTrainer.Report> run(Iterator<Tuple2<Long, Row>> rows) {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int rank = ctx.partitionId();
        int n = settings.workers();
        BarrierTaskInfo[] infos = ctx.getTaskInfos();
        String host = infos[rank].address().split(":")[0];
        Model start = ModelBytes.load(initial);
        Network net = start.network();
        DataSet shard = shard(rows, start, rank);
        Optimizer optimizer = Optimizers.create(settings.optimizer(), settings.hyperparameters());
        EpochCheckpoints checkpoints = settings.checkpoints() == null ? null : new EpochCheckpoints(settings.checkpoints());
        int startEpoch = 0;
        if (checkpoints != null) {
            startEpoch = checkpoints.restoreLatest(net, optimizer, settings.epochs());
        }
        // The token changes with every attempt of the stage, so that a task of a failed attempt cannot join the next.
        String token = settings.token() + "/" + ctx.stageAttemptNumber();
        List<double[]> losses = new ArrayList<>();
        List<byte[]> digests = new ArrayList<>();
        List<Integer> epochsRun = new ArrayList<>();
        long bytes;
        int steps = 0;
        long started;
        java.util.function.Function<String, List<String>> gather = msg -> List.of(ctx.allGather(msg));
        try (AllReduce ring = settings.exchange() == SparkTrainer.Exchange.DRIVER ? new DriverRelay(n, gather)
                : RingAllReduce.join(rank, n, host, token, gather, settings.timeoutMillis())) {
            started = System.nanoTime();
            MiniBatch batch = new MiniBatch(shard, settings.batchSize());
            int[] indices = new int[settings.batchSize()];
            Tensor grads = net.parameters().flatGrads();
            int k = settings.averageEvery();
            java.util.Set<String> dropout = net.randomState().keySet();
            double[] epochLosses;
            for (int epoch = startEpoch; epoch < settings.epochs(); epoch++) {
                int[] order = SparkTrainer.shardOrder(settings.seed(), rank, epoch, shard.size());
                epochLosses = new double[stepsPerEpoch];
                for (int s = 0; s < stepsPerEpoch; s++) {
                    System.arraycopy(order, s * indices.length, indices, 0, indices.length);
                    batch.gather(indices);
                    if (!dropout.isEmpty()) {
                        net.restoreRandomState(SparkTrainer.dropoutState(settings.seed(), rank,
                                (long) epoch * stepsPerEpoch + s, dropout));
                    }
                    epochLosses[s] = net.gradient(batch.x(), batch.t());
                    if (k == 0) {
                        ring.sum(grads);
                        Ops.scale(1.0 / n, grads);
                        optimizer.update(net.parameters());
                    } else {
                        optimizer.update(net.parameters());
                        if ((s + 1) % k == 0 || s == stepsPerEpoch - 1) {
                            average(ring, net, optimizer);
                        }
                    }
                    steps++;
                    if (settings.recordDigests()) {
                        digests.add(digest(net.parameters().flatValues()));
                    }
                }
                losses.add(epochLosses);
                for (Tensor b : net.buffers().values()) {
                    // batch normalisation's running statistics: each replica saw only its shard
                    ring.sum(b);
                    Ops.scale(1.0 / n, b);
                }
                epochsRun.add(epoch);
                if (checkpoints != null && rank == 0) {
                    checkpoints.write(Model.of(net, state(optimizer, epoch + 1)).withContract(start.contract()),
                            epoch + 1);
                }
            }
            bytes = ring.bytesSent();
        }
        long trainNanos = System.nanoTime() - started;
        double[] all = losses.stream().flatMapToDouble(java.util.Arrays::stream).toArray();
        Model end = Model.of(net).withContract(start.contract()); // every model sent to a worker has a contract
        return List.of(new SparkTrainer.Report(rank, ctx.stageAttemptNumber(), startEpoch,
                epochsRun.stream().mapToInt(Integer::intValue).toArray(), all, steps == 0 ? 0 : bytes / steps,
                ModelBytes.of(end), digests, trainNanos));
    }

    /** This worker's rows, in the dataset's order, preprocessed as the model's contract says. */
    private DataSet shard(Iterator<Tuple2<Long, Row>> rows, Model model, int rank) {
        List<Tuple2<Long, Row>> list = new ArrayList<>();
        rows.forEachRemaining(list::add);
        list.sort((a, b) -> Long.compare(a._1(), b._1()));
        int[] exampleShape = model.contract().exampleShape();
        Features features = new Features(featuresColumn, model.contract().features(), model.contract());
        int[] shape = new int[exampleShape.length + 1];
        shape[0] = list.size();
        System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
        Tensor x = Tensor.zeros(model.network().dtype(), shape);
        int[] t = new int[list.size()];
        for (int i = 0; i < list.size(); i++) {
            Row r = list.get(i)._2();
            long rowNumber = list.get(i)._1();
            features.read(r, 0, rowNumber, x, i);
            if (r.isNullAt(1) || !(r.get(1) instanceof Number label) || label.doubleValue() != label.intValue()) {
                throw new IllegalArgumentException("column '" + labelColumn + "', row " + rowNumber
                        + ": expected a class index,"
                        + " got " + (r.isNullAt(1) ? "null" : r.get(1)));
            }
            t[i] = label.intValue();
            if (t[i] < 0 || t[i] >= model.contract().classes()) {
                throw new IllegalArgumentException("column '" + labelColumn + "', row " + rowNumber + ": class " + t[i]
                        + " outside 0.." + (model.contract().classes() - 1));
            }
        }
        if (list.size() < settings.batchSize()) {
            throw new IllegalStateException("worker " + rank + " holds " + list.size() + " rows, fewer than a batch");
        }
        return new DataSet(x, Labels.of(t));
    }

    /**
     * Replaces the parameters and the optimizer's per-parameter state by their means over the workers. The state's
     * tensors are listed in the order the optimizer met the parameters, which is the same on every worker.
     */
    private static void average(AllReduce ring, Network net, Optimizer optimizer) {
        int n = ring.size();
        Tensor values = net.parameters().flatValues();
        ring.sum(values);
        Ops.scale(1.0 / n, values);
        Optimizer.State state = optimizer.state();
        if (!state.tensors().isEmpty()) {
            for (Tensor t : state.tensors().values()) {
                ring.sum(t);
                Ops.scale(1.0 / n, t);
            }
            optimizer.restore(state);
        }
    }

    /** The optimizer's state and the number of epochs done, as a checkpoint keeps them. */
    private static TrainingState state(Optimizer optimizer, int epochsDone) {
        Optimizer.State s = optimizer.state();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("trainer", "spark");
        meta.put("epochs_done", epochsDone);
        meta.put("optimizer", optimizer.name());
        meta.put("optimizer_iterations", s.iterations());
        List<ModelFile.Entry> arrays = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : s.tensors().entrySet()) {
            arrays.add(ModelFile.Entry.of("optimizer/" + e.getKey(), e.getValue()));
        }
        return new TrainingState(meta, arrays);
    }

    /** SHA-256 of the values' bits. */
    static byte[] digest(Tensor values) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocate(values.size() * (values.dtype() == DType.FLOAT32 ? 4 : 8));
            if (values.dtype() == DType.FLOAT32) {
                buf.asFloatBuffer().put(values.floats(), values.offset(), values.size());
            } else {
                buf.asDoubleBuffer().put(values.doubles(), values.offset(), values.size());
            }
            md.update(buf.array());
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
