package dev.layerwise.cli;

import dev.layerwise.io.NpyArray;
import dev.layerwise.io.Npz;
import dev.layerwise.layer.Parameter;
import dev.layerwise.model.Model;
import dev.layerwise.onnx.OnnxExchange;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code layerwise export --model FILE (--npz OUT.npz | --onnx OUT.onnx [--opset N])}: the parameters (and buffers)
 * under the book's names, or the whole model as ONNX.
 */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a model as ONNX, or its parameters as a NumPy .npz.",
            "ONNX for ONNX Runtime and other tools; .npz under the book's names:",
            "W1, b1, …, readable with numpy.load; batch-norm running statistics are",
            "included too. ONNX: input 'input' (N, …), outputs 'logits' and 'probabilities'."})
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "FILE", required = true, description = "The model file (.lw).")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    /** Where to write: exactly one of the formats. */
    static final class Target {
        @Option(names = "--npz", paramLabel = "OUT.npz", required = true, description = "The .npz file to write.")
        Path npz;

        @Option(names = "--onnx", paramLabel = "OUT.onnx", required = true, description = "The ONNX file to write.")
        Path onnx;
    }

    @Option(names = "--opset", paramLabel = "N", description = "With --onnx: the ONNX opset, "
            + OnnxExchange.MIN_OPSET + " to " + OnnxExchange.MAX_OPSET + ". Default: "
            + OnnxExchange.DEFAULT_OPSET + ".")
    Integer opset;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (opset != null && target.onnx == null) {
            throw new ParameterException(spec.commandLine(), "--opset goes with --onnx");
        }
        if (opset != null && (opset < OnnxExchange.MIN_OPSET || opset > OnnxExchange.MAX_OPSET)) {
            throw new ParameterException(spec.commandLine(), "--opset must be from " + OnnxExchange.MIN_OPSET
                    + " to " + OnnxExchange.MAX_OPSET + ", got " + opset);
        }
        // Before the model is read: a path that cannot be written is a usage error naming it, and its missing
        // directory is not created.
        if (target.onnx != null) {
            OutputPaths.file(spec, "--onnx", target.onnx);
        } else {
            OutputPaths.file(spec, "--npz", target.npz);
        }
        Model m = Model.load(model);
        if (target.onnx != null) {
            int op = opset == null ? OnnxExchange.DEFAULT_OPSET : opset;
            m.exportOnnx(target.onnx, op);
            spec.commandLine().getOut().println("wrote " + target.onnx + ": " + m.network().architecture().name()
                    + ", " + m.network().dtype() + ", opset " + op + "; input 'input', outputs 'logits' and "
                    + "'probabilities'");
            return 0;
        }
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        for (Parameter p : m.network().parameters()) {
            arrays.put(p.name(), NpyArray.of(p.value()));
        }
        m.network().buffers().forEach((name, t) -> arrays.put(name, NpyArray.of(t)));
        Npz.write(target.npz, arrays);
        spec.commandLine().getOut().println("wrote " + arrays.size() + " arrays " + arrays.keySet() + " to "
                + target.npz);
        return 0;
    }
}
