package dev.layerwise.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.io.FileFormatException;
import dev.layerwise.tensor.DType;
import dev.layerwise.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
    @TempDir
    Path dir;

    /** {@code perClass} grey 6×4 PNGs in each of the folders "cat", "ant", "bee" under {@code root}. */
    private Path folder(Path root, int perClass) throws IOException {
        String[] classes = {"cat", "ant", "bee"};
        for (int c = 0; c < classes.length; c++) {
            for (int i = 0; i < perClass; i++) {
                TestImages.write(TestImages.grey(6, 4, c * 50 + i), "png", root.resolve(classes[c]).resolve("img" + i
                        + ".png"));
            }
        }
        return root;
    }

    @Test
    void classesAreSortedFolderNamesAndImagesComeInPathOrder() throws IOException {
        Path root = folder(dir.resolve("d"), 3);
        Files.writeString(root.resolve("ant").resolve("README.txt"), "not an image");
        ImageFolder.Loaded d = ImageFolder.load(root, ImageFolder.Options.defaults());
        assertEquals(List.of("ant", "bee", "cat"), d.classNames());
        assertArrayEquals(new int[] {1, 4, 6}, d.exampleShape());
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1, 2, 2, 2}, d.train().labels());
        assertNull(d.test());
        assertEquals(9 * 24, d.train().pixels().length);
        // Example 3 is bee/img0.png, seed 100.
        assertArrayEquals(ImageDecoder.read(root.resolve("bee/img0.png"), 1, 4, 6),
                java.util.Arrays.copyOfRange(d.train().pixels(), 3 * 24, 4 * 24));
        assertEquals(100, d.train().pixels()[3 * 24] & 0xFF);
        DataSet ds = d.toDataSet(d.train(), DType.FLOAT32);
        assertArrayEquals(new int[] {9, 1, 4, 6}, ds.shape());
        assertEquals(100 / 255f, ds.x().getDouble(3 * 24), 1e-7);
        assertEquals(DataContract.images(new int[] {1, 4, 6}, List.of("ant", "bee", "cat"),
                DataContract.ImageFit.RESIZE), d.contract());
        assertTrue(d.description().contains("3 classes, 9 training images of 1×4×6"), d.description());
    }

    @Test
    void channelsFollowTheFirstImageUnlessGiven() throws IOException {
        Path root = dir.resolve("c");
        TestImages.write(TestImages.rgb(4, 4, 1), "png", root.resolve("a/1.png"));
        TestImages.write(TestImages.grey(4, 4, 1), "png", root.resolve("b/1.png"));
        assertEquals(3, ImageFolder.load(root, ImageFolder.Options.defaults()).channels());
        ImageFolder.Loaded grey = ImageFolder.load(root, ImageFolder.Options.defaults().withChannels(1));
        assertEquals(1, grey.channels());
        assertEquals(32, grey.train().pixels().length);
    }

    @Test
    void trainAndTestFoldersAreTheSplits() throws IOException {
        folder(dir.resolve("s/train"), 2);
        TestImages.write(TestImages.grey(6, 4, 9), "png", dir.resolve("s/test/cat/x.png"));
        TestImages.write(TestImages.grey(6, 4, 9), "png", dir.resolve("s/test/ant/x.png"));
        ImageFolder.Loaded d = ImageFolder.load(dir.resolve("s"), ImageFolder.Options.defaults());
        assertEquals(List.of("ant", "bee", "cat"), d.classNames());
        assertEquals(6, d.train().size());
        assertArrayEquals(new int[] {0, 2}, d.test().labels());
        assertTrue(d.description().contains("6 training and 2 test images"), d.description());
    }

    @Test
    void imagesOfAnySizeAreResizedToTheSizeGiven() throws IOException {
        Path root = dir.resolve("r");
        TestImages.write(TestImages.solid(10, 10, 0x404040), "png", root.resolve("a/1.png"));
        TestImages.write(TestImages.solid(3, 7, 0x404040), "bmp", root.resolve("b/2.bmp"));
        ImageFolder.Loaded d = ImageFolder.load(root, ImageFolder.Options.defaults().withSize(5, 8));
        assertArrayEquals(new int[] {3, 5, 8}, d.exampleShape());
        for (byte b : d.train().pixels()) {
            assertEquals(0x40, b & 0xFF);
        }
    }

    @Test
    void mixedSizesWithoutASizeNameBothFiles() throws IOException {
        Path root = dir.resolve("m");
        TestImages.write(TestImages.grey(6, 4, 1), "png", root.resolve("a/1.png"));
        TestImages.write(TestImages.grey(5, 5, 1), "png", root.resolve("b/2.png"));
        FileFormatException e = assertThrows(FileFormatException.class,
                () -> ImageFolder.load(root, ImageFolder.Options.defaults().withSkipBadFiles(true)));
        assertEquals(root.resolve("b/2.png") + " is 5×5 (height×width) but " + root.resolve("a/1.png")
                + ", the first image, is 4×6; give the size all images are resized to, e.g. --image-size 4,6",
                e.getMessage());
    }

    @Test
    void aCorruptImageFailsNamingItOrIsSkippedAndCounted() throws IOException {
        Path root = folder(dir.resolve("b"), 4);
        Path bad = TestImages.truncate(root.resolve("bee/img2.png"), 40);
        FileFormatException e = assertThrows(FileFormatException.class,
                () -> ImageFolder.load(root, ImageFolder.Options.defaults()));
        assertTrue(e.getMessage().startsWith(bad + ": "), e.getMessage());
        ImageFolder.Loaded d = ImageFolder.load(root, ImageFolder.Options.defaults().withSkipBadFiles(true));
        assertEquals(11, d.train().size());
        assertEquals(1, d.skipped().size());
        assertTrue(d.skipped().get(0).startsWith(bad + ": "));
        assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2}, d.train().labels());
        // The examples after the skipped one moved up: example 6 is bee/img3.png.
        assertArrayEquals(ImageDecoder.read(root.resolve("bee/img3.png"), 1, 4, 6),
                java.util.Arrays.copyOfRange(d.train().pixels(), 6 * 24, 7 * 24));
        assertTrue(d.description().endsWith("(1 bad files skipped)"), d.description());
    }

    @Test
    void badFoldersAreNamed() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        FileFormatException e = assertThrows(FileFormatException.class,
                () -> ImageFolder.load(empty, ImageFolder.Options.defaults()));
        assertTrue(e.getMessage().startsWith(empty + ": no class folders; expected " + empty + "/<class>/<image>.png"),
                e.getMessage());

        Path loose = dir.resolve("loose");
        TestImages.write(TestImages.grey(2, 2, 1), "png", loose.resolve("a.png"));
        assertTrue(assertThrows(FileFormatException.class, () -> ImageFolder.load(loose,
                ImageFolder.Options.defaults())).getMessage().contains("it holds images itself"));

        Path one = dir.resolve("one");
        TestImages.write(TestImages.grey(2, 2, 1), "png", one.resolve("only/a.png"));
        assertEquals(one + ": only one class folder ('only'); a classifier needs at least 2 classes, one folder each",
                assertThrows(FileFormatException.class, () -> ImageFolder.load(one, ImageFolder.Options.defaults()))
                        .getMessage());

        Path hollow = folder(dir.resolve("hollow"), 1);
        Files.createDirectories(hollow.resolve("dog"));
        Files.writeString(hollow.resolve("dog/notes.txt"), "no pictures");
        assertEquals(hollow.resolve("dog") + ": class folder holds no images (.png, .jpg, .jpeg, .gif, .bmp)",
                assertThrows(FileFormatException.class, () -> ImageFolder.load(hollow,
                        ImageFolder.Options.defaults())).getMessage());

        folder(dir.resolve("t/train"), 1);
        TestImages.write(TestImages.grey(6, 4, 1), "png", dir.resolve("t/test/dog/a.png"));
        assertTrue(assertThrows(FileFormatException.class, () -> ImageFolder.load(dir.resolve("t"),
                ImageFolder.Options.defaults())).getMessage().startsWith(dir.resolve("t/test/dog")
                + ": class 'dog' has no folder in " + dir.resolve("t/train")));

        assertThrows(java.nio.file.NoSuchFileException.class, () -> ImageFolder.load(dir.resolve("nowhere"),
                ImageFolder.Options.defaults()));
    }

    @Test
    void memoryIsEstimatedBeforeDecoding() {
        FileFormatException heap = assertThrows(FileFormatException.class,
                () -> ImageFolder.checkMemory(dir, 12_000, 10_000, 3, 100, 100, 512L << 20));
        assertEquals(dir + ": 12,000 images of 3×100×100 take 343 MB decoded; the Java heap can grow to 512 MB."
                + " Give it more, e.g. JAVA_OPTS=-Xmx2g, or choose a smaller image size (--image-size)",
                heap.getMessage());
        assertTrue(assertThrows(FileFormatException.class, () -> ImageFolder.checkMemory(dir, 60_000, 50_000, 3, 224,
                224, 64L << 30)).getMessage().contains("more than one array holds"));
        assertDoesNotThrowIo(() -> ImageFolder.checkMemory(dir, 70_000, 60_000, 1, 28, 28, 512L << 20));
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void assertDoesNotThrowIo(IoAction a) {
        try {
            a.run();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void decodingIsTheSameOnOneThreadOrManyAndReportsProgress() throws IOException {
        Path root = dir.resolve("p");
        for (int i = 0; i < 60; i++) {
            TestImages.write(TestImages.rgb(7, 5, i), i % 2 == 0 ? "png" : "bmp",
                    root.resolve("c" + i % 3).resolve(i + (i % 2 == 0 ? ".png" : ".bmp")));
        }
        List<int[]> reports = new ArrayList<>();
        ImageFolder.Loaded one = ImageFolder.load(root, ImageFolder.Options.defaults().withThreads(1));
        ImageFolder.Loaded four = ImageFolder.load(root, ImageFolder.Options.defaults().withThreads(4)
                .withProgress((done, total) -> reports.add(new int[] {done, total})));
        assertArrayEquals(one.train().pixels(), four.train().pixels());
        assertArrayEquals(one.train().labels(), four.train().labels());
        assertArrayEquals(new int[] {60, 60}, reports.get(reports.size() - 1));
        for (int i = 1; i < reports.size(); i++) {
            assertTrue(reports.get(i)[0] >= reports.get(i - 1)[0], "progress never goes back");
        }
    }

    @Test
    void theCacheIsReadWhenNothingChangedAndRebuiltWhenAnythingDid() throws IOException {
        Path root = folder(dir.resolve("k"), 3);
        Path cache = dir.resolve("cache");
        ImageFolder.Options o = ImageFolder.Options.defaults().withCacheDir(cache);
        ImageFolder.Loaded first = ImageFolder.load(root, o);
        assertFalse(first.fromCache());
        ImageFolder.Loaded second = ImageFolder.load(root, o);
        assertTrue(second.fromCache());
        assertArrayEquals(first.train().pixels(), second.train().pixels());
        assertArrayEquals(first.train().labels(), second.train().labels());
        assertEquals(first.classNames(), second.classNames());
        assertArrayEquals(first.exampleShape(), second.exampleShape());

        // Other options: another cache entry.
        assertFalse(ImageFolder.load(root, o.withSize(2, 3)).fromCache());
        assertTrue(ImageFolder.load(root, o.withSize(2, 3)).fromCache());

        // A file rewritten (new time): decoded again, with its new pixels.
        Path changed = root.resolve("cat/img1.png");
        TestImages.write(TestImages.grey(6, 4, 200), "png", changed);
        Files.setLastModifiedTime(changed, FileTime.fromMillis(Files.getLastModifiedTime(changed).toMillis() + 5000));
        ImageFolder.Loaded third = ImageFolder.load(root, o);
        assertFalse(third.fromCache());
        assertEquals(200, third.train().pixels()[7 * 24] & 0xFF);

        // A damaged cache file: ignored and rewritten.
        List<Path> files;
        try (var s = Files.list(cache)) {
            files = s.filter(p -> p.toString().endsWith(".images")).toList();
        }
        for (Path f : files) {
            byte[] b = Files.readAllBytes(f);
            b[b.length / 2] ^= 0x5A;
            Files.write(f, b);
        }
        ImageFolder.Loaded fourth = ImageFolder.load(root, o);
        assertFalse(fourth.fromCache());
        assertArrayEquals(third.train().pixels(), fourth.train().pixels());
        assertTrue(ImageFolder.load(root, o).fromCache());
        for (Path f : files) {
            Files.write(f, java.util.Arrays.copyOf(Files.readAllBytes(f), 30)); // truncated
        }
        assertFalse(ImageFolder.load(root, o).fromCache());
    }

    @Test
    void aCachedFolderWithSkippedFilesStillFailsWithoutSkipping() throws IOException {
        Path root = folder(dir.resolve("ks"), 2);
        Path bad = TestImages.truncate(root.resolve("ant/img0.png"), 30);
        ImageFolder.Options o = ImageFolder.Options.defaults().withCacheDir(dir.resolve("cache"))
                .withSkipBadFiles(true);
        ImageFolder.load(root, o);
        ImageFolder.Loaded again = ImageFolder.load(root, o);
        assertTrue(again.fromCache());
        assertEquals(1, again.skipped().size());
        FileFormatException e = assertThrows(FileFormatException.class,
                () -> ImageFolder.load(root, o.withSkipBadFiles(false)));
        assertTrue(e.getMessage().startsWith(bad + ": "), e.getMessage());
    }

    @Test
    void labelsCanIndexAModelsClasses() throws IOException {
        Path root = dir.resolve("model");
        TestImages.write(TestImages.grey(6, 4, 1), "png", root.resolve("cat/a.png"));
        TestImages.write(TestImages.grey(6, 4, 2), "png", root.resolve("ant/a.png"));
        ImageFolder.Loaded d = ImageFolder.load(root, ImageFolder.Options.defaults()
                .withClassNames(List.of("zebra", "cat", "bee", "ant")));
        assertArrayEquals(new int[] {3, 1}, d.train().labels());
        assertEquals(List.of("zebra", "cat", "bee", "ant"), d.classNames());
        FileFormatException e = assertThrows(FileFormatException.class, () -> ImageFolder.load(root,
                ImageFolder.Options.defaults().withClassNames(List.of("cat", "dog"))));
        assertEquals(root.resolve("ant") + ": class 'ant' is not one of the model's classes [cat, dog]",
                e.getMessage());
    }

    @Test
    void dataSetsReadsAFolderWithAValidationSplitAndFromASource() throws IOException {
        Path root = folder(dir.resolve("ds"), 10);
        LabeledData d = DataSets.imageFolder(root, ImageFolder.Options.defaults(),
                DataSets.Options.defaults().withValidation(0.2, 7));
        assertEquals(24, d.train().size());
        assertEquals(6, d.validation().size());
        assertNull(d.test());
        assertArrayEquals(new int[] {24, 1, 4, 6}, d.train().shape());
        assertEquals(List.of("ant", "bee", "cat"), d.contract().classNames());
        assertTrue(d.description().startsWith("images ds (1×4×6, 3 classes): "), d.description());

        DataSource source = new DataSource(DataSource.Kind.IMAGES, root.toString(),
                java.util.Map.of("image_size", List.of(2, 3), "channels", 3));
        LabeledData s = DataSets.load(source, DType.FLOAT64);
        assertArrayEquals(new int[] {30, 3, 2, 3}, s.train().shape());
        assertEquals(DType.FLOAT64, s.train().dtype());
    }
}
