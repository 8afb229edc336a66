package dev.layerwise.spark;

import dev.layerwise.model.Model;
import dev.layerwise.model.ModelFile;
import dev.layerwise.model.TrainingState;
import dev.layerwise.net.Network;
import dev.layerwise.optim.Optimizer;
import dev.layerwise.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One checkpoint per epoch in a folder any Hadoop file system reaches: {@code epoch-0001.lw}, {@code epoch-0002.lw},
 * … each a model file with the optimizer's state. A file is written under a temporary name and renamed when complete,
 * so the newest complete one is always the one to resume from, even after a crash in the middle of a write.
 */
final class EpochCheckpoints {
    private static final String PREFIX = "epoch-";
    private static final String SUFFIX = ".lw";

    private final Path folder;
    private final FileSystem fs;

    EpochCheckpoints(String folder) {
        try {
            this.folder = new Path(folder);
            this.fs = FileSystem.get(URI.create(folder), new Configuration());
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint folder " + folder + ": " + e.getMessage(), e);
        }
    }

    /** The file of the checkpoint after {@code epochs} epochs. */
    static String name(int epochs) {
        return String.format(java.util.Locale.ROOT, PREFIX + "%04d" + SUFFIX, epochs);
    }

    /** Writes {@code model} as the checkpoint after {@code epochs} epochs. */
    void write(Model model, int epochs) {
        try {
            java.nio.file.Path local = Files.createTempFile("layerwise-checkpoint", SUFFIX);
            try {
                model.save(local);
                fs.mkdirs(folder);
                Path part = new Path(folder, "." + name(epochs) + ".part");
                fs.copyFromLocalFile(false, true, new Path(local.toUri()), part);
                Path done = new Path(folder, name(epochs));
                fs.delete(done, false);
                if (!fs.rename(part, done)) {
                    throw new IOException("could not rename " + part + " to " + done);
                }
            } finally {
                Files.deleteIfExists(local);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the checkpoint of epoch " + epochs + " to " + folder
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads the newest checkpoint, if any, into {@code net} and {@code optimizer}, and returns the number of epochs
     * it had done (0 when there is none).
     */
    int restoreLatest(Network net, Optimizer optimizer, int epochs) {
        try {
            if (!fs.exists(folder)) {
                return 0;
            }
            int best = 0;
            for (FileStatus f : fs.listStatus(folder)) {
                String n = f.getPath().getName();
                if (n.startsWith(PREFIX) && n.endsWith(SUFFIX)) {
                    try {
                        best = Math.max(best, Integer.parseInt(n.substring(PREFIX.length(),
                                n.length() - SUFFIX.length())));
                    } catch (NumberFormatException ignored) {
                        // another file that happens to look alike: not ours
                    }
                }
            }
            if (best == 0) {
                return 0;
            }
            if (best > epochs) {
                throw new IllegalStateException(folder + " holds a checkpoint after " + best + " epochs, more than the "
                        + epochs + " of this run: use another folder");
            }
            java.nio.file.Path local = Files.createTempFile("layerwise-checkpoint", SUFFIX);
            try {
                fs.copyToLocalFile(false, new Path(folder, name(best)), new Path(local.toUri()), true);
                Model m = Model.load(local);
                net.parameters().setValues(m.network().parameters().values());
                for (Map.Entry<String, Tensor> b : net.buffers().entrySet()) {
                    b.getValue().copyFrom(m.network().buffers().get(b.getKey()));
                }
                TrainingState s = m.training();
                Map<String, Tensor> tensors = new LinkedHashMap<>();
                for (ModelFile.Entry e : s.arrays()) {
                    tensors.put(e.name().substring("optimizer/".length()), e.toTensor());
                }
                optimizer.restore(new Optimizer.State(((Number) s.meta().get("optimizer_iterations")).longValue(),
                        tensors));
                return best;
            } finally {
                Files.deleteIfExists(local);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the checkpoints in " + folder + ": " + e.getMessage(), e);
        }
    }
}
