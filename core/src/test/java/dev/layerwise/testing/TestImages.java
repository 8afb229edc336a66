package dev.layerwise.testing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;

/** Image files made by tests: ordinary ones written by ImageIO, and hostile ones written byte by byte. */
public final class TestImages {
    private TestImages() {
    }

    /** A grey image whose pixel (x, y) is {@code (x * 7 + y * 13 + seed) % 256}. */
    public static BufferedImage grey(int width, int height, int seed) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.getRaster().setSample(x, y, 0, (x * 7 + y * 13 + seed) & 0xFF);
            }
        }
        return img;
    }

    /** A grey image from {@code height × width} bytes, row-major. */
    public static BufferedImage grey(byte[] pixels, int height, int width) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, width, height, pixels);
        return img;
    }

    /** An RGB image: red {@code x * 5}, green {@code y * 3}, blue {@code seed}, all mod 256. */
    public static BufferedImage rgb(int width, int height, int seed) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, ((x * 5) & 0xFF) << 16 | ((y * 3) & 0xFF) << 8 | (seed & 0xFF));
            }
        }
        return img;
    }

    /** One colour all over. */
    public static BufferedImage solid(int width, int height, int rgb) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    /** Writes {@code img} as {@code format} (png, jpg, bmp, gif) to {@code file}, creating its folder. */
    public static Path write(BufferedImage img, String format, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (!ImageIO.write(img, format, file.toFile())) {
            throw new IOException("no ImageIO writer for " + format);
        }
        return file;
    }

    /** The first {@code bytes} bytes of {@code file}, written over it. */
    public static Path truncate(Path file, int bytes) throws IOException {
        byte[] all = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(all, bytes));
        return file;
    }

    /** A PNG signature and IHDR chunk declaring {@code width × height} 1-bit grey, and nothing more. */
    public static byte[] pngHeader(int width, int height) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(ihdr);
        d.writeInt(width);
        d.writeInt(height);
        d.write(new byte[] {1, 0, 0, 0, 0}); // bit depth 1, grey, deflate, adaptive filter, no interlace
        chunk(b, "IHDR", ihdr.toByteArray());
        return b.toByteArray();
    }

    /**
     * A valid, small PNG of {@code width × height} black 1-bit grey pixels: a header, one deflated data chunk of
     * zero rows, an end chunk. Large images stay small files (about a thousandth of their pixel count).
     */
    public static void blackPng(Path file, int width, int height) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(pngHeader(width, height));
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (OutputStream z = new DeflaterOutputStream(idat, new Deflater(9))) {
            byte[] row = new byte[1 + (width + 7) / 8]; // filter byte 0, then the row's bits
            for (int y = 0; y < height; y++) {
                z.write(row);
            }
        }
        chunk(b, "IDAT", idat.toByteArray());
        chunk(b, "IEND", new byte[0]);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, b.toByteArray());
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(data.length);
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        d.write(t);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }
}
