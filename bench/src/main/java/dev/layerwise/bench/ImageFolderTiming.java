package dev.layerwise.bench;

import dev.layerwise.data.ImageFolder;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * A timing harness, not a test: loading MNIST's 60,000 training images exported as PNGs (as
 * {@link ImageFolderBenchmark} exports them) with {@link ImageFolder}, decoding on two threads and on one, and a second
 * start from the cache; each the best and the median of several rounds, in wall-clock seconds and in the process's CPU
 * seconds. On a machine shared with other work the wall clock moves with their load; the CPU time much less.
 *
 * <p>Run after {@code mvn -pl bench -am package -DskipTests}:
 * {@code java -cp bench/target/benchmarks.jar dev.layerwise.bench.ImageFolderTiming [rounds]}; with
 * {@code cached} instead of a round count, one start from the cache in this fresh JVM (after a first run has filled
 * it), as a second {@code layerwise train} starts.
 */
public final class ImageFolderTiming {
    private ImageFolderTiming() {
    }

    public static void main(String[] args) throws Exception {
        Path folder = ImageFolderBenchmark.export(Path.of("target", "mnist-png"));
        Path cache = Path.of("target", "mnist-png-cache");
        if (args.length > 0 && args[0].equals("cached")) {
            double[] t = time(folder, ImageFolder.Options.defaults().withCacheDir(cache));
            System.out.printf(Locale.ROOT, "cached start in a fresh JVM: %.3f s wall, %.3f s CPU%n", t[0], t[1]);
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Files.createDirectories(cache);
        ImageFolder.load(folder, ImageFolder.Options.defaults().withCacheDir(cache));
        for (int threads : new int[] {2, 1}) {
            report("decode, " + threads + " thread" + (threads > 1 ? "s" : ""), folder,
                    ImageFolder.Options.defaults().withThreads(threads), rounds);
        }
        report("cached start", folder, ImageFolder.Options.defaults().withCacheDir(cache), rounds);
    }

    private static void report(String what, Path folder, ImageFolder.Options options, int rounds) throws Exception {
        double[] wall = new double[rounds];
        double[] cpu = new double[rounds];
        int n = 0;
        for (int r = 0; r < rounds; r++) {
            double[] t = time(folder, options);
            wall[r] = t[0];
            cpu[r] = t[1];
            n = (int) t[2];
        }
        Arrays.sort(wall);
        Arrays.sort(cpu);
        System.out.printf(Locale.ROOT, "%-18s wall best %.2f s (%,.0f images/s), median %.2f s; CPU best %.2f s,"
                + " median %.2f s (%,.0f images per CPU second)%n", what, wall[0], n / wall[0], wall[rounds / 2],
                cpu[0], cpu[rounds / 2], n / cpu[rounds / 2]);
    }

    /** Wall seconds, process CPU seconds and the number of images of one load. */
    private static double[] time(Path folder, ImageFolder.Options options) throws Exception {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        ImageFolder.Loaded d = ImageFolder.load(folder, options);
        long t1 = System.nanoTime();
        long cpu1 = os.getProcessCpuTime();
        return new double[] {(t1 - t0) / 1e9, (cpu1 - cpu0) / 1e9, d.train().size()};
    }
}
