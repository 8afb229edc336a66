package dev.layerwise.cli;

import dev.layerwise.io.NpyArray;
import dev.layerwise.io.Npz;
import dev.layerwise.layer.Parameter;
import dev.layerwise.model.Model;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code layerwise export --model FILE --npz OUT.npz}: the parameters (and buffers) under the book's names. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a model's parameters to a NumPy .npz under the book's names.",
            "W1, b1, …, readable with numpy.load; batch-norm running statistics are",
            "included too."})
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "FILE", required = true, description = "The model file (.lw).")
    Path model;

    @Option(names = "--npz", paramLabel = "OUT.npz", required = true, description = "The .npz file to write.")
    Path npz;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Model m = Model.load(model);
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        for (Parameter p : m.network().parameters()) {
            arrays.put(p.name(), NpyArray.of(p.value()));
        }
        m.network().buffers().forEach((name, t) -> arrays.put(name, NpyArray.of(t)));
        Npz.write(npz, arrays);
        spec.commandLine().getOut().println("wrote " + arrays.size() + " arrays " + arrays.keySet() + " to " + npz);
        return 0;
    }
}
