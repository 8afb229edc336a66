package dev.layerwise.cli;

import java.nio.charset.Charset;
import java.util.Locale;

/** Whether standard output is a terminal, so that progress bars are drawn there and never into pipes or files. */
final class Terminal {
    /** Set by the {@code ./layerwise} launcher, which can ask the shell ({@code [ -t 1 ]}). */
    static final String PROPERTY = "layerwise.stdout.tty";
    /** The terminal's width in columns, set by the launcher ({@code stty size}); 0 or absent when unknown. */
    static final String COLUMNS_PROPERTY = "layerwise.stdout.columns";

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

    /** The terminal's width in columns as the launcher measured it, else {@code $COLUMNS}, else 0 (unknown). */
    static int columns() {
        for (String told : new String[] {System.getProperty(COLUMNS_PROPERTY), System.getenv("COLUMNS")}) {
            if (told != null && told.trim().matches("\\d{1,4}")) {
                int c = Integer.parseInt(told.trim());
                if (c > 0) {
                    return c;
                }
            }
        }
        return 0;
    }

    /**
     * {@code text} broken at spaces into lines of at most {@code columns} characters (a word longer than a line stays
     * whole on its own); unchanged when {@code columns} is 0 (unknown). A terminal would otherwise break it mid-word.
     */
    static String wrap(String text, int columns) {
        if (columns <= 0 || text.length() <= columns) {
            return text;
        }
        StringBuilder out = new StringBuilder();
        int lineStart = 0;
        for (String word : text.split(" ")) {
            int lineLength = out.length() - lineStart;
            if (lineLength > 0 && lineLength + 1 + word.length() > columns) {
                out.append(System.lineSeparator()).append("  ");
                lineStart = out.length() - 2;
            } else if (lineLength > 0) {
                out.append(' ');
            }
            out.append(word);
        }
        return out.toString();
    }

    /** Whether the output encoding can show block characters. */
    static boolean unicode() {
        String enc = System.getProperty("stdout.encoding", Charset.defaultCharset().name());
        return enc.toUpperCase(Locale.ROOT).startsWith("UTF");
    }
}
