package dev.layerwise.model;

import dev.layerwise.io.AtomicFiles;
import dev.layerwise.io.FileFormatException;
import dev.layerwise.io.Json;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Layerwise model file ({@code .lw}), version 1: a JSON header describing named little-endian arrays, followed by
 * the arrays and a SHA-256 of everything before it. The layout is documented in {@code docs/model-format.md}, with a
 * reader of a dozen lines of Python.
 *
 * <pre>
 *   0  8 bytes   magic  0x89 'L' 'W' 'M' 0x0D 0x0A 0x1A 0x0A
 *   8  uint32    format version (1)
 *  12  uint32    header length H
 *  16  H bytes   header, UTF-8 JSON
 *   D  …         data: each array at D + its offset, 64-byte aligned; D = 16 + H rounded up to 64
 * end−32         SHA-256 of bytes [0, end − 32)
 * </pre>
 *
 * <p>Reading is data only: no Java serialisation and no class named by the file is ever loaded. Before anything is
 * allocated the reader checks the magic number, the version, the header length against the file size and the checksum
 * over the whole file; then every array's dtype, shape, offset and length against the data section. Any failure is a
 * {@link FileFormatException} naming the file and what was wrong.
 */
public final class ModelFile {
    /** The format version this code writes and reads. */
    public static final int VERSION = 1;
    static final byte[] MAGIC = {(byte) 0x89, 'L', 'W', 'M', 0x0D, 0x0A, 0x1A, 0x0A};
    /** Largest header accepted. */
    static final int MAX_HEADER = 16 << 20;
    /** Most arrays a file may list: far more than any network's parameters and training state need. */
    public static final int MAX_ENTRIES = 65_536;
    /** Most dimensions an array may have. */
    public static final int MAX_RANK = 32;
    private static final int ALIGN = 64;
    private static final int DIGEST = 32;

    private ModelFile() {
    }

    /** A named array in the file: float32, float64, int32 or int64 values. */
    public record Entry(String name, String dtype, int[] shape, Object data) {
        public Entry {
            shape = shape.clone();
            int n = Shapes.size(shape);
            int length = data instanceof float[] ? ((float[]) data).length : data instanceof double[]
                    ? ((double[]) data).length : data instanceof int[] ? ((int[]) data).length
                    : data instanceof long[] ? ((long[]) data).length : -1;
            if (length != n) {
                throw new IllegalArgumentException("array " + name + " of shape " + Shapes.toString(shape)
                        + " holds " + length + " values");
            }
        }

        /** A float32 or float64 entry holding a copy of {@code t}. */
        public static Entry of(String name, Tensor t) {
            return t.dtype() == DType.FLOAT32
                    ? new Entry(name, "float32", t.shape(), t.toFloatArray())
                    : new Entry(name, "float64", t.shape(), t.toDoubleArray());
        }

        /** The values as a tensor of their float dtype. */
        public Tensor toTensor() {
            if (data instanceof float[]) {
                return Tensor.wrap((float[]) data, shape);
            }
            if (data instanceof double[]) {
                return Tensor.wrap((double[]) data, shape);
            }
            throw new IllegalStateException(name + " is an integer array");
        }

        int itemSize() {
            return itemSize(dtype);
        }

        static int itemSize(String dtype) {
            switch (dtype) {
                case "float32": case "int32": return 4;
                case "float64": case "int64": return 8;
                default: return -1;
            }
        }
    }

    /** What a file holds: the JSON header fields other than the array table, and the arrays in order. */
    public record Contents(Map<String, Object> header, List<Entry> entries) {
        /** The entry called {@code name}, or null. */
        public Entry entry(String name) {
            for (Entry e : entries) {
                if (e.name().equals(name)) {
                    return e;
                }
            }
            return null;
        }
    }

    /**
     * Writes {@code header} (JSON-able values) and {@code entries} to {@code file} atomically: a temporary file in the
     * same directory, flushed to disk, then renamed over {@code file}. An interrupted write leaves the old file.
     */
    public static void write(Path file, Map<String, Object> header, List<Entry> entries) throws IOException {
        AtomicFiles.write(file, out -> write(out, header, entries));
    }

    /** Writes a model file to {@code out}. */
    public static void write(OutputStream out, Map<String, Object> header, List<Entry> entries) throws IOException {
        List<Object> table = new ArrayList<>();
        long offset = 0;
        for (Entry e : entries) {
            long bytes = (long) Shapes.size(e.shape()) * e.itemSize();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", e.name());
            row.put("dtype", e.dtype());
            List<Object> dims = new ArrayList<>();
            for (int d : e.shape()) {
                dims.add(d);
            }
            row.put("shape", dims);
            row.put("offset", offset);
            row.put("bytes", bytes);
            table.add(row);
            offset = align(offset + bytes);
        }
        Map<String, Object> full = new LinkedHashMap<>(header);
        full.put("arrays", table);
        byte[] json = Json.write(full).getBytes(StandardCharsets.UTF_8);
        MessageDigest sha = sha256();
        DataOutputStream data = new DataOutputStream(new DigestOutputStream(out, sha));
        data.write(MAGIC);
        writeInt(data, VERSION);
        writeInt(data, json.length);
        data.write(json);
        long position = 16L + json.length;
        position = pad(data, position);
        for (Entry e : entries) {
            position += writeArray(data, e);
            position = pad(data, position);
        }
        data.flush();
        out.write(sha.digest());
        out.flush();
    }

