package dev.layerwise.cli;

import dev.layerwise.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code layerwise install [--prefix DIR]}: puts the tool on the PATH. The launcher and the built jar are copied to
 * {@code DIR/lib/layerwise}, {@code DIR/bin/layerwise} links to that launcher, and the completion script goes to
 * {@code DIR/share/bash-completion/completions/layerwise}, where bash finds it. The installed launcher runs the copied
 * jar with the same JVM options and builds nothing, so the checkout may move or go.
 */
@Command(name = "install", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Put the layerwise command on the PATH, with its completion.",
            "Copies the launcher and the tool's jar to PREFIX/lib/layerwise, links",
            "PREFIX/bin/layerwise to it and writes the bash completion script to",
            "PREFIX/share/bash-completion/completions/layerwise."})
final class InstallCommand implements Callable<Integer> {
    /** The system properties by which the launcher says where it and the jar it runs are. */
    static final String LAUNCHER_PROPERTY = "layerwise.launcher";
    static final String JAR_PROPERTY = "layerwise.jar";

    @Option(names = "--prefix", paramLabel = "DIR",
            description = "Where to install: DIR/bin, DIR/lib, DIR/share. Default: .local in the home directory.")
    Path prefix;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Path launcher = given(LAUNCHER_PROPERTY);
        Path jar = given(JAR_PROPERTY);
        Path root = prefix != null ? prefix : Path.of(System.getProperty("user.home"), ".local");
        Path lib = root.resolve("lib").resolve("layerwise");
        Path bin = root.resolve("bin");
        Path link = bin.resolve("layerwise");
        Path completions = root.resolve("share").resolve("bash-completion").resolve("completions");
        if (Files.exists(link, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(link)) {
            throw new IOException(link + " exists and is not a link this command made; remove it first");
        }
        for (Path dir : List.of(lib, bin, completions)) {
            Files.createDirectories(dir);
            if (!Files.isWritable(dir)) {
                throw new java.nio.file.AccessDeniedException(dir.toString());
            }
        }
        Path installedJar = lib.resolve("layerwise.jar");
        Path installedLauncher = lib.resolve("layerwise");
        AtomicFiles.write(installedJar, out -> Files.copy(jar, out));
        AtomicFiles.write(installedLauncher, out -> Files.copy(launcher, out));
        Files.setPosixFilePermissions(installedLauncher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, bin.relativize(installedLauncher));
        String script = AutoComplete.bash("layerwise", Main.commandLine());
        AtomicFiles.write(completions.resolve("layerwise"),
                out -> out.write(script.getBytes(StandardCharsets.UTF_8)));
        PrintWriter out = spec.commandLine().getOut();
        out.println("installed " + link + " -> " + installedLauncher);
        out.println("wrote " + completions.resolve("layerwise"));
        if (!onPath(bin)) {
            out.println("add " + bin + " to your PATH, e.g. in ~/.bashrc: export PATH=\"" + bin + ":$PATH\"");
        }
        out.flush();
        return 0;
    }

    /** The path the launcher passed in {@code property}: install works only as started by the launcher. */
    private Path given(String property) throws IOException {
        String value = System.getProperty(property);
        if (value == null) {
            throw TrainCommand.usage(spec, "install copies the launcher and its jar: run it through the launcher, "
                    + "./layerwise install");
        }
        Path p = Path.of(value);
        if (!Files.isRegularFile(p)) {
            throw new java.nio.file.NoSuchFileException(value, null, "the launcher's " + p.getFileName()
                    + " is missing: " + value);
        }
        return p;
    }

    private static boolean onPath(Path bin) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Path.of(dir).toAbsolutePath().normalize().equals(bin.toAbsolutePath().normalize())) {
                return true;
            }
        }
        return false;
    }
}
