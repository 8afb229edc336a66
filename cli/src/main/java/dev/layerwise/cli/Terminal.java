package dev.layerwise.cli;

import java.nio.charset.Charset;
import java.util.Locale;

/** Whether standard output is a terminal, so that progress bars are drawn there and never into pipes or files. */
final class Terminal {
    /** Set by the {@code ./layerwise} launcher, which can ask the shell ({@code [ -t 1 ]}). */
    static final String PROPERTY = "layerwise.stdout.tty";

    private Terminal() {
    }

    /**
     * The launcher's answer when it gave one; otherwise the JVM's: a console exists (JDK 17 creates one only when
     * standard input and output are terminals) and, on JDKs that can tell, it is a terminal.
     */
    static boolean stdoutIsTerminal() {
        String told = System.getProperty(PROPERTY);
        if (told != null) {
            return Boolean.parseBoolean(told.trim());
        }
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            // Console.isTerminal() exists from JDK 22, where System.console() no longer implies a terminal.
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    /** Whether the output encoding can show block characters. */
    static boolean unicode() {
        String enc = System.getProperty("stdout.encoding", Charset.defaultCharset().name());
        return enc.toUpperCase(Locale.ROOT).startsWith("UTF");
    }
}
