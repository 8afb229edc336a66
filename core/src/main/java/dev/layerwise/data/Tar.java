package dev.layerwise.data;

import dev.layerwise.io.FileFormatException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** Just enough of the (ustar) tar format to take a few named files out of a gzip-compressed tarball. */
final class Tar {
    private static final int BLOCK = 512;

    private Tar() {
    }

    /**
     * Reads the {@code .tgz} file and puts the content of each regular file whose name is a key of {@code wanted}
     * into that entry. Files larger than {@code maxEntry} bytes are refused.
     */
    static void extract(Path tgz, Map<String, byte[]> wanted, long maxEntry) throws IOException {
        try (InputStream raw = Files.newInputStream(tgz);
             DataInputStream in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(raw, 1 << 16)))) {
            byte[] header = new byte[BLOCK];
            while (true) {
                try {
                    in.readFully(header);
                } catch (EOFException e) {
                    return;
                }
                if (isZero(header)) {
                    return;
                }
                String name = field(header, 0, 100);
                String prefix = field(header, 345, 155);
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
                long size = octal(header, 124, 12, tgz);
                char type = (char) header[156];
                long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
                if ((type == '0' || type == '\0') && wanted.containsKey(name)) {
                    if (size > maxEntry) {
                        throw new FileFormatException(tgz + ": entry " + name + " is " + size + " bytes");
                    }
                    byte[] content = new byte[(int) size];
                    in.readFully(content);
                    in.skipNBytes(padded - size);
                    wanted.put(name, content);
                } else {
                    in.skipNBytes(padded);
                }
            }
        } catch (EOFException e) {
            throw new FileFormatException(tgz + ": truncated tarball", e);
        }
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String field(byte[] h, int from, int length) {
        int end = from;
        while (end < from + length && h[end] != 0) {
            end++;
        }
        return new String(h, from, end - from, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] h, int from, int length, Path tgz) throws FileFormatException {
        String s = field(h, from, length).trim();
        try {
            return s.isEmpty() ? 0 : Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw new FileFormatException(tgz + ": bad size field '" + s + "' in a tar header");
        }
    }
}
