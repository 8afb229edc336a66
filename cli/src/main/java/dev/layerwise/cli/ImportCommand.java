package dev.layerwise.cli;

import dev.layerwise.model.Model;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code layerwise import --arch NAME --params FILE.npz --out MODEL.lw}: a model file from foreign parameters. */
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Build a model file from parameters trained elsewhere (.npz, book names).",
            "For example from the book's Python code and numpy.savez(**network.params)."})
final class ImportCommand implements Callable<Integer> {
    @Mixin
    ModelSource source;

    @Option(names = "--out", paramLabel = "MODEL.lw", required = true, description = "The model file to write.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Model m = source.load();
        m.save(out);
        spec.commandLine().getOut().println("wrote " + out + ": " + m.network().architecture().name() + " "
                + m.network().architecture().config() + ", " + m.network().dtype() + ", "
                + m.network().parameters().totalSize() + " parameters");
        return 0;
    }
}
