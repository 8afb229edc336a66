package dev.layerwise.io;

import dev.layerwise.tensor.Shapes;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes NumPy's {@code .npy} format (versions 1.0, 2.0 and 3.0): float32, float64, signed and unsigned
 * integers of 1 to 8 bytes and booleans, in either byte order, C order only.
 *
 * <p>Everything in the header is checked before the data is allocated: the magic string, the version, the header
 * length, the type, the order and the shape, and that the stream can hold the data the shape promises. A file that
 * fails any check gets a {@link FileFormatException} that names the file and the field.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** NumPy itself refuses headers above 10,000 bytes unless told otherwise; we allow some more. */
    static final int MAX_HEADER = 65_536;

    private Npy() {
    }

    /** Reads one array from a file. */
    public static NpyArray read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(new java.io.BufferedInputStream(in), Files.size(file), file.toString());
        }
    }

    /**
     * Reads one array from {@code in}, which holds at most {@code available} bytes (or -1 when unknown: the data is
     * then read in bounded chunks, so a lying header cannot make us allocate more than the stream really holds, plus
     * one chunk). {@code source} names the stream in error messages.
     */
    public static NpyArray read(InputStream in, long available, String source) throws IOException {
        return read(in, available, Long.MAX_VALUE, source);
    }

    /**
     * Bytes of memory reading an array of {@code count} elements of {@code itemSize} bytes takes: the data as read,
     * and the values widened to 64 bits.
     */
    static long memory(long count, int itemSize) {
        return count * itemSize + count * Long.BYTES;
    }

    /**
     * As {@link #read(InputStream, long, String)}, refusing an array whose reading would take more than
     * {@code maxMemory} bytes (see {@link #memory}) before any of it is allocated.
     */
    static NpyArray read(InputStream in, long available, long maxMemory, String source) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] magic = new byte[MAGIC.length];
        readFully(data, magic, source, "magic string");
        for (int i = 0; i < MAGIC.length; i++) {
            if (magic[i] != MAGIC[i]) {
                throw new FileFormatException(source + ": not a .npy file (no \\x93NUMPY magic string)");
            }
        }
        int major = readByte(data, source, "version");
        int minor = readByte(data, source, "version");
        long headerLength;
        int prefix;
        if (major == 1 && minor == 0) {
            headerLength = readLittleEndian(data, 2, source);
            prefix = 10;
        } else if ((major == 2 || major == 3) && minor == 0) {
            headerLength = readLittleEndian(data, 4, source);
            prefix = 12;
        } else {
            throw new FileFormatException(source + ": unsupported .npy version " + major + "." + minor
                    + " (expected 1.0, 2.0 or 3.0)");
        }
        if (headerLength > MAX_HEADER) {
            throw new FileFormatException(source + ": .npy header of " + headerLength + " bytes (at most "
                    + MAX_HEADER + " allowed)");
        }
        if (available >= 0 && prefix + headerLength > available) {
            throw new FileFormatException(source + ": truncated .npy header (" + headerLength
                    + " bytes announced, " + Math.max(0, available - prefix) + " present)");
        }
        byte[] headerBytes = new byte[(int) headerLength];
        readFully(data, headerBytes, source, "header");
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Header h = Header.parse(header, source);
        long dataBytes = (long) Shapes.size(h.shape) * h.type.itemSize;
        if (available >= 0 && prefix + headerLength + dataBytes > available) {
            throw new FileFormatException(source + ": truncated .npy data (shape " + Shapes.toString(h.shape)
                    + " of " + h.descr + " needs " + dataBytes + " bytes, "
                    + Math.max(0, available - prefix - headerLength) + " present)");
        }
        long count = Shapes.size(h.shape);
        if (memory(count, h.type.itemSize) > maxMemory) {
            throw new FileFormatException(source + ": shape " + Shapes.toString(h.shape) + " of " + h.descr
                    + " would take " + memory(count, h.type.itemSize) + " bytes of memory to read, more than the "
                    + maxMemory + " bytes allowed for an archive of its size");
        }
        return h.type.read(data, h, dataBytes, source);
    }

    /** Reads an array from a byte array holding a whole {@code .npy} file. */
    public static NpyArray read(byte[] bytes, String source) throws IOException {
        return read(new java.io.ByteArrayInputStream(bytes), bytes.length, source);
    }

    /** Writes {@code array} as a version 1.0 {@code .npy} file, little-endian, to {@code out}. */
    public static void write(NpyArray array, OutputStream out) throws IOException {
        Type type = Type.forWriting(array);
        StringBuilder shape = new StringBuilder("(");
        int[] dims = array.shape();
        for (int i = 0; i < dims.length; i++) {
            shape.append(dims[i]).append(dims.length == 1 ? "," : i + 1 < dims.length ? ", " : "");
        }
        shape.append(')');
        String dict = "{'descr': '" + type.descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = 10 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        if (header.length() > 0xFFFF) {
            throw new IllegalArgumentException("shape " + shape + " makes a .npy header too long for version 1.0");
        }
        ByteArrayOutputStream prefix = new ByteArrayOutputStream();
        prefix.write(MAGIC);
        prefix.write(1);
        prefix.write(0);
        prefix.write(header.length() & 0xFF);
        prefix.write(header.length() >>> 8);
        prefix.write(header.getBytes(StandardCharsets.ISO_8859_1));
        out.write(prefix.toByteArray());
        type.write(array, out);
    }

    /** Writes {@code array} to a byte array in {@code .npy} format. */
    public static byte[] toBytes(NpyArray array) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            write(array, bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    private static void readFully(DataInputStream in, byte[] b, String source, String what) throws IOException {
        try {
            in.readFully(b);
        } catch (EOFException e) {
            throw new FileFormatException(source + ": truncated .npy file (in the " + what + ")");
        }
    }

    private static int readByte(DataInputStream in, String source, String what) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new FileFormatException(source + ": truncated .npy file (in the " + what + ")");
        }
        return b;
    }

    private static long readLittleEndian(DataInputStream in, int bytes, String source) throws IOException {
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            v |= (long) readByte(in, source, "header length") << (8 * i);
        }
        return v;
    }

    /** The parsed header dictionary. */
    static final class Header {
        final String descr;
        final Type type;
        final ByteOrder order;
        final int[] shape;

        private Header(String descr, Type type, ByteOrder order, int[] shape) {
            this.descr = descr;
            this.type = type;
            this.order = order;
            this.shape = shape;
        }

        /**
         * Parses NumPy's header, a Python dict literal such as
         * {@code {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }}, with exactly the three keys.
         */
        static Header parse(String text, String source) throws FileFormatException {
            DictParser p = new DictParser(text, source);
            String descr = null;
            Boolean fortran = null;
            int[] shape = null;
            p.expect('{');
            while (!p.peek('}')) {
                String key = p.string();
                p.expect(':');
                switch (key) {
                    case "descr":
                        if (p.peek('[')) {
                            throw new FileFormatException(source + ": structured arrays are not supported "
                                    + "(field 'descr' is a list)");
                        }
                        descr = p.string();
                        break;
                    case "fortran_order":
                        fortran = p.bool();
                        break;
                    case "shape":
                        shape = p.tuple();
                        break;
                    default:
                        throw new FileFormatException(source + ": unexpected key '" + key + "' in the .npy header");
                }
                if (!p.peek('}')) {
                    p.expect(',');
                }
            }
            p.expect('}');
            p.end();
            if (descr == null || fortran == null || shape == null) {
                throw new FileFormatException(source + ": .npy header lacks "
                        + (descr == null ? "'descr'" : fortran == null ? "'fortran_order'" : "'shape'"));
            }
            if (fortran && shape.length > 1) {
                throw new FileFormatException(source + ": Fortran-order arrays are not supported "
                        + "(save with numpy.ascontiguousarray)");
            }
            if (descr.length() < 2) {
                throw new FileFormatException(source + ": unsupported dtype '" + descr + "'");
            }
            char endian = descr.charAt(0);
            ByteOrder order;
            if (endian == '<' || endian == '|' || endian == '=') {
                order = ByteOrder.LITTLE_ENDIAN;
            } else if (endian == '>') {
                order = ByteOrder.BIG_ENDIAN;
            } else {
                throw new FileFormatException(source + ": unsupported dtype '" + descr + "'");
            }
            Type type = Type.forDescr(descr.substring(1), source, descr);
            try {
                Shapes.size(shape);
            } catch (IllegalArgumentException e) {
                throw new FileFormatException(source + ": shape " + Shapes.toString(shape) + " is too large");
            }
            return new Header(descr, type, order, shape);
        }
    }

    /** The element types, with how to read and write them. */
    enum Type {
        F4(4, NpyArray.Kind.FLOAT32, "<f4"), F8(8, NpyArray.Kind.FLOAT64, "<f8"),
        I1(1, NpyArray.Kind.INT, "|i1"), I2(2, NpyArray.Kind.INT, "<i2"), I4(4, NpyArray.Kind.INT, "<i4"),
        I8(8, NpyArray.Kind.INT, "<i8"), U1(1, NpyArray.Kind.INT, "|u1"), U2(2, NpyArray.Kind.INT, "<u2"),
        U4(4, NpyArray.Kind.INT, "<u4"), U8(8, NpyArray.Kind.INT, "<u8"), B1(1, NpyArray.Kind.BOOL, "|b1");

        /** Elements decoded per chunk when the stream length is unknown. */
        private static final int CHUNK_BYTES = 1 << 20;

        final int itemSize;
        final NpyArray.Kind kind;
        final String descr;

        Type(int itemSize, NpyArray.Kind kind, String descr) {
            this.itemSize = itemSize;
            this.kind = kind;
            this.descr = descr;
        }

        static Type forDescr(String code, String source, String descr) throws FileFormatException {
            switch (code) {
                case "f4": return F4;
                case "f8": return F8;
                case "i1": return I1;
                case "i2": return I2;
                case "i4": return I4;
                case "i8": return I8;
                case "u1": return U1;
                case "u2": return U2;
                case "u4": return U4;
                case "u8": return U8;
                case "b1": case "?": return B1;
                case "O":
                    throw new FileFormatException(source + ": object arrays are not supported (dtype '" + descr
                            + "'): they hold pickled Python objects");
                default:
                    throw new FileFormatException(source + ": unsupported dtype '" + descr
                            + "' (supported: float32, float64, integers, bool)");
            }
        }

        static Type forWriting(NpyArray a) {
            switch (a.kind()) {
                case FLOAT32: return F4;
                case FLOAT64: return F8;
                case BOOL: return B1;
                default: return I8;
            }
        }

        NpyArray read(DataInputStream in, Header h, long dataBytes, String source) throws IOException {
            int n = (int) (dataBytes / itemSize);
            // Read in chunks, so that a header promising more than the stream holds fails at the end of the stream,
            // having allocated no more than what was really there (plus one chunk).
            List<byte[]> chunks = new ArrayList<>();
            long remaining = dataBytes;
            while (remaining > 0) {
                byte[] chunk = new byte[(int) Math.min(CHUNK_BYTES, remaining)];
                try {
                    in.readFully(chunk);
                } catch (EOFException e) {
                    throw new FileFormatException(source + ": truncated .npy data (shape "
                            + Shapes.toString(h.shape) + " of " + h.descr + " needs " + dataBytes + " bytes)");
                }
                chunks.add(chunk);
                remaining -= chunk.length;
            }
            double[] floating = kind == NpyArray.Kind.FLOAT32 || kind == NpyArray.Kind.FLOAT64 ? new double[n] : null;
            long[] integral = floating == null ? new long[n] : null;
            int i = 0;
            for (byte[] chunk : chunks) {
                ByteBuffer buf = ByteBuffer.wrap(chunk).order(h.order);
                while (buf.remaining() >= itemSize) {
                    switch (this) {
                        case F4: floating[i] = buf.getFloat(); break;
                        case F8: floating[i] = buf.getDouble(); break;
                        case I1: integral[i] = buf.get(); break;
                        case I2: integral[i] = buf.getShort(); break;
                        case I4: integral[i] = buf.getInt(); break;
                        case I8: integral[i] = buf.getLong(); break;
                        case U1: integral[i] = buf.get() & 0xFF; break;
                        case U2: integral[i] = buf.getShort() & 0xFFFF; break;
                        case U4: integral[i] = buf.getInt() & 0xFFFFFFFFL; break;
                        case U8:
                            integral[i] = buf.getLong();
                            if (integral[i] < 0) {
                                throw new FileFormatException(source + ": uint64 element " + i
                                        + " does not fit in a signed 64-bit integer");
                            }
                            break;
                        case B1:
                            int b = buf.get();
                            if (b != 0 && b != 1) {
                                throw new FileFormatException(source + ": bool element " + i + " is " + b);
                            }
                            integral[i] = b;
                            break;
                        default: throw new IllegalStateException();
                    }
                    i++;
                }
            }
            return floating != null
                    ? NpyArray.ofFloating(kind, h.descr, h.shape, floating)
                    : NpyArray.ofIntegral(kind, h.descr, h.shape, integral);
        }

        void write(NpyArray a, OutputStream out) throws IOException {
            int n = a.size();
            ByteBuffer buf = ByteBuffer.allocate(Math.min(CHUNK_BYTES, Math.max(itemSize, n * itemSize)))
                    .order(ByteOrder.LITTLE_ENDIAN);
            double[] floating = a.isFloating() ? a.toDoubleArray() : null;
            long[] integral = floating == null ? a.toLongArray() : null;
            for (int i = 0; i < n; i++) {
                if (buf.remaining() < itemSize) {
                    out.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                switch (this) {
                    case F4: buf.putFloat((float) floating[i]); break;
                    case F8: buf.putDouble(floating[i]); break;
                    case B1: buf.put((byte) (integral[i] != 0 ? 1 : 0)); break;
                    default: buf.putLong(integral[i]); break;
                }
            }
            out.write(buf.array(), 0, buf.position());
        }
    }

    /** A scanner for the small Python-literal subset of the header. */
    private static final class DictParser {
        private final String s;
        private final String source;
        private int pos;

        DictParser(String s, String source) {
            this.s = s;
            this.source = source;
        }

        private void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        boolean peek(char c) {
            skipSpace();
            return pos < s.length() && s.charAt(pos) == c;
        }

        void expect(char c) throws FileFormatException {
            if (!peek(c)) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        void end() throws FileFormatException {
            skipSpace();
            if (pos != s.length()) {
                throw error("unexpected text after the dictionary");
            }
        }

        String string() throws FileFormatException {
            skipSpace();
            if (pos >= s.length() || (s.charAt(pos) != '\'' && s.charAt(pos) != '"')) {
                throw error("expected a quoted string");
            }
            char quote = s.charAt(pos++);
            int start = pos;
            while (pos < s.length() && s.charAt(pos) != quote) {
                pos++;
            }
            if (pos >= s.length()) {
                throw error("unterminated string");
            }
            return s.substring(start, pos++);
        }

        boolean bool() throws FileFormatException {
            skipSpace();
            if (s.startsWith("True", pos)) {
                pos += 4;
                return true;
            }
            if (s.startsWith("False", pos)) {
                pos += 5;
                return false;
            }
            throw error("expected True or False");
        }

        int[] tuple() throws FileFormatException {
            expect('(');
            List<Integer> dims = new ArrayList<>();
            while (!peek(')')) {
                skipSpace();
                int start = pos;
                while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                    pos++;
                }
                if (start == pos || pos - start > 10) {
                    throw error("expected a dimension");
                }
                long v = Long.parseLong(s.substring(start, pos));
                if (v > Integer.MAX_VALUE) {
                    throw error("dimension " + v + " is too large");
                }
                dims.add((int) v);
                if (peek('L')) {
                    pos++;
                }
                if (!peek(')')) {
                    expect(',');
                }
            }
            expect(')');
            return dims.stream().mapToInt(Integer::intValue).toArray();
        }

        private FileFormatException error(String what) {
            return new FileFormatException(source + ": malformed .npy header at character " + pos + ": " + what);
        }
    }
}
