package dev.layerwise.data;

import dev.layerwise.io.FileFormatException;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Reads image files (PNG, JPEG, GIF, BMP: what the JDK's ImageIO reads) into unsigned bytes, grey or RGB, resized
 * bilinearly to a given size: the examples of an image-folder data set and the inputs of {@code predict}. An image
 * held in memory (the body of a request to {@code serve}) is read the same way, as a {@link Source}.
 *
 * <p>A file is never trusted before it is decoded: its width and height are read from its header first (ImageIO's
 * readers give them without decoding), and an image wider or taller than {@link #MAX_SIDE} or with more than
 * {@link #MAX_PIXELS} pixels is refused, naming the file, before any pixel memory is allocated. An image much larger
 * than the size it is wanted at is decoded subsampled (every s-th row and column, s chosen so that the decoded image
 * is still at least twice the wanted size), so that a photo becoming a 32×32 example costs little memory. A truncated
 * or corrupt file gives one {@link FileFormatException} naming the file (or what a {@link Source} is called) and what
 * is wrong.
 *
 * <p>Colour: grey is the luminance {@code (299 R + 587 G + 114 B) / 1000}, rounded (ITU-R 601, as Pillow's
 * {@code convert("L")}); a grey image gives its stored grey values unchanged; alpha is ignored (as Pillow's
 * {@code convert("RGB")}, which torchvision's {@code ImageFolder} uses). Values are 0–255.
 *
 * <pre>{@code
 * byte[] chw = ImageDecoder.read(Path.of("cat.jpg"), 3, 32, 32);   // (3, 32, 32): R plane, G plane, B plane
 * ImageDecoder.Header h = ImageDecoder.header(Path.of("cat.jpg")); // width, height, grey or not: no decoding
 * }</pre>
 */
public final class ImageDecoder {
    /** The widest or tallest image read, in pixels. */
    public static final int MAX_SIDE = 16384;
    /** The most pixels an image may have (2^26, 64 Mpx: 256 MB as 32-bit pixels). */
    public static final long MAX_PIXELS = 1L << 26;
    /** File name endings read as images, lower case. */
    public static final List<String> EXTENSIONS = List.of("png", "jpg", "jpeg", "gif", "bmp");

    /** Files up to this size are read into memory before decoding. */
    private static final long IN_MEMORY_BYTES = 1 << 22;

    static {
        // ImageIO would otherwise buffer streams in temporary files; every read here is from a file it can seek in.
        ImageIO.setUseCache(false);
    }

    private ImageDecoder() {
    }

    /**
     * An image to read: a file, or bytes in memory, with the name messages call it by.
     *
     * <pre>{@code
     * ImageDecoder.Source.of(Path.of("digit.png"));                 // messages begin "digit.png: "
     * ImageDecoder.Source.of(body, "the request body");             // messages begin "the request body: "
     * }</pre>
     */
    public static final class Source {
        private final String name;
        private final String noun;
        private final Path file;
        private final byte[] bytes;

        private Source(String name, String noun, Path file, byte[] bytes) {
            this.name = name;
            this.noun = noun;
            this.file = file;
            this.bytes = bytes;
        }

        /** The image file {@code file}. */
        public static Source of(Path file) {
            return new Source(file.toString(), "the file", file, null);
        }

        /** The image in {@code bytes} (not copied: they must not change while read), called {@code name}. */
        public static Source of(byte[] bytes, String name) {
            return new Source(name, "it", null, bytes);
        }

        /** What messages call it: the file's path, or the name given. */
        public String name() {
            return name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * What a file's header says, read without decoding its pixels.
     *
     * @param format the format's name (png, jpeg, gif, bmp)
     * @param grey   whether the image has one colour channel (a grey image, possibly with alpha)
     */
    public record Header(int width, int height, String format, boolean grey) {
    }

    /** Whether {@code file}'s name ends in one of {@link #EXTENSIONS}. */
    public static boolean isImageName(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1));
    }

    /**
     * The width, height, format and colour of {@code file}, read from its header and checked against the limits.
     *
     * @throws FileFormatException naming the file: not an image, unreadable header, or beyond the limits
     */
    public static Header header(Path file) throws IOException {
        return header(Source.of(file));
    }

    /** As {@link #header(Path)}, for an image file or bytes in memory. */
    public static Header header(Source source) throws IOException {
        try (Opened o = open(source, true)) {
            return o.header;
        }
    }

    /**
     * The pixels of {@code file} as {@code channels × height × width} unsigned bytes (one plane per channel: grey, or
     * R, G, B), resized bilinearly when the image is of another size.
     *
     * @param channels 1 (grey) or 3 (RGB)
     * @throws FileFormatException naming the file: not an image, beyond the limits, truncated or corrupt
     */
    public static byte[] read(Path file, int channels, int height, int width) throws IOException {
        byte[] out = new byte[channels * height * width];
        read(file, channels, height, width, out, 0);
        return out;
    }

    /**
     * As {@link #read(Path, int, int, int)}, into {@code out} from index {@code at}; returns the file's width, height
     * and format (its {@link Header#grey()} is not read, and false).
     */
    public static Header read(Path file, int channels, int height, int width, byte[] out, int at) throws IOException {
        return read(Source.of(file), channels, height, width, out, at);
    }

    /** As {@link #read(Path, int, int, int, byte[], int)}, for an image file or bytes in memory. */
    public static Header read(Source source, int channels, int height, int width, byte[] out, int at)
            throws IOException {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (height < 1 || width < 1 || height > MAX_SIDE || width > MAX_SIDE) {
            throw new IllegalArgumentException("image size must be 1 to " + MAX_SIDE + " a side, got " + height + "×"
                    + width);
        }
        try (Opened o = open(source, false)) {
            Planes planes = o.decode(subsampling(o.header, height, width));
            for (int c = 0; c < channels; c++) {
                byte[] plane = channels == 1 ? planes.grey() : planes.colour(c);
                resize(plane, planes.height, planes.width, out, at + c * height * width, height, width);
            }
            return o.header;
        }
    }

    /**
     * The pixels of {@code file} as an image of at least {@code minHeight × minWidth} where the file is that large:
     * decoded subsampled when it is more than twice as large, else at its own size. For callers that prepare the image
     * their own way (MNIST's digit framing).
     */
    public static BufferedImage decode(Path file, int minHeight, int minWidth) throws IOException {
        return decode(Source.of(file), minHeight, minWidth);
    }

    /** As {@link #decode(Path, int, int)}, for an image file or bytes in memory. */
    public static BufferedImage decode(Source source, int minHeight, int minWidth) throws IOException {
        try (Opened o = open(source, false)) {
            return o.image(subsampling(o.header, minHeight, minWidth));
        }
    }

    /** The largest step s with the image, read every s-th pixel, still at least twice {@code height × width}. */
    static int subsampling(Header h, int height, int width) {
        int s = Math.min(h.height() / (2 * height), h.width() / (2 * width));
        return Math.max(1, s);
    }

    /**
     * Resizes one plane of {@code sh × sw} bytes to {@code dh × dw} into {@code out} from {@code at}: bilinear, with
     * pixel centres aligned (OpenCV's and PyTorch's {@code align_corners=False}), edges clamped, rounded to nearest.
     * A plane of the same size is copied unchanged.
     */
    static void resize(byte[] src, int sh, int sw, byte[] out, int at, int dh, int dw) {
        if (sh == dh && sw == dw) {
            System.arraycopy(src, 0, out, at, sh * sw);
            return;
        }
        int[] x0 = new int[dw];
        int[] x1 = new int[dw];
        float[] fx = new float[dw];
        double scaleX = (double) sw / dw;
        for (int x = 0; x < dw; x++) {
            double sx = Math.max(0, (x + 0.5) * scaleX - 0.5);
            x0[x] = Math.min((int) sx, sw - 1);
            x1[x] = Math.min(x0[x] + 1, sw - 1);
            fx[x] = (float) (sx - x0[x]);
        }
        double scaleY = (double) sh / dh;
        for (int y = 0; y < dh; y++) {
            double sy = Math.max(0, (y + 0.5) * scaleY - 0.5);
            int y0 = Math.min((int) sy, sh - 1);
            int y1 = Math.min(y0 + 1, sh - 1);
            float fy = (float) (sy - y0);
            int r0 = y0 * sw;
            int r1 = y1 * sw;
            int o = at + y * dw;
            for (int x = 0; x < dw; x++) {
                float top = (src[r0 + x0[x]] & 0xFF) * (1 - fx[x]) + (src[r0 + x1[x]] & 0xFF) * fx[x];
                float bottom = (src[r1 + x0[x]] & 0xFF) * (1 - fx[x]) + (src[r1 + x1[x]] & 0xFF) * fx[x];
                out[o + x] = (byte) Math.min(255, Math.round(top * (1 - fy) + bottom * fy));
            }
        }
    }

    /** A decoded image as planes of bytes. */
    private static final class Planes {
        final int height;
        final int width;
        /** The grey plane of a grey image, else {@code null}. */
        final byte[] grey;
        /** ARGB pixels of a colour image, else {@code null}. */
        final int[] argb;

        Planes(int height, int width, byte[] grey, int[] argb) {
            this.height = height;
            this.width = width;
            this.grey = grey;
            this.argb = argb;
        }

        byte[] grey() {
            if (grey != null) {
                return grey;
            }
            byte[] g = new byte[argb.length];
            for (int i = 0; i < g.length; i++) {
                int p = argb[i];
                // Pillow's convert("L"): L = R·299/1000 + G·587/1000 + B·114/1000, rounded (in 16-bit fixed point).
                g[i] = (byte) ((((p >> 16) & 0xFF) * 19595 + ((p >> 8) & 0xFF) * 38470 + (p & 0xFF) * 7471 + 0x8000)
                        >> 16);
            }
            return g;
        }

        byte[] colour(int c) {
            if (grey != null) {
                return grey;
            }
            int shift = 16 - 8 * c;
            byte[] plane = new byte[argb.length];
            for (int i = 0; i < plane.length; i++) {
                plane[i] = (byte) (argb[i] >> shift);
            }
            return plane;
        }
    }

    /** A file open for reading, its header read and checked. */
    private static final class Opened implements AutoCloseable {
        final Source file;
        final ImageInputStream in;
        final ImageReader reader;
        final Header header;

        Opened(Source file, ImageInputStream in, ImageReader reader, Header header) {
            this.file = file;
            this.in = in;
            this.reader = reader;
            this.header = header;
        }

        BufferedImage image(int step) throws FileFormatException {
            ImageReadParam param = reader.getDefaultReadParam();
            if (step > 1) {
                param.setSourceSubsampling(step, step, 0, 0);
            }
            String[] warning = new String[1];
            reader.addIIOReadWarningListener((source, message) -> {
                if (warning[0] == null) {
                    warning[0] = message;
                }
            });
            BufferedImage img;
            try {
                img = reader.read(0, param);
            } catch (IOException | RuntimeException e) {
                throw corrupt(file, header.format(), e);
            }
            // The JPEG reader fills what a truncated file lacks with grey and only warns: a wrong image, refused.
            if (warning[0] != null) {
                throw new FileFormatException(file + ": corrupt or truncated " + header.format() + " image ("
                        + warning[0].strip() + ")");
            }
            return img;
        }

        Planes decode(int step) throws FileFormatException {
            BufferedImage img = image(step);
            int w = img.getWidth();
            int h = img.getHeight();
            Raster raster = img.getRaster();
            int bands = raster.getNumBands();
            boolean direct = img.getColorModel().getNumColorComponents() == 1
                    && !(img.getColorModel() instanceof IndexColorModel)
                    && (bands == 1 || bands == 2);
            if (direct) {
                // The stored grey values: going through getRGB would convert a linear grey colour space to sRGB.
                int bits = raster.getSampleModel().getSampleSize(0);
                int[] row = new int[w];
                byte[] grey = new byte[w * h];
                for (int y = 0; y < h; y++) {
                    raster.getSamples(0, y, w, 1, 0, row);
                    for (int x = 0; x < w; x++) {
                        grey[y * w + x] = (byte) (bits == 8 ? row[x] : scale(row[x], bits));
                    }
                }
                return new Planes(h, w, grey, null);
            }
            int[] argb = new int[w * h];
            for (int y = 0; y < h; y++) {
                img.getRGB(0, y, w, 1, argb, y * w, w);
            }
            return new Planes(h, w, null, argb);
        }

        @Override
        public void close() throws IOException {
            reader.dispose();
            in.close();
        }
    }

    /** A sample of {@code bits} bits as 0–255, rounded. */
    private static int scale(int v, int bits) {
        long max = (1L << bits) - 1;
        return (int) ((v * 255L + max / 2) / max);
    }

    /**
     * Opens {@code file}, finds a reader for it, and reads and checks its header; tells whether it is grey only when
     * {@code colour} asks (else {@link Header#grey()} is false), since a PNG reader reads up to the pixel data to tell.
     */
    private static Opened open(Source file, boolean colour) throws IOException {
        if (file.file != null && !Files.isRegularFile(file.file)) {
            throw new NoSuchFileException(file.name, null, "no such image: " + file.name);
        }
        long size = file.bytes != null ? file.bytes.length : Files.size(file.file);
        if (size == 0) {
            throw new FileFormatException(file + (file.bytes != null ? ": empty" : ": empty file") + ", not an image");
        }
        // A small file is read whole: ImageIO's file stream asks the system for each few bytes a reader reads, which
        // for a small image costs more than decoding it.
        ImageInputStream in = file.bytes != null ? new MemoryCacheImageInputStream(new ByteArrayInputStream(file.bytes))
                : size <= IN_MEMORY_BYTES
                ? new MemoryCacheImageInputStream(new ByteArrayInputStream(Files.readAllBytes(file.file)))
                : ImageIO.createImageInputStream(file.file.toFile());
        if (in == null) {
            throw new FileFormatException(file + ": cannot be opened as an image");
        }
        ImageReader reader = null;
        try {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new FileFormatException(file + ": not an image Java can read (PNG, JPEG, GIF or BMP)");
            }
            reader = readers.next();
            reader.setInput(in, true, true);
            String format = reader.getFormatName().toLowerCase(Locale.ROOT);
            int w;
            int h;
            try {
                w = reader.getWidth(0);
                h = reader.getHeight(0);
            } catch (IOException | RuntimeException e) {
                throw corrupt(file, format, e);
            }
            if (w < 1 || h < 1) {
                throw new FileFormatException(file + ": " + format + " header declares an image of " + w + "×" + h
                        + " pixels");
            }
            if (w > MAX_SIDE || h > MAX_SIDE || (long) w * h > MAX_PIXELS) {
                throw new FileFormatException(String.format(Locale.ROOT, "%s: %s image of %d×%d pixels is larger "
                        + "than images are read (at most %d a side and %,d pixels)", file, format, w, h, MAX_SIDE,
                        MAX_PIXELS));
            }
            if (format.equals("bmp")) {
                checkBmpLength(file, size, w, h);
            }
            boolean grey = false;
            if (colour) {
                try {
                    // After the size check: a reader may read past the header to tell the type (PNG: to the data).
                    ImageTypeSpecifier type = reader.getRawImageType(0);
                    grey = type != null && type.getColorModel().getNumColorComponents() == 1
                            && !(type.getColorModel() instanceof IndexColorModel);
                } catch (IOException | RuntimeException e) {
                    throw corrupt(file, format, e);
                }
            }
            return new Opened(file, in, reader, new Header(w, h, format, grey));
        } catch (IOException | RuntimeException e) {
            if (reader != null) {
                reader.dispose();
            }
            in.close();
            throw corrupt(file, "", e);
        }
    }

    /**
     * Refuses a BMP shorter than its pixels. Uncompressed, the JDK's reader, decoding subsampled, skips past the end of
     * such a file without a word and leaves the missing rows black; compressed, it allocates what the header declares.
     */
    private static void checkBmpLength(Source file, long size, int w, int h) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(38).order(ByteOrder.LITTLE_ENDIAN);
        if (file.bytes != null) {
            b.put(file.bytes, 0, Math.min(38, file.bytes.length));
        } else {
            try (SeekableByteChannel ch = Files.newByteChannel(file.file)) {
                while (b.hasRemaining() && ch.read(b) > 0) {
                    // until the headers' fields below are read, or the file ends
                }
            }
        }
        if (b.position() < 34 || (b.position() < 38 && b.getInt(14) != 12)) {
            throw new FileFormatException(file + ": truncated bmp image (" + file.noun + " ends inside its header)");
        }
        long dataStart = b.getInt(10) & 0xFFFFFFFFL;
        int dibSize = b.getInt(14);
        int bits = dibSize == 12 ? b.getShort(24) : b.getShort(28);
        int compression = dibSize == 12 ? 0 : b.getInt(30);
        // Rows of uncompressed pixels (BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS) have a known length.
        if ((compression == 0 || compression == 3 || compression == 6) && bits > 0 && bits <= 32) {
            long row = ((long) bits * w + 31) / 32 * 4;
            if (dataStart + row * h > size) {
                throw new FileFormatException(String.format(Locale.ROOT, "%s: truncated bmp image (its %d×%d pixels"
                        + " need %,d bytes, %s has %,d)", file, w, h, dataStart + row * h, file.noun, size));
            }
        } else if (dibSize != 12) {
            // Compressed pixels (run lengths, an embedded JPEG or PNG): the JDK's reader allocates the compressed
            // size the header declares, or the file's declared size less the offset where that is 0, before it reads.
            long declared = b.getInt(34) & 0xFFFFFFFFL;
            if (declared == 0) {
                declared = (b.getInt(2) & 0xFFFFFFFFL) - dataStart;
            }
            if (dataStart + declared > size) {
                throw new FileFormatException(String.format(Locale.ROOT, "%s: truncated bmp image (its compressed "
                        + "pixels are declared as %,d bytes from offset %,d, %s has %,d)", file, declared, dataStart,
                        file.noun, size));
            }
        }
    }

    /** One message for a file a reader failed on: truncated when the cause says so, else corrupt with its reason. */
    private static FileFormatException corrupt(Source file, String format, Exception e) {
        if (e instanceof FileFormatException f) {
            return f;
        }
        String what = format.isEmpty() ? "image" : format + " image";
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EOFException) {
                return new FileFormatException(file + ": truncated " + what + " (" + file.noun + " ends before its "
                        + "data does)",
                        e);
            }
        }
        String reason = null;
        for (Throwable t = e; t != null && reason == null; t = t.getCause()) {
            String m = t.getMessage();
            // ImageIO's own messages say what was wrong; a runtime exception's (an index, a class) would not help.
            if (t instanceof IIOException && m != null && !m.isBlank() && !m.startsWith("Caught exception")) {
                reason = m.strip();
            }
        }
        return new FileFormatException(file + ": corrupt or unsupported " + what + (reason != null ? " (" + reason + ")" : ""), e);
    }
}
