package dev.layerwise.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/**
 * The {@code layerwise} command. Exit codes: 0 success, 1 the run failed (bad data, diverged training, I/O), 2 bad
 * usage (unknown option, invalid value). Errors are one line on standard error; set {@code LAYERWISE_DEBUG=1} for the
 * stack trace.
 */
@Command(name = "layerwise", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Deep learning from scratch, in pure Java: train and check the book's networks", "on MNIST."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the run failed (data, I/O, diverged training)",
            "2:bad usage (unknown option, invalid value)"})
public final class Main implements Runnable {
    /** Exit code for a run that failed. */
    public static final int FAILURE = 1;
    /** Exit code for bad usage. */
    public static final int USAGE = 2;

    /**
     * The subcommands by name, in the order {@code --help} lists them. Picocli reads a command's annotations when it
     * is added, by reflection, and each command so added lengthens the start of every run. So a command line that
     * names a subcommand gets that one only; {@code help}, {@code completion} (which describe the others) and anything
     * else get them all.
     */
    static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> m = new LinkedHashMap<>();
        m.put("train", TrainCommand::new);
        m.put("eval", EvalCommand::new);
        m.put("predict", PredictCommand::new);
        m.put("serve", ServeCommand::new);
        m.put("experiment", ExperimentCommand::new);
        m.put("export", ExportCommand::new);
        m.put("import", ImportCommand::new);
        m.put("gradcheck", GradcheckCommand::new);
        m.put("bench", BenchCommand::new);
        m.put("data", DataCommand::new);
        m.put("completion", CompletionCommand::new);
        m.put("install", InstallCommand::new);
        m.put("visualize", VisualizeCommand::new);
        m.put("help", CommandLine.HelpCommand::new);
        return Collections.unmodifiableMap(m);
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams and returns the exit code (used by tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = commandLine(args);
        cl.setOut(out);
        cl.setErr(err);
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            // An Error, which picocli passes on: without this the user would get a stack trace from deep inside.
            err.printf(Locale.ROOT, "layerwise: out of memory: the Java heap (at most %,d MB) is too small for this"
                    + " run; give it more, e.g. JAVA_OPTS=-Xmx4g ./layerwise %s%n", Runtime.getRuntime().maxMemory() >> 20,
                    String.join(" ", args));
            err.flush();
            return FAILURE;
        }
    }

    /** The configured command line with every subcommand, and its error handling. */
    static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /** The configured command line for {@code args}: see {@link #SUBCOMMANDS} for which subcommands it has. */
    static CommandLine commandLine(String[] args) {
        CommandLine cl = new CommandLine(new Main());
        String named = args.length > 0 && SUBCOMMANDS.containsKey(args[0]) && !args[0].equals("help")
                && !args[0].equals("completion") ? args[0] : null;
        for (Map.Entry<String, Supplier<Object>> e : SUBCOMMANDS.entrySet()) {
            if (named == null || named.equals(e.getKey())) {
                cl.addSubcommand(e.getKey(), e.getValue().get());
            }
        }
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // After the subcommands are added: picocli gives a converter to the commands present when it is registered.
        OptionTypes.registerNumbers(cl);
        giveVersion(cl);
        cl.setParameterExceptionHandler((ex, badArgs) -> {
            CommandLine cmd = ex.getCommandLine();
            String message = ex.getCause() instanceof OptionTypes.UsageMessage ? ex.getCause().getMessage()
                    : ex.getMessage();
            if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                // Picocli lists every name within its distance, closest first: the first is the one meant.
                message += "; did you mean '" + u.getSuggestions().get(0) + "'?";
            }
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + message
                    + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
            cmd.getErr().flush();
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            if (ex instanceof CommandLine.ParameterException) {
                return cl.getParameterExceptionHandler().handleParseException(
                        (CommandLine.ParameterException) ex, parseResult.originalArgs().toArray(new String[0]));
            }
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": error: " + describe(ex));
            if (System.getenv("LAYERWISE_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            }
            cmd.getErr().flush();
            return FAILURE;
        });
        return cl;
    }

    /** Every subcommand's {@code --version} prints the tool's version, as the top command's does, not nothing. */
    private static void giveVersion(CommandLine cl) {
        for (CommandLine sub : cl.getSubcommands().values()) {
            sub.getCommandSpec().versionProvider(new Version());
            giveVersion(sub);
        }
    }

    /** An error in one line for people: the file and what is wrong with it. */
    static String describe(Throwable ex) {
        if (ex instanceof java.nio.file.NoSuchFileException) {
            java.nio.file.NoSuchFileException e = (java.nio.file.NoSuchFileException) ex;
            String reason = e.getReason() != null ? e.getReason() : "no such file";
            String file = e.getFile();
            // Name the file, unless the reason already names it in full.
            boolean named = file == null || reason.contains(file);
            return named ? reason : reason + ": " + file;
        }
        if (ex instanceof java.nio.file.AccessDeniedException) {
            return "permission denied: " + ((java.nio.file.AccessDeniedException) ex).getFile();
        }
        if (ex instanceof OutOfMemoryError) {
            return "out of memory (raise the heap with JAVA_OPTS=-Xmx8g, or use a smaller batch or model)";
        }
        String msg = ex.getMessage();
        return msg != null && !msg.isBlank() ? msg : ex.getClass().getSimpleName();
    }

    /** The version, from the build. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/layerwise-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"layerwise " + p.getProperty("version", "unknown") + " (Java "
                    + Runtime.version() + ", " + System.getProperty("java.vm.name") + ")"};
        }
    }
}
