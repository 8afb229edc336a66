package dev.layerwise.cli;

import dev.layerwise.io.NpyArray;
import dev.layerwise.io.Npz;
import dev.layerwise.model.Model;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Where a trained network comes from: a Layerwise model file ({@code --model}), or parameters in the book's names in
 * a NumPy {@code .npz} ({@code --arch NAME --params FILE.npz}), e.g. saved by the book's Python code with
 * {@code numpy.savez(**network.params)}.
 */
final class ModelSource {
    @Option(names = "--model", paramLabel = "FILE", description = "A Layerwise model file (.lw).")
    Path model;

    @Option(names = "--arch", paramLabel = "ARCH", completionCandidates = OptionTypes.ArchitectureNames.class,
            description = "With --params: the architecture the parameters belong to (two-layer, …).")
    String arch;

    @Option(names = "--params", paramLabel = "FILE.npz",
            description = "With --arch: parameters in the book's names (W1, b1, …) from numpy.savez(**params).")
    Path params;

    @Option(names = "--arch-option", paramLabel = "KEY=VALUE",
            description = "With --arch: what the parameter shapes cannot tell (e.g. activation=sigmoid).")
    Map<String, String> archOptions = new LinkedHashMap<>();

    @Option(names = "--params-dtype", paramLabel = "TYPE", converter = OptionTypes.DTypes.class,
            description = "With --params: the precision to run in. Default: that of the parameters.")
    DType paramsDType;

    /** The command this mixin is part of, whose usage errors it reports. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** Loads the model the options name. */
    Model load() throws IOException {
        if (model != null && (arch != null || params != null)) {
            throw new ParameterException(spec.commandLine(), "give --model, or --arch with --params, not both");
        }
        if (model != null) {
            return Model.load(model);
        }
        if (arch == null || params == null) {
            throw new ParameterException(spec.commandLine(), "give --model FILE, or --arch NAME with --params FILE.npz");
        }
        Map<String, NpyArray> arrays = Npz.read(params);
        DType dtype = paramsDType;
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, NpyArray> e : arrays.entrySet()) {
            if (dtype == null && e.getValue().kind() == NpyArray.Kind.FLOAT32) {
                dtype = DType.FLOAT32;
            }
        }
        DType d = dtype == null ? DType.FLOAT64 : dtype;
        arrays.forEach((k, v) -> tensors.put(k, v.toTensor(d)));
        Map<String, Object> options = new LinkedHashMap<>();
        archOptions.forEach((k, v) -> options.put(k, parse(v)));
        try {
            return Model.fromParameters(arch, tensors, options, d);
        } catch (IllegalArgumentException e) {
            throw new IOException(params + ": " + e.getMessage(), e);
        }
    }

    /** A number, a boolean or a string. */
    static Object parse(String v) {
        String s = v.trim();
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s.toLowerCase(Locale.ROOT));
        }
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException ignored) {
            // not an integer
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException ignored) {
            return s;
        }
    }
}
