package dev.layerwise.util;

import java.util.Arrays;

/**
 * A seeded random number generator whose whole state can be read and restored, so that a training run saved in a
 * checkpoint resumes with exactly the numbers it would have drawn.
 *
 * <p>The generator is xoshiro256** (Blackman and Vigna), seeded through SplitMix64; Gaussians come from the Marsaglia
 * polar method, whose second value is kept as part of the state. The same seed gives the same sequence on every JVM.
 * Not thread-safe: give each thread its own.
 */
public final class Rng {
    private long s0;
    private long s1;
    private long s2;
    private long s3;
    private boolean hasSpare;
    private double spare;

    /** A generator seeded with {@code seed}. */
    public Rng(long seed) {
        long x = seed;
        x += 0x9E3779B97F4A7C15L;
        s0 = mix(x);
        x += 0x9E3779B97F4A7C15L;
        s1 = mix(x);
        x += 0x9E3779B97F4A7C15L;
        s2 = mix(x);
        x += 0x9E3779B97F4A7C15L;
        s3 = mix(x);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The next 64 random bits. */
    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** A uniform double in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** A uniform int in [0, bound), without modulo bias. */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        long m = (nextLong() >>> 32) * bound;
        long low = m & 0xFFFFFFFFL;
        if (low < bound) {
            long threshold = ((1L << 32) - bound) % bound;
            while (low < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = m & 0xFFFFFFFFL;
            }
        }
        return (int) (m >>> 32);
    }

    /** A standard normal value (mean 0, standard deviation 1). */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double u;
        double v;
        double s;
        do {
            u = 2 * nextDouble() - 1;
            v = 2 * nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double factor = Math.sqrt(-2 * Math.log(s) / s);
        spare = v * factor;
        hasSpare = true;
        return u * factor;
    }

    /** Shuffles {@code a} in place (Fisher–Yates). */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
    }

    /** The whole state, for a checkpoint: six longs. */
    public long[] state() {
        return new long[] {s0, s1, s2, s3, hasSpare ? 1 : 0, Double.doubleToRawLongBits(spare)};
    }

    /** A generator that continues from a {@link #state()}. */
    public static Rng fromState(long[] state) {
        Rng r = new Rng(0);
        r.setState(state);
        return r;
    }

    /** Continues from a {@link #state()}, in place. */
    public void setState(long[] state) {
        if (state.length != 6 || (state[0] | state[1] | state[2] | state[3]) == 0 || (state[4] & ~1L) != 0) {
            throw new IllegalArgumentException("not a random generator state: " + Arrays.toString(state));
        }
        s0 = state[0];
        s1 = state[1];
        s2 = state[2];
        s3 = state[3];
        hasSpare = state[4] == 1;
        spare = Double.longBitsToDouble(state[5]);
    }
}
