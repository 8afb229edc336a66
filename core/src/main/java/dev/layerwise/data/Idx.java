package dev.layerwise.data;

import dev.layerwise.io.FileFormatException;
import dev.layerwise.tensor.Shapes;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** Reads an IDX file; gzip is recognised by its magic bytes, whatever the file name. */
    public static Array read(Path file) throws IOException {
        byte[] bytes = readAll(file);
        if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0x1F && (bytes[1] & 0xFF) == 0x8B) {
            bytes = gunzip(bytes, file);
        }
        return parse(bytes, file.toString());
    }

    /** Parses the bytes of an uncompressed IDX file; {@code source} names it in errors. */
    public static Array parse(byte[] bytes, String source) throws FileFormatException {
        if (bytes.length < 4) {
            throw new FileFormatException(source + ": not an IDX file (" + bytes.length + " bytes, too short for the "
                    + "magic number)");
        }
        if (bytes[0] != 0 || bytes[1] != 0) {
            throw new FileFormatException(source + ": not an IDX file (magic number starts "
                    + String.format("0x%02X 0x%02X", bytes[0] & 0xFF, bytes[1] & 0xFF) + ", expected 0x00 0x00)");
        }
        int type = bytes[2] & 0xFF;
        if (type != UNSIGNED_BYTE) {
            throw new FileFormatException(source + ": IDX element type " + String.format("0x%02X", type)
                    + " is not supported (MNIST files hold unsigned bytes, 0x08)");
        }
        int rank = bytes[3] & 0xFF;
        if (rank < 1 || rank > MAX_RANK) {
            throw new FileFormatException(source + ": IDX rank " + rank + " (expected 1 to " + MAX_RANK + ")");
        }
        int headerSize = 4 + 4 * rank;
        if (bytes.length < headerSize) {
            throw new FileFormatException(source + ": truncated IDX header (" + rank + " dimensions need "
                    + headerSize + " bytes, file has " + bytes.length + ")");
        }
        int[] dims = new int[rank];
        long expected = 1;
        for (int i = 0; i < rank; i++) {
            int at = 4 + 4 * i;
            dims[i] = ((bytes[at] & 0xFF) << 24) | ((bytes[at + 1] & 0xFF) << 16) | ((bytes[at + 2] & 0xFF) << 8)
                    | (bytes[at + 3] & 0xFF);
            if (dims[i] < 0) {
                throw new FileFormatException(source + ": IDX dimension " + i + " is negative (" + dims[i] + ")");
            }
            expected *= dims[i];
            if (expected > Integer.MAX_VALUE) {
                throw new FileFormatException(source + ": IDX dimensions " + Shapes.toString(dims)
                        + " are too large");
            }
        }
        long actual = bytes.length - headerSize;
        if (actual < expected) {
            throw new FileFormatException(source + ": truncated IDX file: dimensions " + Shapes.toString(dims)
                    + " need " + expected + " bytes of data, found " + actual);
        }
        if (actual > expected) {
            throw new FileFormatException(source + ": IDX file has " + (actual - expected)
                    + " bytes after the data its dimensions " + Shapes.toString(dims) + " describe");
        }
        byte[] data = new byte[(int) expected];
        System.arraycopy(bytes, headerSize, data, 0, data.length);
        return new Array(dims, data);
    }

    /**
     * The bytes of {@code file}, read a megabyte at a time: {@link Files#readAllBytes} reads through a native buffer
     * as large as the file, which costs as much as the read at MNIST's 47 MB.
     */
    private static byte[] readAll(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE - 8) {
                throw new FileFormatException(file + ": " + size + " bytes is too large for an IDX file");
            }
            byte[] bytes = new byte[(int) size];
            int n = 0;
            while (n < bytes.length) {
                int r = in.read(bytes, n, Math.min(READ_CHUNK, bytes.length - n));
                if (r < 0) {
                    break;
                }
                n += r;
            }
            if (n < bytes.length || in.read() >= 0) {
                throw new IOException(file + " changed while it was read");
            }
            return bytes;
        }
    }

    private static byte[] gunzip(byte[] compressed, Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(compressed), 1 << 16)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(compressed.length * 4);
            in.transferTo(out);
            return out.toByteArray();
        } catch (EOFException e) {
            throw new FileFormatException(file + ": truncated gzip stream", e);
        } catch (ZipException e) {
            throw new FileFormatException(file + ": corrupt gzip stream: " + e.getMessage(), e);
        }
    }
}
