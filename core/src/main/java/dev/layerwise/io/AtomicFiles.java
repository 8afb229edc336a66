package dev.layerwise.io;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file so that readers see either the old content or the complete new one, never a half-written file: the
 * content goes to a temporary file in the same directory ({@code .NAME<digits>.tmp}), is flushed to disk, and is
 * renamed over the target. The target's directory must exist: a file's missing directory is most often a typing
 * mistake in its path, so it is an error naming that directory, never a tree of directories created silently.
 *
 * <p>A process killed while writing leaves its temporary file behind. The next write of the same target removes such
 * leftovers: temporary files of that target which this process is not writing and which nobody has written to for
 * {@link #STALE_AFTER}, so that a write under way in another process is left alone.
 */
public final class AtomicFiles {
    /** How long a temporary file must have been left untouched before it counts as a leftover. */
    static final Duration STALE_AFTER = Duration.ofMinutes(1);
    /** The temporary files this process is writing now. */
    private static final Set<Path> WRITING = ConcurrentHashMap.newKeySet();

    private AtomicFiles() {
    }

    /** Produces the content of a file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Gives the temporary file the permissions a file created in the usual way would have: the old file's when it
     * exists, else {@code rw-r--r--} ({@code createTempFile} makes it private, {@code rw-------}).
     */
    private static void permissions(Path tmp, Path target) throws IOException {
        if (!tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = Files.exists(target)
                ? Files.getPosixFilePermissions(target)
                : java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(tmp, perms);
    }

    /**
     * Writes {@code file} atomically; on any failure the temporary file is removed and {@code file} is untouched. Its
     * directory is not created.
     *
     * @throws IOException naming {@code file} (never the temporary file) and why it cannot be written
     */
    public static void write(Path file, Content content) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        } catch (IOException e) {
            // The temporary file's name means nothing to the user: name the file they asked for.
            throw new IOException("cannot write " + file + ": " + reason(e, dir), e);
        }
        WRITING.add(tmp);
        boolean done = false;
        try {
            removeLeftovers(target);
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
                 OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
                OutputStream buffered = new java.io.BufferedOutputStream(out, 1 << 16);
                content.writeTo(buffered);
                buffered.flush();
                channel.force(true);
            }
            // Only once written: a read-only target's mode would otherwise forbid writing its replacement.
            permissions(tmp, target);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            WRITING.remove(tmp);
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Checks, before any work, that {@code file} can be written as {@link #write} will write it: by creating and
     * removing a temporary file beside it. A directory is never created.
     *
     * @throws IOException naming {@code file} and why it cannot be written
     */
    public static void checkWritable(Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (Files.isDirectory(target)) {
            throw new IOException("cannot write " + file + ": it is a directory");
        }
        try {
            Files.delete(Files.createTempFile(dir, "." + target.getFileName(), ".tmp"));
        } catch (IOException e) {
            throw new IOException("cannot write " + file + ": " + reason(e, dir), e);
        }
    }

    /** What went wrong, in words: the state of the directory first, since the exception's message is only a path. */
    private static String reason(IOException e, Path dir) {
        if (!Files.exists(dir)) {
            return "no such directory " + dir;
        }
        if (!Files.isDirectory(dir)) {
            return dir + " is not a directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied in " + dir;
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "files cannot be created in " + dir;
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** Removes the temporary files of {@code target} that earlier writes, since killed, left behind. */
    private static void removeLeftovers(Path target) {
        Pattern ours = Pattern.compile("\\." + Pattern.quote(target.getFileName().toString()) + "-?[0-9]+\\.tmp");
        FileTime before = FileTime.from(Instant.now().minus(STALE_AFTER));
        try (DirectoryStream<Path> files = Files.newDirectoryStream(target.getParent(),
                p -> ours.matcher(p.getFileName().toString()).matches())) {
            for (Path p : files) {
                try {
                    if (!WRITING.contains(p) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                            && Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).compareTo(before) < 0) {
                        Files.deleteIfExists(p);
                    }
                } catch (IOException e) {
                    // A leftover that cannot be removed (gone already, or not ours to delete) does not stop the
                    // write: it is only untidy.
                }
            }
        } catch (IOException | java.nio.file.DirectoryIteratorException e) {
            // Likewise a directory that cannot be listed: the write itself does not need the listing.
        }
    }
}
