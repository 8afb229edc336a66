package dev.layerwise.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Reads and writes NumPy's {@code .npz} archives: a zip of {@code .npy} files, one per named array, as written by
 * {@code numpy.savez(**arrays)} (stored) or {@code numpy.savez_compressed} (deflated).
 */
public final class Npz {
    private Npz() {
    }

    /** The arrays of an {@code .npz} file, by name (the entry name without {@code .npy}), in archive order. */
    public static Map<String, NpyArray> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such .npz file");
        }
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        long budget = memoryBudget(Files.size(file));
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory()) {
                    continue;
                }
                String name = e.getName();
                if (!name.endsWith(".npy")) {
                    throw new FileFormatException(file + ": entry '" + name + "' is not a .npy file");
                }
                String key = name.substring(0, name.length() - 4);
                try (InputStream in = new java.io.BufferedInputStream(zip.getInputStream(e))) {
                    NpyArray a = Npy.read(in, bound(e), budget, file + "[" + name + "]");
                    // What stays allocated: the values, widened to 64 bits.
                    budget -= (long) a.size() * Long.BYTES + ENTRY_OVERHEAD;
                    arrays.put(key, a);
                } catch (FileFormatException ffe) {
                    throw ffe;
                } catch (IOException ioe) {
                    throw new FileFormatException(file + "[" + name + "]: corrupt zip entry (" + ioe + ")", ioe);
                }
            }
        } catch (FileFormatException e) {
            throw e;
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            throw new FileFormatException(file + ": not a valid .npz (zip) file (" + e + ")", e);
        }
        return arrays;
    }

    /**
     * The memory, in bytes, that reading an archive of {@code fileSize} bytes may take, counting the values as they
     * are held (widened to 64 bits) rather than as stored: a little always, and beyond that no more than
     * {@link #MAX_EXPANSION} times the file, so that a small archive of highly compressed entries is refused before
     * it is expanded rather than filling the heap.
     */
    static long memoryBudget(long fileSize) {
        return Math.max(MIN_BUDGET, fileSize * MAX_EXPANSION);
    }

    /** Memory any archive may take whatever its size. */
    static final long MIN_BUDGET = 64L << 20;
    /** Memory an archive may take per byte of its size beyond {@link #MIN_BUDGET}: deflate's ratio, and a little. */
    static final long MAX_EXPANSION = 1100;
    /** What an entry costs beyond its values, so that a great many tiny entries use up the budget too. */
    private static final long ENTRY_OVERHEAD = 256;

    /**
     * The most bytes an entry may hold: its declared size, and never more than deflate could expand its compressed
     * bytes to (about 1032:1), so that a small file cannot make the reader allocate gigabytes.
     */
    static long bound(ZipEntry e) {
        long declared = e.getSize();
        long compressed = e.getCompressedSize();
        long byRatio = compressed < 0 ? Long.MAX_VALUE : compressed * 1100 + 4096;
        return declared < 0 ? byRatio : Math.min(declared, byRatio);
    }

    /** Writes the arrays as an {@code .npz} file (deflated entries), atomically: see {@link AtomicFiles}. */
    public static void write(Path file, Map<String, NpyArray> arrays) throws IOException {
        AtomicFiles.write(file, out -> write(out, arrays));
    }

    /** Writes the arrays as an {@code .npz} archive to {@code out} (not closed). */
    public static void write(OutputStream out, Map<String, NpyArray> arrays) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(out));
        for (Map.Entry<String, NpyArray> e : arrays.entrySet()) {
            ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
            entry.setTime(0);
            zip.putNextEntry(entry);
            Npy.write(e.getValue(), zip);
            zip.closeEntry();
        }
        zip.finish();
        zip.flush();
    }
}
