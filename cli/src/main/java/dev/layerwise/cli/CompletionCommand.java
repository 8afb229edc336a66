package dev.layerwise.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code layerwise completion}: a bash (and zsh) completion script for every command and option. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a bash/zsh completion script for every command and option.",
            "Enable it for this shell with:",
            "  source <(./layerwise completion)",
            "or save it: ./layerwise completion > /etc/bash_completion.d/layerwise"})
final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(AutoComplete.bash("layerwise", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
