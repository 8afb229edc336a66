package dev.layerwise.csv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.data.CsvReader;
import dev.layerwise.io.FileFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommonsCsvReaderTest {
    @TempDir
    Path tmp;

    private record Rec(long line, String[] cells) {
    }

    private List<Rec> read(String text) throws IOException {
        Path f = tmp.resolve("t.csv");
        Files.write(f, text.getBytes(StandardCharsets.UTF_8));
        List<Rec> out = new ArrayList<>();
        CsvReader.find().read(f, (line, cells) -> out.add(new Rec(line, cells)));
        return out;
    }

    @Test
    void theServiceLoaderFindsThisModulesReader() {
        assertTrue(CsvReader.find() instanceof CommonsCsvReader);
    }

    @Test
    void quotesHoldCommasQuotesAndLineBreaksAndLinesAreCountedFromTheRecordsStart() throws IOException {
        List<Rec> r = read("a,b,name\n1,2,\"x, y\"\n3,4,\"say \"\"hi\"\"\"\n5,6,\"two\nlines\"\n7,8,z\n");
        assertEquals(5, r.size());
        assertArrayEquals(new String[] {"a", "b", "name"}, r.get(0).cells());
        assertArrayEquals(new String[] {"1", "2", "x, y"}, r.get(1).cells());
        assertArrayEquals(new String[] {"3", "4", "say \"hi\""}, r.get(2).cells());
        assertArrayEquals(new String[] {"5", "6", "two\nlines"}, r.get(3).cells());
        assertEquals(List.of(1L, 2L, 3L, 4L, 6L), r.stream().map(Rec::line).toList());
    }

    @Test
    void aByteOrderMarkIsNotPartOfTheFirstColumnsNameAndBlankLinesAreSkipped() throws IOException {
        List<Rec> r = read("\uFEFFlabel,x\r\n\r\ncat,1\r\n\r\ndog,2\r\n");
        assertArrayEquals(new String[] {"label", "x"}, r.get(0).cells());
        assertEquals(3, r.size());
        assertEquals(5, r.get(2).line());
    }

    @Test
    void anUnterminatedQuoteIsMalformedCsvNamingTheFileAndLine() throws IOException {
        Path f = tmp.resolve("bad.csv");
        Files.writeString(f, "a,b\n1,2\n3,\"4\n5,6\n");
        FileFormatException e = assertThrows(FileFormatException.class,
                () -> CsvReader.find().read(f, (line, cells) -> { }));
        assertTrue(e.getMessage().startsWith(f + ": line 3: malformed CSV ("), e.getMessage());
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedNamingTheFile() throws IOException {
        Path f = tmp.resolve("latin1.csv");
        Files.write(f, new byte[] {'a', ',', 'b', '\n', (byte) 0xE9, ',', '1', '\n'});
        FileFormatException e = assertThrows(FileFormatException.class,
                () -> CsvReader.find().read(f, (line, cells) -> { }));
        assertTrue(e.getMessage().startsWith(f + ": not UTF-8 text"), e.getMessage());
    }
}
