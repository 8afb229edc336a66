package dev.layerwise.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.io.FileFormatException;
import dev.layerwise.testing.TestImages;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDecoderTest {
    @TempDir
    Path dir;

    @Test
    void greyPngGivesItsStoredValues() throws IOException {
        BufferedImage img = TestImages.grey(5, 4, 3);
        Path f = TestImages.write(img, "png", dir.resolve("g.png"));
        byte[] got = ImageDecoder.read(f, 1, 4, 5);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 5; x++) {
                assertEquals((x * 7 + y * 13 + 3) & 0xFF, got[y * 5 + x] & 0xFF, "pixel " + x + "," + y);
            }
        }
        ImageDecoder.Header h = ImageDecoder.header(f);
        assertEquals(new ImageDecoder.Header(5, 4, "png", true), h);
    }

    @Test
    void rgbPngGivesThreePlanes() throws IOException {
        Path f = TestImages.write(TestImages.rgb(6, 3, 77), "png", dir.resolve("c.png"));
        byte[] got = ImageDecoder.read(f, 3, 3, 6);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 6; x++) {
                assertEquals(x * 5, got[y * 6 + x] & 0xFF);
                assertEquals(y * 3, got[18 + y * 6 + x] & 0xFF);
                assertEquals(77, got[36 + y * 6 + x] & 0xFF);
            }
        }
        assertFalse(ImageDecoder.header(f).grey());
    }

    @Test
    void bytesInMemoryAreReadAsTheFileIsAndNamedInMessages() throws IOException {
        for (String format : new String[] {"png", "jpg", "bmp", "gif"}) {
            Path f = TestImages.write(TestImages.rgb(40, 30, 9), format, dir.resolve("m." + format));
            ImageDecoder.Source bytes = ImageDecoder.Source.of(Files.readAllBytes(f), "the request body");
            assertArrayEquals(ImageDecoder.read(f, 3, 12, 16), readAll(bytes, 3, 12, 16), format);
            assertEquals(ImageDecoder.header(f), ImageDecoder.header(bytes), format);
        }
        ImageDecoder.Source huge = ImageDecoder.Source.of(TestImages.pngHeader(30000, 30000), "the request body");
        FileFormatException e = assertThrows(FileFormatException.class, () -> ImageDecoder.header(huge));
        assertEquals("the request body: png image of 30000×30000 pixels is larger than images are read (at most "
                + "16384 a side and 67,108,864 pixels)", e.getMessage());
        Path bmp = TestImages.write(TestImages.rgb(64, 64, 1), "bmp", dir.resolve("t.bmp"));
        byte[] cut = java.util.Arrays.copyOf(Files.readAllBytes(bmp), 1000);
        e = assertThrows(FileFormatException.class, () -> ImageDecoder.read(ImageDecoder.Source.of(cut, "upload"), 1,
                8, 8, new byte[64], 0));
        assertEquals("upload: truncated bmp image (its 64×64 pixels need 12,342 bytes, it has 1,000)", e.getMessage());
        e = assertThrows(FileFormatException.class, () -> ImageDecoder.header(ImageDecoder.Source.of(new byte[0],
                "upload")));
        assertEquals("upload: empty, not an image", e.getMessage());
        // A 1×1 BMP declaring an embedded JPEG of 973 MB in 103 bytes: the JDK's reader would allocate it all.
        byte[] embedded = java.util.Base64.getDecoder().decode("Qk06AAAhAAAAADYAAAAoAAAAAQAAAAEAAAABABgABAAAAAAAADoAAAA"
                + "AAAAAAAAAAAAASEhISEhISEhISEhISEhISEhISEhISEhISEhISEhISEhISEhISEhISEhISEgAAAAABAAAAA==");
        e = assertThrows(FileFormatException.class, () -> ImageDecoder.read(ImageDecoder.Source.of(embedded, "upload"),
                1, 28, 28, new byte[784], 0));
        assertEquals("upload: truncated bmp image (its compressed pixels are declared as 973,078,528 bytes from "
                + "offset 54, it has 103)", e.getMessage());
    }

    private static byte[] readAll(ImageDecoder.Source source, int c, int h, int w) throws IOException {
        byte[] out = new byte[c * h * w];
        ImageDecoder.read(source, c, h, w, out, 0);
        return out;
    }

    @Test
    void colourToGreyIsTheLuminanceAndGreyToColourRepeatsIt() throws IOException {
        Path c = TestImages.write(TestImages.solid(2, 2, 0xC86432), "png", dir.resolve("c.png"));
        // Pillow's convert("L") of (200, 100, 50): 200·0.299 + 100·0.587 + 50·0.114 = 124.2 → 124
        assertArrayEquals(new byte[] {124, 124, 124, 124}, ImageDecoder.read(c, 1, 2, 2));
        Path g = TestImages.write(TestImages.grey(2, 1, 40), "png", dir.resolve("g.png"));
        assertArrayEquals(new byte[] {40, 47, 40, 47, 40, 47}, ImageDecoder.read(g, 3, 1, 2));
    }

    @Test
    void everyFormatIsRead() throws IOException {
        for (String format : new String[] {"png", "bmp", "gif", "jpg"}) {
            Path f = TestImages.write(TestImages.solid(8, 8, 0x808080), format, dir.resolve("s." + format));
            byte[] got = ImageDecoder.read(f, 1, 8, 8);
            for (byte b : got) {
                assertEquals(128, b & 0xFF, 2, format);
            }
        }
    }

    @Test
    void bilinearResizeAlignsPixelCentres() {
        // 2 → 4: outputs sit at source positions -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to the last).
        byte[] out = new byte[4];
        ImageDecoder.resize(new byte[] {0, (byte) 200}, 1, 2, out, 0, 1, 4);
        assertArrayEquals(new byte[] {0, 50, (byte) 150, (byte) 200}, out);
        // 4 → 2: each output is the mean of the two source pixels around its centre.
        byte[] half = new byte[2];
        ImageDecoder.resize(new byte[] {0, 100, (byte) 200, 50}, 1, 4, half, 0, 1, 2);
        assertArrayEquals(new byte[] {50, 125}, half);
        // A plane of the asked size is copied unchanged, at the given offset.
        byte[] same = new byte[5];
        ImageDecoder.resize(new byte[] {1, 2, 3, 4}, 2, 2, same, 1, 2, 2);
        assertArrayEquals(new byte[] {0, 1, 2, 3, 4}, same);
    }

    @Test
    void aLargeImageIsDecodedSubsampledToTheWantedSize() throws IOException {
        Path f = TestImages.write(TestImages.solid(1000, 800, 0x336699), "png", dir.resolve("big.png"));
        assertEquals(10, ImageDecoder.subsampling(ImageDecoder.header(f), 40, 50));
        byte[] got = ImageDecoder.read(f, 3, 40, 50);
        assertEquals(3 * 40 * 50, got.length);
        assertEquals(0x33, got[0] & 0xFF);
        assertEquals(0x66, got[2000] & 0xFF);
        assertEquals(0x99, got[5999] & 0xFF);
        BufferedImage decoded = ImageDecoder.decode(f, 40, 50);
        assertEquals(100, decoded.getWidth());
        assertEquals(80, decoded.getHeight());
    }

    @Test
    void aHeaderDeclaringAHugeImageIsRefusedBeforeDecoding() throws IOException {
        Path f = dir.resolve("header.png");
        Files.write(f, TestImages.pngHeader(30000, 30000));
        FileFormatException e = assertThrows(FileFormatException.class, () -> ImageDecoder.read(f, 1, 28, 28));
        assertEquals(f + ": png image of 30000×30000 pixels is larger than images are read (at most 16384 a side"
                + " and 67,108,864 pixels)", e.getMessage());
    }

    @Test
    void aValidImageBeyondThePixelLimitIsRefused() throws IOException {
        Path f = dir.resolve("wide.png");
        TestImages.blackPng(f, 9000, 9000); // each side within the limit, 81 Mpx beyond it
        FileFormatException e = assertThrows(FileFormatException.class, () -> ImageDecoder.read(f, 1, 28, 28));
        assertTrue(e.getMessage().startsWith(f + ": png image of 9000×9000 pixels is larger"), e.getMessage());
    }

    @Test
    void truncatedFilesNameTheFileAndSayTruncated() throws IOException {
        for (String format : new String[] {"bmp", "png"}) {
            Path f = TestImages.write(TestImages.rgb(64, 64, 1), format, dir.resolve("t." + format));
            TestImages.truncate(f, (int) Files.size(f) / 2);
            FileFormatException e = assertThrows(FileFormatException.class, () -> ImageDecoder.read(f, 3, 64, 64),
                    format);
            assertTrue(e.getMessage().startsWith(f + ": truncated " + format + " image")
                    || e.getMessage().startsWith(f + ": corrupt or unsupported " + format + " image"), e.getMessage());
        }
        Path bmp = TestImages.write(TestImages.rgb(64, 64, 1), "bmp", dir.resolve("short.bmp"));
        TestImages.truncate(bmp, 1000);
        // Decoded whole, or subsampled (where the JDK's reader would skip past the end and leave rows black).
        for (int side : new int[] {64, 28, 8}) {
            assertEquals(bmp + ": truncated bmp image (its 64×64 pixels need 12,342 bytes, the file has 1,000)",
                    assertThrows(FileFormatException.class, () -> ImageDecoder.read(bmp, 1, side, side))
                            .getMessage());
        }
        Path header = TestImages.truncate(TestImages.write(TestImages.rgb(4, 4, 1), "bmp", dir.resolve("h.bmp")), 30);
        assertTrue(assertThrows(FileFormatException.class, () -> ImageDecoder.read(header, 1, 4, 4)).getMessage()
                .startsWith(header + ": "));
    }

    @Test
    void aTruncatedJpegIsRefusedNotFilledWithGrey() throws IOException {
        Path f = TestImages.write(TestImages.rgb(64, 64, 9), "jpg", dir.resolve("t.jpg"));
        TestImages.truncate(f, (int) Files.size(f) * 2 / 3);
        FileFormatException e = assertThrows(FileFormatException.class, () -> ImageDecoder.read(f, 3, 64, 64));
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("jpeg"), e.getMessage());
    }

    @Test
    void notAnImageEmptyOrMissing() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.png"), "hello, not a picture");
        assertEquals(text + ": not an image Java can read (PNG, JPEG, GIF or BMP)",
                assertThrows(FileFormatException.class, () -> ImageDecoder.read(text, 1, 2, 2)).getMessage());
        Path empty = Files.write(dir.resolve("empty.png"), new byte[0]);
        assertEquals(empty + ": empty file, not an image",
                assertThrows(FileFormatException.class, () -> ImageDecoder.read(empty, 1, 2, 2)).getMessage());
        Path missing = dir.resolve("missing.png");
        assertThrows(NoSuchFileException.class, () -> ImageDecoder.read(missing, 1, 2, 2));
    }

    @Test
    void everyMessageOfAMangledFileNamesTheFile() throws IOException {
        Path good = TestImages.write(TestImages.rgb(16, 16, 5), "bmp", dir.resolve("m.bmp"));
        byte[] bytes = Files.readAllBytes(good);
        java.util.Random random = new java.util.Random(7);
        for (int trial = 0; trial < 200; trial++) {
            byte[] m = bytes.clone();
            for (int k = 0; k < 3; k++) {
                m[random.nextInt(54)] = (byte) random.nextInt(256); // the BMP headers
            }
            Path f = Files.write(dir.resolve("m" + trial + ".bmp"), m);
            try {
                ImageDecoder.read(f, 1, 16, 16);
            } catch (FileFormatException e) {
                assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
                assertFalse(e.getMessage().contains("Exception"), e.getMessage());
            }
        }
    }

    @Test
    void isImageNameKnowsTheExtensions() {
        assertTrue(ImageDecoder.isImageName(Path.of("a/b.PNG")));
        assertTrue(ImageDecoder.isImageName(Path.of("x.jpeg")));
        assertFalse(ImageDecoder.isImageName(Path.of("x.txt")));
        assertFalse(ImageDecoder.isImageName(Path.of(".png")));
    }
}
