package dev.layerwise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The pages in {@code docs/} name only what exists: every Layerwise class and member they mention resolves, every
 * {@code layerwise} command line parses (and passes the command's own checks where it has them), every {@code --option}
 * belongs to some command, every Java example compiles, and every relative link and anchor leads somewhere. The index
 * lists every page.
 */
class DocsTest {
    private static final Pattern SPAN = Pattern.compile("`([^`\\n]+)`");
    private static final Pattern FENCE = Pattern.compile("```(\\w*)\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    /** A reference such as {@code Mnist.Options#withFlatten}, {@code Functions.DELTA} or {@code Trainer.Sampling}. */
    private static final Pattern SHORT_NAME = Pattern.compile("([A-Z]\\w*(?:\\.[A-Z]\\w*)*)(?:[.#](\\w+))?(\\(.*\\))?");

    static Path docs;
    static Map<String, List<String>> classesBySimpleName;

    @TempDir
    Path tmp;

    @BeforeAll
    static void index() throws IOException {
        docs = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("../docs").normalize();
        assertTrue(Files.isDirectory(docs), "no docs directory at " + docs);
        classesBySimpleName = new HashMap<>();
        for (String entry : classPath()) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p.resolve("dev/layerwise"))) {
                try (Stream<Path> files = Files.walk(p.resolve("dev/layerwise"))) {
                    files.map(f -> p.relativize(f).toString().replace(File.separatorChar, '/')).forEach(DocsTest::add);
                }
            } else if (p.getFileName().toString().startsWith("layerwise-") && Files.isRegularFile(p)) {
                try (ZipFile zip = new ZipFile(p.toFile())) {
                    for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements();) {
                        add(e.nextElement().getName());
                    }
                }
            }
        }
        assertTrue(classesBySimpleName.containsKey("Affine"), "the Layerwise classes are on the class path");
    }

    private static List<String> classPath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.asList(cp.split(File.pathSeparator));
    }

    private static void add(String path) {
        if (path.startsWith("dev/layerwise/") && path.endsWith(".class") && !path.contains("$")) {
            String fqn = path.substring(0, path.length() - ".class".length()).replace('/', '.');
            classesBySimpleName.computeIfAbsent(fqn.substring(fqn.lastIndexOf('.') + 1), k -> new ArrayList<>())
                    .add(fqn);
        }
    }

    static List<Path> pages() throws IOException {
        try (Stream<Path> s = Files.list(docs)) {
            return s.filter(p -> p.toString().endsWith(".md")).sorted().toList();
        }
    }

    static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    /** The page's text outside fenced code blocks. */
    static String prose(String text) {
        return FENCE.matcher(text).replaceAll("");
    }

    @Test
    void thereIsAPagePerChapterAndTheIndexListsEveryPage() throws IOException {
        String index = read(docs.resolve("README.md"));
        for (int c = 1; c <= 8; c++) {
            assertTrue(Files.exists(docs.resolve("chapter-" + c + ".md")), "chapter-" + c + ".md");
        }
        for (Path p : pages()) {
            String name = p.getFileName().toString();
            if (!name.equals("README.md")) {
                assertTrue(index.contains("](" + name + ")"), "docs/README.md does not link to " + name);
            }
        }
    }

    @Test
    void everyLayerwiseNameExists() throws IOException {
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (Path page : pages()) {
            Matcher m = SPAN.matcher(prose(read(page)));
            while (m.find()) {
                String span = m.group(1).trim();
                String problem = null;
                if (span.startsWith("dev.layerwise.")) {
                    problem = resolveQualified(span);
                    checked++;
                } else if (span.matches("[A-Z].*") && (span.contains("#") || span.contains("."))) {
                    Matcher s = SHORT_NAME.matcher(span);
                    if (s.matches() && classesBySimpleName.containsKey(s.group(1).split("\\.")[0])) {
                        problem = resolveShort(s.group(1), s.group(2));
                        checked++;
                    }
                }
                if (problem != null) {
                    missing.add(page.getFileName() + ": `" + span + "`: " + problem);
                }
            }
        }
        assertTrue(checked > 100, "only " + checked + " names checked");
        assertEquals(List.of(), missing);
    }

    /** {@code dev.layerwise.pkg.Outer.Nested#member}: null when it resolves, else what is wrong. */
    private static String resolveQualified(String span) {
        String[] parts = span.split("#", 2);
        String[] segments = parts[0].split("\\.");
        int first = 0;
        while (first < segments.length && !Character.isUpperCase(segments[first].charAt(0))) {
            first++;
        }
        if (first == segments.length) {
            return "no class named";
        }
        String outer = String.join(".", Arrays.copyOfRange(segments, 0, first + 1));
        Class<?> c = load(outer);
        if (c == null) {
            return "no class " + outer;
        }
        return resolveRest(c, Arrays.copyOfRange(segments, first + 1, segments.length),
                parts.length > 1 ? parts[1] : null);
    }

    /** {@code Outer.Nested} (simple names) and an optional member after {@code .} or {@code #}. */
    private static String resolveShort(String classes, String member) {
        String[] segments = classes.split("\\.");
        String lastProblem = null;
        for (String fqn : classesBySimpleName.get(segments[0])) {
            Class<?> c = load(fqn);
            String problem = c == null ? "cannot load " + fqn
                    : resolveRest(c, Arrays.copyOfRange(segments, 1, segments.length), member);
            if (problem == null) {
                return null;
            }
            lastProblem = problem;
        }
        return lastProblem;
    }

    private static String resolveRest(Class<?> c, String[] nested, String member) {
        for (String n : nested) {
            Class<?> inner = null;
            for (Class<?> d : c.getDeclaredClasses()) {
                if (d.getSimpleName().equals(n)) {
                    inner = d;
                }
            }
            if (inner == null) {
                // "Outer.member" written with a dot: the last segment may be a member, not a class.
                if (n.equals(nested[nested.length - 1]) && member == null) {
                    return hasMember(c, n) ? null : c.getName() + " has no nested class or member " + n;
                }
                return c.getName() + " has no nested class " + n;
            }
            c = inner;
        }
        if (member == null || hasMember(c, member)) {
            return null;
        }
        return c.getName() + " has no member " + member;
    }

    private static boolean hasMember(Class<?> c, String name) {
        for (Method m : c.getMethods()) {
            if (m.getName().equals(name)) {
                return true;
            }
        }
        for (Field f : c.getFields()) {
            if (f.getName().equals(name)) {
                return true;
            }
        }
        for (Class<?> d : c.getDeclaredClasses()) {
            if (d.getSimpleName().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, DocsTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    /** Every {@code ./layerwise …} line of a shell block and every {@code `layerwise …`} span. */
    static List<String> commandLines() throws IOException {
        List<String> lines = new ArrayList<>();
        for (Path page : pages()) {
            String text = read(page);
            Matcher f = FENCE.matcher(text);
            while (f.find()) {
                if (f.group(1).equals("sh")) {
                    for (String line : f.group(2).split("\n")) {
                        String l = line.strip();
                        if (l.startsWith("./layerwise ")) {
                            lines.add(l.substring("./".length()));
                        }
                    }
                }
            }
            Matcher s = SPAN.matcher(prose(text));
            while (s.find()) {
                if (s.group(1).startsWith("layerwise ")) {
                    lines.add(s.group(1));
                }
            }
        }
        return lines;
    }

    @Test
    void everyCommandLineParsesAndPassesTheCommandsChecks() throws IOException {
        List<String> problems = new ArrayList<>();
        List<String> lines = commandLines();
        assertTrue(lines.size() > 30, "only " + lines.size() + " command lines");
        for (String line : lines) {
            String[] args = Arrays.copyOfRange(line.split("\\s+"), 1, line.split("\\s+").length);
            boolean hasOptions = Arrays.stream(args).anyMatch(a -> a.startsWith("-"));
            CommandLine cl = Main.commandLine();
            try {
                if (!hasOptions) {
                    // "layerwise eval": the command must exist; its required options are shown elsewhere.
                    CommandLine at = cl;
                    for (String a : args) {
                        CommandLine sub = at.getSubcommands().get(a);
                        if (sub == null) {
                            break;
                        }
                        at = sub;
                    }
                    if (at == cl) {
                        problems.add(line + ": no such command");
                    }
                    continue;
                }
                CommandLine.ParseResult pr = cl.parseArgs(args);
                while (pr.hasSubcommand()) {
                    pr = pr.subcommand();
                }
                Object command = pr.commandSpec().userObject();
                if (command instanceof TrainCommand t && !pr.hasMatchedOption("--resume")) {
                    t.validate();
                } else if (command instanceof ExperimentCommand e) {
                    e.validate();
                }
            } catch (CommandLine.ParameterException e) {
                problems.add(line + ": " + e.getMessage());
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void everyOptionNamedInTheProseBelongsToACommand() throws IOException {
        Set<String> known = new HashSet<>();
        collectOptions(Main.commandLine(), known);
        Set<String> unknown = new LinkedHashSet<>();
        for (Path page : pages()) {
            Matcher m = SPAN.matcher(prose(read(page)));
            while (m.find()) {
                String span = m.group(1);
                if (span.matches("--[a-z][a-z0-9-]*.*")) {
                    String option = span.split("[\\s=]")[0];
                    if (!known.contains(option)) {
                        unknown.add(page.getFileName() + ": " + option);
                    }
                }
            }
        }
        assertEquals(Set.of(), unknown);
    }

    private static void collectOptions(CommandLine cl, Set<String> into) {
        CommandSpec spec = cl.getCommandSpec();
        spec.options().forEach(o -> into.addAll(Arrays.asList(o.names())));
        cl.getSubcommands().values().forEach(sub -> collectOptions(sub, into));
    }

    @Test
    void everyJavaExampleCompiles() throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "the tests run on a JDK");
        List<JavaFileObject> sources = new ArrayList<>();
        Pattern className = Pattern.compile("public (?:final )?class (\\w+)");
        for (Path page : pages()) {
            Matcher f = FENCE.matcher(read(page));
            while (f.find()) {
                if (f.group(1).equals("java")) {
                    String code = f.group(2);
                    Matcher n = className.matcher(code);
                    assertTrue(n.find(), page.getFileName() + ": a Java example without a public class");
                    sources.add(new SimpleJavaFileObject(java.net.URI.create("string:///" + n.group(1) + ".java"),
                            JavaFileObject.Kind.SOURCE) {
                        @Override
                        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                            return code;
                        }
                    });
                }
            }
        }
        assertEquals(9, sources.size(), "one Java example per chapter, and one on the data formats page");
        StringWriter out = new StringWriter();
        boolean ok = javac.getTask(out, null, null, List.of("-d", tmp.toString(), "-proc:none", "-classpath",
                String.join(File.pathSeparator, classPath())), null, sources).call();
        if (!ok) {
            fail("the Java examples do not compile:\n" + out);
        }
    }

    @Test
    void everyRelativeLinkAndAnchorLeadsSomewhere() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path page : pages()) {
            Matcher m = LINK.matcher(prose(read(page)));
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("[a-z]+:.*")) {
                    continue;
                }
                String[] parts = target.split("#", 2);
                Path file = parts[0].isEmpty() ? page : page.resolveSibling(parts[0]).normalize();
                if (!Files.exists(file)) {
                    broken.add(page.getFileName() + " -> " + target + ": no file");
                } else if (parts.length > 1 && file.toString().endsWith(".md")
                        && !anchors(read(file)).contains(parts[1])) {
                    broken.add(page.getFileName() + " -> " + target + ": no such heading");
                }
            }
        }
        assertEquals(List.of(), broken);
    }

    /** GitHub's heading anchors: lower case, punctuation removed, spaces as hyphens. */
    static Set<String> anchors(String markdown) {
        Set<String> out = new HashSet<>();
        for (String line : prose(markdown).split("\n")) {
            if (line.startsWith("#")) {
                String h = line.replaceFirst("^#+\\s*", "").toLowerCase(Locale.ROOT);
                out.add(h.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
            }
        }
        return out;
    }
}
