package dev.layerwise.data;

import dev.layerwise.io.FileFormatException;
import dev.layerwise.tensor.Shapes;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX files MNIST ships in (raw, or gzip-compressed as the mirrors serve them): a magic number
 * {@code 0x00 0x00 type rank}, the dimensions as big-endian 32-bit integers, then the data.
 *
 * <p>Only unsigned bytes (type {@code 0x08}, MNIST's) are read. The magic number, the rank and the dimensions are
 * checked, and the data must be exactly as long as the dimensions say: a truncated, padded or foreign file gets a
 * {@link FileFormatException} naming the file and what was wrong.
 */
public final class Idx {
    private static final int UNSIGNED_BYTE = 0x08;
    private static final int MAX_RANK = 8;
    private static final int GZIP_BUFFER = 1 << 16;
    /** Deflate expands a byte to at most about 1032; no gzip file can hold more data than this many times its size. */
    private static final long MAX_GZIP_RATIO = 1100;
    /**
     * Bytes asked of the stream at a time: a file's stream reads through a native buffer as large as the request, which
     * for MNIST's 47 MB in one request costs as much as the read.
     */
    private static final int READ_CHUNK = 1 << 20;

    private Idx() {
    }

    /** An IDX array of unsigned bytes: its dimensions and data (row-major). */
    public record Array(int[] dims, byte[] data) {
        /** Element {@code i} as an int in [0, 255]. */
        public int get(int i) {
            return data[i] & 0xFF;
        }
    }

    /**
     * Reads an IDX file; gzip is recognised by its magic bytes, whatever the file name. A raw file's size is checked
     * against its dimensions before the data is read, a compressed one's as it is read.
     */
    public static Array read(Path file) throws IOException {
        try (PushbackInputStream raw = new PushbackInputStream(Files.newInputStream(file), 2);
             InputStream in = isGzip(raw) ? new GZIPInputStream(raw, GZIP_BUFFER) : raw) {
            long size = in == raw ? Files.size(file) : -1;
            int[] dims = readHeader(in, file, size);
            int length = dataLength(dims, file);
            if (size >= 0) {
                checkDataSize(size - headerSize(dims.length), length, dims, file);
            } else if (length > MAX_GZIP_RATIO * Files.size(file) + READ_CHUNK) {
                throw new FileFormatException(file + ": IDX dimensions " + Shapes.toString(dims) + " need " + length
                        + " bytes of data, more than a gzip file of " + Files.size(file) + " bytes can hold");
            }
            // A compressed file's size says little about its data: the array grows as data arrives, so that a
            // header promising more than the stream holds fails at its end having allocated about what was there.
            byte[] data = new byte[size >= 0 ? length : Math.min(length, READ_CHUNK)];
            int done = 0;
            while (done < length) {
                if (done == data.length) {
                    data = Arrays.copyOf(data, (int) Math.min(length, 2L * data.length));
                }
                int r = in.read(data, done, Math.min(READ_CHUNK, data.length - done));
                if (r < 0) {
                    throw truncated(done, length, dims, file);
                }
                done += r;
            }
            checkDataSize(length + in.transferTo(OutputStream.nullOutputStream()), length, dims, file);
            return new Array(dims, data);
        } catch (EOFException | ZipException e) {
            throw gzipFailure(file, e);
        }
    }

    /** Whether the stream starts with gzip's magic bytes (left unread). */
    private static boolean isGzip(PushbackInputStream in) throws IOException {
        byte[] start = in.readNBytes(2);
        in.unread(start);
        return start.length == 2 && (start[0] & 0xFF) == 0x1F && (start[1] & 0xFF) == 0x8B;
    }

    private static int headerSize(int rank) {
        return 4 + 4 * rank;
    }

    /** Reads and checks the magic number and the dimensions; {@code size} is the file's, or -1 when not known. */
    private static int[] readHeader(InputStream in, Path file, long size) throws IOException {
        byte[] magic = in.readNBytes(4);
        if (magic.length < 4) {
            throw new FileFormatException(file + ": not an IDX file (" + magic.length + " bytes, too short for the "
                    + "magic number)");
        }
        if (magic[0] != 0 || magic[1] != 0) {
            throw new FileFormatException(file + ": not an IDX file (magic number starts "
                    + String.format("0x%02X 0x%02X", magic[0] & 0xFF, magic[1] & 0xFF) + ", expected 0x00 0x00)");
        }
        int type = magic[2] & 0xFF;
        if (type != UNSIGNED_BYTE) {
            throw new FileFormatException(file + ": IDX element type " + String.format("0x%02X", type)
                    + " is not supported (MNIST files hold unsigned bytes, 0x08)");
        }
        int rank = magic[3] & 0xFF;
        if (rank < 1 || rank > MAX_RANK) {
            throw new FileFormatException(file + ": IDX rank " + rank + " (expected 1 to " + MAX_RANK + ")");
        }
        byte[] b = in.readNBytes(4 * rank);
        if (b.length < 4 * rank) {
            throw new FileFormatException(file + ": truncated IDX header (" + rank + " dimensions need "
                    + headerSize(rank) + " bytes, file has " + (size >= 0 ? size : 4 + b.length) + ")");
        }
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            int at = 4 * i;
            dims[i] = ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8)
                    | (b[at + 3] & 0xFF);
            if (dims[i] < 0) {
                throw new FileFormatException(file + ": IDX dimension " + i + " is negative (" + dims[i] + ")");
            }
        }
        return dims;
    }

    /** The product of the dimensions, which must fit a Java array. */
    private static int dataLength(int[] dims, Path file) throws FileFormatException {
        long n = 1;
        for (int d : dims) {
            n *= d;
            if (n > Integer.MAX_VALUE - 8) {
                throw new FileFormatException(file + ": IDX dimensions " + Shapes.toString(dims) + " are too large");
            }
        }
        return (int) n;
    }

    /** Fails unless {@code actual}, the data bytes found, is what the dimensions say. */
    private static void checkDataSize(long actual, int expected, int[] dims, Path file) throws FileFormatException {
        if (actual < expected) {
            throw truncated(actual, expected, dims, file);
        }
        if (actual > expected) {
            throw new FileFormatException(file + ": IDX file has " + (actual - expected)
                    + " bytes after the data its dimensions " + Shapes.toString(dims) + " describe");
        }
    }

    private static FileFormatException truncated(long actual, int expected, int[] dims, Path file) {
        return new FileFormatException(file + ": truncated IDX file: dimensions " + Shapes.toString(dims) + " need "
                + expected + " bytes of data, found " + actual);
    }

    /** What a gzip stream's {@link EOFException} or {@link ZipException} means for the file. */
    private static FileFormatException gzipFailure(Path file, IOException e) {
        return e instanceof EOFException
                ? new FileFormatException(file + ": truncated gzip stream", e)
                : new FileFormatException(file + ": corrupt gzip stream: " + e.getMessage(), e);
    }
}