    /** Reads and fully validates a model file (see the class comment for what is checked). */
    public static Contents read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such model file");
        }
        String src = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 16 + DIGEST) {
                throw new FileFormatException(src + ": not a Layerwise model file (" + size + " bytes, too short)");
            }
            ByteBuffer head = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, head, 0, src);
            byte[] magic = new byte[8];
            head.get(0, magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new FileFormatException(src + ": not a Layerwise model file (bad magic number)");
            }
            long version = Integer.toUnsignedLong(head.getInt(8));
            if (version != VERSION) {
                throw new FileFormatException(src + ": model format version " + version + " is not supported "
                        + "(this Layerwise reads version " + VERSION + ")");
            }
            long headerLength = Integer.toUnsignedLong(head.getInt(12));
            if (headerLength > MAX_HEADER || 16 + headerLength + DIGEST > size) {
                throw new FileFormatException(src + ": header length " + headerLength + " does not fit a file of "
                        + size + " bytes (truncated or corrupt)");
            }
            verifyChecksum(ch, size, src);
            ByteBuffer hb = ByteBuffer.allocate((int) headerLength);
            readFully(ch, hb, 16, src);
            Object parsed = Json.parse(new String(hb.array(), StandardCharsets.UTF_8), src);
            if (!(parsed instanceof Map)) {
                throw new FileFormatException(src + ": the header is not a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> header = new LinkedHashMap<>((Map<String, Object>) parsed);
            long dataStart = align(16 + headerLength);
            long dataEnd = size - DIGEST;
            List<Entry> entries = readArrays(ch, header.remove("arrays"), dataStart, dataEnd, src);
            return new Contents(header, entries);
        }
    }

    /** Where one array lies, checked before anything of it is allocated. */
    private record Slot(String name, String dtype, int[] shape, long offset, long bytes) {
    }

    private static List<Entry> readArrays(FileChannel ch, Object table, long dataStart, long dataEnd, String src)
            throws IOException {
        List<Slot> slots = slots(table, dataEnd - dataStart, src);
        List<Entry> entries = new ArrayList<>(slots.size());
        for (Slot s : slots) {
            ByteBuffer buf = ByteBuffer.allocate((int) s.bytes).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, buf, dataStart + s.offset, src);
            buf.flip();
            int n = (int) (s.bytes / Entry.itemSize(s.dtype));
            Object data;
            switch (s.dtype) {
                case "float32": {
                    float[] f = new float[n];
                    buf.asFloatBuffer().get(f);
                    data = f;
                    break;
                }
                case "float64": {
                    double[] d = new double[n];
                    buf.asDoubleBuffer().get(d);
                    data = d;
                    break;
                }
                case "int32": {
                    int[] v = new int[n];
                    buf.asIntBuffer().get(v);
                    data = v;
                    break;
                }
                default: {
                    long[] v = new long[n];
                    buf.asLongBuffer().get(v);
                    data = v;
                    break;
                }
            }
            entries.add(new Entry(s.name, s.dtype, s.shape, data));
        }
        return entries;
    }

    /**
     * The array table, checked as a whole before any array is read: at most {@link #MAX_ENTRIES} entries, unique
     * names, known dtypes, shapes that fit a Java array, and arrays that lie inside the data section without
     * overlapping, so that what the reader allocates never exceeds what the file holds.
     */
    private static List<Slot> slots(Object table, long dataSize, String src) throws FileFormatException {
        if (!(table instanceof List)) {
            throw new FileFormatException(src + ": header field 'arrays' is missing or not a list");
        }
        List<?> rows = (List<?>) table;
        if (rows.size() > MAX_ENTRIES) {
            throw new FileFormatException(src + ": header field 'arrays' lists " + rows.size() + " arrays (at most "
                    + MAX_ENTRIES + " allowed)");
        }
        List<Slot> slots = new ArrayList<>(rows.size());
        Set<String> names = new HashSet<>();
        for (int index = 0; index < rows.size(); index++) {
            Object o = rows.get(index);
            String at = "arrays[" + index + "]";
            if (!(o instanceof Map)) {
                throw new FileFormatException(src + ": " + at + " is not an object");
            }
            Map<?, ?> row = (Map<?, ?>) o;
            String name = field(row, "name", String.class, at, src);
            at = at + " ('" + name + "')";
            String dtype = field(row, "dtype", String.class, at, src);
            int itemSize = Entry.itemSize(dtype);
            if (itemSize < 0) {
                throw new FileFormatException(src + ": array '" + name + "' has unsupported dtype '" + dtype + "'");
            }
            if (!names.add(name)) {
                throw new FileFormatException(src + ": array '" + name + "' appears twice");
            }
            List<?> dims = field(row, "shape", List.class, at, src);
            if (dims.size() > MAX_RANK) {
                throw new FileFormatException(src + ": array '" + name + "' has " + dims.size()
                        + " dimensions (at most " + MAX_RANK + ")");
            }
            int[] shape = new int[dims.size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                Object d = dims.get(i);
                if (!(d instanceof Long) || (Long) d < 0 || (Long) d > Integer.MAX_VALUE) {
                    throw new FileFormatException(src + ": array '" + name + "' has a bad dimension " + d);
                }
                shape[i] = (int) (long) (Long) d;
                count *= shape[i];
                if (count > Integer.MAX_VALUE) {
                    throw new FileFormatException(src + ": array '" + name + "' is too large: shape "
                            + Shapes.toString(shape));
                }
            }
            long offset = field(row, "offset", Long.class, at, src);
            long bytes = field(row, "bytes", Long.class, at, src);
            if (bytes != count * itemSize) {
                throw new FileFormatException(src + ": array '" + name + "' of shape " + Shapes.toString(shape) + " "
                        + dtype + " needs " + count * itemSize + " bytes, the header says " + bytes);
            }
            // Compared against what remains rather than summed, so that no offset, however large, can overflow.
            if (offset < 0 || offset % ALIGN != 0 || offset > dataSize || bytes > dataSize - offset) {
                throw new FileFormatException(src + ": array '" + name + "' at offset " + offset + " (" + bytes
                        + " bytes) lies outside the data section of " + dataSize + " bytes");
            }
            slots.add(new Slot(name, dtype, shape, offset, bytes));
        }
        List<Slot> byOffset = new ArrayList<>(slots);
        byOffset.sort(Comparator.comparingLong(Slot::offset).thenComparingLong(Slot::bytes));
        Slot previous = null;
        for (Slot s : byOffset) {
            if (s.bytes == 0) {
                continue;
            }
            if (previous != null && s.offset < previous.offset + previous.bytes) {
                throw new FileFormatException(src + ": array '" + s.name + "' at offset " + s.offset
                        + " overlaps array '" + previous.name + "' at offset " + previous.offset + " ("
                        + previous.bytes + " bytes)");
            }
            previous = s;
        }
        return slots;
    }

    @SuppressWarnings("unchecked")
    private static <T> T field(Map<?, ?> row, String key, Class<T> type, String at, String src)
            throws FileFormatException {
        Object v = row.get(key);
        if (!type.isInstance(v)) {
            throw new FileFormatException(src + ": " + at + " lacks a valid '" + key + "'");
        }
        return (T) v;
    }

    private static void verifyChecksum(FileChannel ch, long size, String src) throws IOException {
        MessageDigest sha = sha256();
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        long pos = 0;
        long end = size - DIGEST;
        while (pos < end) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), end - pos));
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new FileFormatException(src + ": truncated while reading");
            }
            buf.flip();
            sha.update(buf);
            pos += n;
        }
        ByteBuffer stored = ByteBuffer.allocate(DIGEST);
        readFully(ch, stored, end, src);
        if (!MessageDigest.isEqual(sha.digest(), stored.array())) {
            throw new FileFormatException(src + ": checksum mismatch: the file is corrupt or truncated");
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, String src) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new FileFormatException(src + ": truncated");
            }
            pos += n;
        }
    }

    private static long writeArray(DataOutputStream out, Entry e) throws IOException {
        int n = Shapes.size(e.shape());
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            if (buf.remaining() < 8) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            Object d = e.data();
            if (d instanceof float[]) {
                buf.putFloat(((float[]) d)[i]);
            } else if (d instanceof double[]) {
                buf.putDouble(((double[]) d)[i]);
            } else if (d instanceof int[]) {
                buf.putInt(((int[]) d)[i]);
            } else {
                buf.putLong(((long[]) d)[i]);
            }
        }
        out.write(buf.array(), 0, buf.position());
        return (long) n * e.itemSize();
    }

    private static long pad(OutputStream out, long position) throws IOException {
        long aligned = align(position);
        for (long p = position; p < aligned; p++) {
            out.write(0);
        }
        return aligned;
    }

    private static long align(long position) {
        return (position + ALIGN - 1) / ALIGN * ALIGN;
    }

    private static void writeInt(OutputStream out, int v) throws IOException {
        out.write(v & 0xFF);
        out.write((v >>> 8) & 0xFF);
        out.write((v >>> 16) & 0xFF);
        out.write((v >>> 24) & 0xFF);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
