package dev.layerwise.cli;

import dev.layerwise.model.Model;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code layerwise import (--onnx FILE.onnx | --arch NAME --params FILE.npz) --out MODEL.lw}: a model file from a model
 * or parameters made elsewhere.
 */
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Build a model file from an ONNX model or from .npz parameters.",
            "ONNX: PyTorch's or Layerwise's export of the book's networks. .npz:",
            "parameters under the book's names trained elsewhere, for example with the",
            "book's Python code and numpy.savez(**network.params)."})
final class ImportCommand implements Callable<Integer> {
    @Option(names = "--onnx", paramLabel = "FILE.onnx",
            description = "An ONNX model whose graph is one of Layerwise's networks.")
    Path onnx;

    @Mixin
    ModelSource source;

    @Option(names = "--out", paramLabel = "MODEL.lw", required = true, description = "The model file to write.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (onnx != null && (source.model != null || source.arch != null || source.params != null)) {
            throw new ParameterException(spec.commandLine(), "give --onnx, or --arch with --params, not both");
        }
        if (onnx == null && source.model == null && source.arch == null && source.params == null) {
            throw new ParameterException(spec.commandLine(), "give --onnx FILE.onnx, or --arch NAME with --params "
                    + "FILE.npz");
        }
        OutputPaths.file(spec, "--out", out);
        Model m = onnx != null ? Model.importOnnx(onnx) : source.load();
        m.save(out);
        spec.commandLine().getOut().println("wrote " + out + ": " + m.network().architecture().name() + " "
                + m.network().architecture().config() + ", " + m.network().dtype() + ", "
                + m.network().parameters().totalSize() + " parameters");
        return 0;
    }
}
