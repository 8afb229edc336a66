package dev.layerwise.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The register-only multiply-add loop that measures the ceiling, on every available implementation. */
class FmaLoopTest {

    static java.util.List<Kernels> implementations() {
        return KernelsTest.implementations();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void countsItsMultiplyAddsInProportionToTheRounds(Kernels kernels) {
        float[] sink = new float[1];
        long perRound = kernels.matrix().fmaLoop(1, sink);
        assertTrue(perRound >= 8, "at least 8 independent multiply-adds a round, got " + perRound);
        assertEquals(0, kernels.matrix().fmaLoop(0, sink));
        assertEquals(3001 * perRound, kernels.matrix().fmaLoop(3001, sink));
    }

    /**
     * Every accumulator steps {@code acc = acc·0.999 + 0.001} towards 1: after enough rounds the sink holds the sum of
     * all of them, one per multiply-add of a round, so a lane or accumulator left out would show.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void theSinkSumsEveryAccumulator(Kernels kernels) {
        float[] sink = new float[1];
        long perRound = kernels.matrix().fmaLoop(1, sink);
        kernels.matrix().fmaLoop(40_000, sink);
        assertEquals(perRound, sink[0], 1e-3 * perRound);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void negativeRoundsAreRefused(Kernels kernels) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kernels.matrix().fmaLoop(-1, new float[1]));
        assertTrue(e.getMessage().contains("rounds"), e.getMessage());
    }
}
