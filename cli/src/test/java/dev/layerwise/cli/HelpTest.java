package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Each command's {@code --help}, as the user sees it, lists every option the command really accepts, with its
 * default where it has one: the help is generated from the same declarations the parser uses, and this test
 * checks the printed text against them so that hand-written descriptions cannot drift.
 */
class HelpTest {

    /** Every command and subcommand, by its qualified name. */
    static Stream<String> commands() {
        List<String> names = new ArrayList<>();
        collect(Main.commandLine(), names);
        return names.stream();
    }

    private static void collect(CommandLine cl, List<String> names) {
        names.add(cl.getCommandSpec().qualifiedName(" "));
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (!sub.getCommandName().equals("help")) {
                collect(sub, names);
            }
        }
    }

    static String[] args(String qualifiedName, String... more) {
        List<String> a = new ArrayList<>(List.of(qualifiedName.split(" ")));
        a.remove(0);
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    static CommandSpec spec(String qualifiedName) {
        CommandLine cl = Main.commandLine();
        for (String part : args(qualifiedName)) {
            cl = cl.getSubcommands().get(part);
        }
        return cl.getCommandSpec();
    }

    /**
     * Picocli formats descriptions as format strings and, when one does not parse (a bare {@code %}), prints a warning
     * of its own on the process's standard error and the raw text: the user would see it at the top of the help.
     */
    @ParameterizedTest
    @MethodSource("commands")
    void helpFormatsEveryDescription(String command) {
        java.io.PrintStream before = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        StringWriter out = new StringWriter();
        try {
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            Main.run(args(command, "--help"), new PrintWriter(out), new PrintWriter(new StringWriter()));
        } finally {
            System.setErr(before);
        }
        String warnings = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals("", warnings, command + " --help");
        assertTrue(out.toString().startsWith("Usage: " + command), out.toString());
    }

    @ParameterizedTest
    @MethodSource("commands")
    void helpListsEveryOptionWithItsDefault(String command) {
        StringWriter out = new StringWriter();
        int code = Main.run(args(command, "--help"), new PrintWriter(out), new PrintWriter(new StringWriter()));
        assertEquals(0, code);
        String help = out.toString();
        assertTrue(help.startsWith("Usage: " + command), help);
        String flat = help.replaceAll("\\s+", " ");
        for (OptionSpec o : spec(command).options()) {
            if (o.hidden()) {
                continue;
            }
            assertTrue(help.contains(o.longestName()), command + " --help lacks " + o.longestName() + ":\n" + help);
            String d = o.defaultValue();
            if (d != null && !o.usageHelp() && !o.versionHelp() && !o.type().equals(boolean.class)) {
                assertTrue(flat.contains("Default: " + d),
                        command + " --help does not show the default " + d + " of " + o.longestName() + ":\n" + help);
            }
        }
    }

    /**
     * A command's hand-wrapped description fits picocli's 80 columns as written: picocli breaks a longer line again,
     * leaving a stray word on a line of its own, out of the column it belongs to. (The printed help always fits, so
     * it is the declared lines that are checked.)
     */
    @ParameterizedTest
    @MethodSource("commands")
    void descriptionLinesFitTheWidth(String command) {
        for (String description : spec(command).usageMessage().description()) {
            assertTrue(description.length() <= 80, command + ": description line of " + description.length()
                    + " columns is wrapped again by picocli: " + description);
        }
    }

    @Test
    void versionAndCompletionWork() {
        StringWriter out = new StringWriter();
        assertEquals(0, Main.run(new String[] {"--version"}, new PrintWriter(out), new PrintWriter(new StringWriter())));
        assertTrue(out.toString().startsWith("layerwise "), out.toString());
        StringWriter script = new StringWriter();
        assertEquals(0, Main.run(new String[] {"completion"}, new PrintWriter(script),
                new PrintWriter(new StringWriter())));
        assertTrue(script.toString().contains("complete -F"), "a bash completion script");
        assertTrue(script.toString().contains("--batch-size"), "it knows the options of the subcommands");
    }

    @Test
    void badUsageIsOneLineAndExitCodeTwo() {
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"train", "--batch-size", "zero"}, new PrintWriter(new StringWriter()),
                new PrintWriter(err));
        assertEquals(Main.USAGE, code);
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        assertTrue(err.toString().contains("--batch-size"), err.toString());
        err = new StringWriter();
        code = Main.run(new String[] {"no-such-command"}, new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertEquals(Main.USAGE, code);
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
    }

    /** A command line that names a subcommand builds that one only, under the name its annotation gives it. */
    @Test
    void aNamedSubcommandIsTheOnlyOneBuilt() {
        for (Map.Entry<String, java.util.function.Supplier<Object>> e : Main.SUBCOMMANDS.entrySet()) {
            String name = e.getKey();
            assertEquals(name, new CommandLine(e.getValue().get()).getCommandName(), "the annotation's name");
            Set<String> built = Main.commandLine(new String[] {name, "--help"}).getSubcommands().keySet();
            Set<String> expected = name.equals("help") || name.equals("completion")
                    ? Main.SUBCOMMANDS.keySet() : Set.of(name);
            assertEquals(expected, built, name);
        }
        assertEquals(Main.SUBCOMMANDS.keySet(), Main.commandLine(new String[] {"trian"}).getSubcommands().keySet(),
                "an unknown name gets them all, so that picocli can suggest the closest");
        StringWriter out = new StringWriter();
        assertEquals(0, Main.run(new String[] {"--help"}, new PrintWriter(out), new PrintWriter(new StringWriter())));
        for (String name : Main.SUBCOMMANDS.keySet()) {
            assertTrue(out.toString().contains("  " + name + " "), name + " is listed in:\n" + out);
        }
    }

    @Test
    void aMistypedCommandGetsTheClosestName() {
        CliTesting.Run r = CliTesting.run("trian");
        assertEquals(Main.USAGE, r.exit());
        assertTrue(r.err().contains("'trian'; did you mean 'train'?"), r.err());
        assertTrue(!r.err().contains("experiment"), "one suggestion, the closest: " + r.err());
    }

    @Test
    void numbersAreAskedForInWords() {
        CliTesting.Run r = CliTesting.run("train", "--lr", "abc");
        assertEquals(Main.USAGE, r.exit());
        assertTrue(r.err().contains("'--lr': 'abc' is not a number"), r.err());
        r = CliTesting.run("train", "--batch-size", "1e3");
        assertTrue(r.err().contains("'--batch-size': '1e3' is not a whole number"), r.err());
        r = CliTesting.run("train", "--batch-size", "99999999999");
        assertTrue(r.err().contains("'99999999999' is not a whole number that fits in 32 bits"), r.err());
    }

    @ParameterizedTest
    @MethodSource("commands")
    void everyCommandPrintsTheVersion(String command) {
        if (command.endsWith(" help")) {
            return; // picocli's help command has no --version
        }
        CliTesting.Run r = CliTesting.run(args(command, "--version"));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("layerwise "), command + " --version printed: " + r.out());
    }

    /** A command list shows a whole sentence per command, never one cut at the line's end. */
    @ParameterizedTest
    @MethodSource("commands")
    void commandListsShowWholeSentences(String command) {
        String help = CliTesting.run(args(command, "--help")).out();
        if (!help.contains("Commands:")) {
            return;
        }
        int end = help.indexOf("Exit codes:");
        String commands = help.substring(help.indexOf("Commands:"), end < 0 ? help.length() : end);
        for (String entry : commands.split("\n(?=  [a-z])")) {
            if (entry.startsWith("Commands:")) {
                continue;
            }
            String text = entry.strip().replaceAll("\\s+", " ");
            assertTrue(text.endsWith("."), "a cut description: " + text);
        }
    }

    /** Paths and numbers are never broken across lines in help (Java's line breaking allows it after "~/." and "±0."). */
    @ParameterizedTest
    @MethodSource("commands")
    void helpKeepsPathsAndNumbersWhole(String command) {
        String help = CliTesting.run(args(command, "--help")).out();
        for (String line : help.split("\n")) {
            assertTrue(!line.stripTrailing().endsWith("~/.") && !line.stripTrailing().endsWith("±0."),
                    command + " --help breaks a path or number: " + line);
        }
    }

    @Test
    void completionOffersTheValuesOfNamedChoices() {
        String script = CliTesting.run("completion").out();
        for (String value : List.of("nesterov", "rmsprop", "sigmoid", "weight-init", "weight-decay", "deep-convnet")) {
            assertTrue(script.contains(value), "the completion script offers " + value);
        }
        // Picocli names each list of values after the option's label: two options of one command with the same label
        // would share one list, the second replacing the first.
        for (String function : script.split("\n(?=function )")) {
            List<String> lists = java.util.regex.Pattern.compile("local (\\w+_option_args)=").matcher(function)
                    .results().map(m -> m.group(1)).toList();
            assertEquals(lists.size(), Set.copyOf(lists).size(), "lists of values share a name: " + lists);
        }
    }
}
