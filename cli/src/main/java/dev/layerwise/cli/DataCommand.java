package dev.layerwise.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code layerwise data fetch mnist}: download and verify the data set, nothing else. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Manage data sets.",
        subcommands = {DataCommand.Fetch.class})
final class DataCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Download a data set into the cache (once) and verify its SHA-256 checksums.")
    static final class Fetch implements Callable<Integer> {
        enum DataSetName { mnist }

        @Parameters(paramLabel = "NAME", description = "The data set: ${COMPLETION-CANDIDATES}.")
        DataSetName name;

        @Mixin
        MnistSource source;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Path dir = source.directory(spec.commandLine().getErr()::println);
            spec.commandLine().getOut().println(dir.toAbsolutePath());
            return 0;
        }
    }
}
